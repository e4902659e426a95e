"""``nowan assess``: the main job. Assess every channel and write the SSC report into ``out/``."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import click

from nowan.model.assumptions import Assumptions
from nowan.model.errors import printable
from nowan.reports.cli.common import is_interactive, parse_int, split_ids


@click.command()
@click.option("--channels", "channels", multiple=True, metavar="ID,...", help="Channels to assess (default: all).")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False))
@click.option("--budget", default=None, type=click.FloatRange(min=0), metavar="SECONDS",
              help="Fuzz budget; it buys a fixed number of examples so the report is reproducible.")
@click.option("--seed", default="0", show_default=True, metavar="N", help="Decimal or 0x hex.")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
@click.option("--fail-on", "fail_on", default=None, metavar="LEVEL",
              help="Exit 1 if any channel's residual risk is above LEVEL (a CI risk gate).")
@click.option("--models", "models", default=None, type=click.Path(file_okay=False, exists=True),
              help="Directory of channel model files (default: the packaged models).")
def command(channels: tuple[str, ...], out_dir: str, budget: float | None, seed: str, assume: tuple[str, ...],
            fail_on: str | None, models: str | None) -> None:
    """Assess every no-WAN channel and write the SSC report (HTML, Markdown, JSON, SARIF, JUnit)."""
    from nowan.reports.ci_outputs import IMPLEMENTATION, Policy, assess_cases, failed, to_junit, to_sarif
    from nowan.reports.pipeline import DEFAULT_BUDGET_S, StageTimes, above, above_levels, assess, levels
    from nowan.reports.render import render_html, render_json, render_markdown
    from nowan.reports.writer import check_output_dir, write_all

    if fail_on is not None and fail_on not in levels():
        raise click.BadParameter(f"expected one of {', '.join(levels())}", param_hint="--fail-on")
    if budget is not None and not math.isfinite(budget):
        raise click.BadParameter(f"expected a finite number of seconds, got {budget}", param_hint="--budget")
    ids = split_ids(channels)
    check_output_dir(out_dir)  # before the run, not after it
    assumptions = Assumptions.from_cli(assume)
    seed_n = parse_int(seed, "--seed")
    times = StageTimes()
    progress = _progress() if is_interactive() else None  # CI output stays plain
    bundle, graphs = assess(channel_ids=ids or None, assumptions=assumptions, seed=seed_n,
                            budget=DEFAULT_BUDGET_S if budget is None else budget,
                            directory=Path(models) if models else None, progress=progress, times=times)
    gate = above_levels(fail_on) if fail_on is not None else ()
    policy = Policy(risk_levels=frozenset(gate))
    cases = assess_cases(bundle, gate)
    files = {"index.html": render_html(bundle, graphs), "report.md": render_markdown(bundle),
             "report.json": render_json(bundle),
             "report.sarif": to_sarif(cases, version=bundle["tool"]["version"],
                                      models_root=Path(models) if models else None),
             "junit.xml": to_junit(cases, policy, name="nowan assess")}
    written = write_all(out_dir, files)
    s = bundle["summary"]
    click.echo(f"{s['channels']} channels: {len(s['within'])} within appetite, {len(s['above'])} above "
               f"({', '.join(s['above']) or 'none'})")
    click.echo("stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in times.seconds.items()))
    click.echo(f"wrote {', '.join(printable(p) for p in written)}")
    failing = failed(cases, policy)
    for c in failing:
        if c.result is not None and c.result.kind == IMPLEMENTATION:
            click.echo(f"implementation invariant violated: {c.result.message}", err=True)
    if fail_on is not None:
        over = above(bundle, fail_on)
        if over:
            click.echo(f"risk gate: {', '.join(over)} above {fail_on}", err=True)
    if failing:
        sys.exit(1)


def _progress():
    """A rich status line per stage on a terminal."""
    from rich.console import Console

    console = Console(stderr=True)

    def show(stage: str, fraction: float) -> None:
        console.print(f"[bold]{'...' if fraction == 0 else 'done'}[/bold] {stage}")

    return show
