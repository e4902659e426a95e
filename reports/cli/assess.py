"""``nowan assess``: the main job. Assess every channel and write the SSC report into ``out/``."""
from __future__ import annotations

import contextlib
import math
import sys
import time
from pathlib import Path

import click

from nowan.model.assumptions import Assumptions
from nowan.model.errors import printable
from nowan.reports.cli.common import is_interactive, models_option, parse_int, split_ids

#: The deprecated ``--budget SECONDS`` buys SECONDS x DEFAULT_EXAMPLES / BUDGET_ALIAS_S examples (its
#: old default of 40 s gives today's default).
BUDGET_ALIAS_S = 40.0


@click.command()
@click.option("--channels", "channels", multiple=True, metavar="ID,...", help="Channels to assess (default: all).")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False))
@click.option("--examples", default=None, type=click.IntRange(min=0, max=1_000_000), metavar="N",
              help="Fuzz examples per channel and invariant kind (default 150; 0: no fuzzing). A number, "
                   "not a time, so that the same seed gives the same report.")
@click.option("--budget", default=None, type=click.FloatRange(min=0, max=86400), metavar="SECONDS", hidden=True,
              help="Deprecated alias (README): SECONDS x 3.75 examples, the old 40 s default being 150.")
@click.option("--seed", default="0", show_default=True, metavar="N", help="Decimal or 0x hex.")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
@click.option("--fail-on", "fail_on", default=None, metavar="LEVEL",
              help="Exit 1 if any channel's residual risk is above LEVEL (a CI risk gate).")
@models_option
@click.option("--pdf/--no-pdf", "pdf", default=True, show_default=True,
              help="Also write the committee paper, report.pdf (needs the Pango libraries).")
@click.option("--layout", "layout", type=click.Choice(["auto", "dot", "built-in"]), default="auto", show_default=True,
              help="Who draws the attack graphs: Graphviz dot where installed (auto), dot or fail, the built-in layout.")
@click.option("--baseline", "baseline", default=None, metavar="OLD/report.json",
              help="A previous report.json: add a 'changes' section (what changed, and which input caused it).")
@click.option("--tracking", "tracking", default=None, metavar="FILE",
              help="Decision tracking YAML: the committee's status per risk id (accepted, mitigated, ...).")
@click.option("--ignore-accepted", "ignore_accepted", is_flag=True,
              help="With --tracking: --fail-on lets through channels whose residual risk is accepted.")
def command(channels: tuple[str, ...], out_dir: str, examples: int | None, budget: float | None, seed: str,
            assume: tuple[str, ...], fail_on: str | None, models: Path | None, pdf: bool, baseline: str | None,
            tracking: str | None, ignore_accepted: bool, layout: str) -> None:
    """Assess every no-WAN channel and write the SSC report (HTML, Markdown, JSON, SARIF, JUnit, PDF)."""
    from nowan.reports.ci_outputs import IMPLEMENTATION, Policy, assess_cases, failed, to_junit, to_sarif
    from nowan.reports.pipeline import DEFAULT_EXAMPLES, StageTimes, above, above_levels, assess, levels
    from nowan.reports.render import render_html, render_json, render_markdown
    from nowan.reports.changes import diff, load_report
    from nowan.reports.tracking import accepted_channels
    from nowan.reports.tracking import apply as apply_tracking
    from nowan.reports.tracking import load_tracking
    from nowan.reports.writer import check_output_dir, write_all

    if fail_on is not None and fail_on not in levels():
        raise click.BadParameter(f"expected one of {', '.join(levels())}", param_hint="--fail-on")
    if budget is not None:
        if not math.isfinite(budget):
            raise click.BadParameter(f"expected a finite number of seconds, got {budget}", param_hint="--budget")
        if examples is not None:
            raise click.BadParameter("give --examples N, or the deprecated --budget, not both", param_hint="--budget")
        examples = round(budget * DEFAULT_EXAMPLES / BUDGET_ALIAS_S)
    if ignore_accepted and tracking is None:
        raise click.BadParameter("needs --tracking FILE (the accepted risks)", param_hint="--ignore-accepted")
    ids = split_ids(channels)
    old = load_report(baseline) if baseline is not None else None  # fail before the run, not after
    decisions = load_tracking(tracking) if tracking is not None else None
    check_output_dir(out_dir)  # before the run, not after it
    assumptions = Assumptions.from_cli(assume)
    seed_n = parse_int(seed, "--seed")
    times = StageTimes()
    with (StageBar() if is_interactive() else contextlib.nullcontext(None)) as progress:  # CI stays plain
        bundle, graphs = assess(channel_ids=ids or None, assumptions=assumptions, seed=seed_n,
                                examples=DEFAULT_EXAMPLES if examples is None else examples,
                                directory=Path(models) if models else None, progress=progress, times=times,
                                layout=layout)
    if decisions is not None:
        bundle["tracking"] = apply_tracking(bundle, decisions, tracking)
    if old is not None:
        bundle["changes"] = diff(old, bundle)
    gate = above_levels(fail_on) if fail_on is not None else ()
    accepted = accepted_channels(bundle) if ignore_accepted else frozenset()
    policy = Policy(risk_levels=frozenset(gate), accepted=accepted)
    cases = assess_cases(bundle, gate, accepted)
    files = {"index.html": render_html(bundle, graphs), "report.md": render_markdown(bundle),
             "report.json": render_json(bundle),
             "report.sarif": to_sarif(cases, version=bundle["tool"]["version"],
                                      models_root=Path(models) if models else None),
             "junit.xml": to_junit(cases, policy, name="nowan assess")}
    if pdf:
        from nowan.reports.paper import render_paper_html, render_pdf

        t0 = time.perf_counter()
        paper = render_pdf(render_paper_html(bundle, graphs))
        times.seconds["write paper"] = time.perf_counter() - t0
        files["report.pdf"] = paper.pdf
    written = write_all(out_dir, files)
    s = bundle["summary"]
    click.echo(f"{s['channels']} channels: {len(s['within'])} within appetite, {len(s['above'])} above "
               f"({', '.join(s['above']) or 'none'})")
    click.echo("stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in times.seconds.items()))
    click.echo(f"wrote {', '.join(printable(p) for p in written)}")
    if pdf:
        click.echo(f"report.pdf: {paper.pages} pages, front part {paper.front_pages}")
    failing = failed(cases, policy)
    for c in failing:
        if c.result is not None and c.result.kind == IMPLEMENTATION:
            click.echo(f"implementation invariant violated: {c.result.message}", err=True)
    if fail_on is not None:
        over = [c for c in above(bundle, fail_on) if c not in accepted]
        if accepted & set(above(bundle, fail_on)):
            click.echo(f"risk gate: accepted by the committee: {', '.join(sorted(accepted & set(above(bundle, fail_on))))}")
        if over:
            click.echo(f"risk gate: {', '.join(over)} above {fail_on}", err=True)
    if failing:
        sys.exit(1)


class StageBar:
    """The terminal display of ``nowan assess``: a bar per stage, the fuzz stage's filling as the
    harnesses finish (as ``nowan fuzz`` shows its campaign). Shown on a terminal only."""

    def __init__(self, console=None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description:12}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                            TimeElapsedColumn(), console=console or Console(stderr=True), transient=True)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> "StageBar":
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def __call__(self, stage: str, fraction: float) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=1.0)
        self.bar.update(self.tasks[stage], completed=fraction)
