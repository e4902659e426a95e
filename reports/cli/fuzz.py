"""``nowan fuzz``: time-boxed attacker campaigns against the reference implementation.

Exit status: 0 when no implementation invariant fell (channel weaknesses are evidence, reported
but not failing unless ``--fail-on weakness``), 1 on a finding, 2 on a user mistake. Every finding
is saved as a minimal trace under ``--out`` that ``nowan fuzz --replay FILE`` reproduces.
A progress display appears on a terminal only, never in CI.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from nowan.attacks.campaign import Progress, ReportingDatabase, example_id, open_databases, run_campaign
from nowan.attacks.findings import IMPLEMENTATION, CampaignResult
from nowan.attacks.registry import ENVELOPE, channel_ids, harnesses
from nowan.model.assumptions import Assumptions
from nowan.model.channels.loader import channel_ids as model_channel_ids
from nowan.model.errors import AssumptionError, InputError, printable
from nowan.model.traces import Trace
from nowan.reports.ci_outputs import (NO_WORLD, Case, Policy, failed, fuzz_cases, harness_sources, not_fuzzed,
                                      to_junit, to_sarif)
from nowan.reports.cli.common import emit_json, is_interactive, models_option, parse_int, split_ids
from nowan.reports.writer import check_output_dir, write_all, write_file

_UNITS = {"s": 1, "m": 60, "h": 3600}


#: Where examples are kept when no --db names a directory (open_databases' default).
DEFAULT_DB = ".nowan/fuzz-db"

#: The longest campaign one invocation may run: a week (a nightly job runs 20 minutes).
MAX_BUDGET_S = 7 * 86400


def parse_budget(text: str) -> float:
    """``90``, ``90s``, ``20m`` or ``1h`` to seconds."""
    raw = text.strip().lower()
    unit = _UNITS.get(raw[-1:], None)
    number = raw[:-1] if unit else raw
    try:
        value = float(number) * (unit or 1)
    except ValueError:
        raise InputError(f"expected seconds, or a number with s, m or h, got {text!r}", where="--budget") from None
    if not 0 < value <= MAX_BUDGET_S:  # also refuses NaN and inf: a campaign must end
        raise InputError(f"expected a budget above 0 and at most {MAX_BUDGET_S // 86400} days, got {text!r}",
                         where="--budget")
    return value


def _envelope_target(seeds: str | None, keystore: str | None):
    if not seeds and not keystore:
        return None
    if not (seeds and keystore):
        raise InputError("give --seeds and --keystore together", where="--seeds" if not seeds else "--keystore")
    from nowan.attacks.envelope import EnvelopeTarget, load_seeds
    from nowan.model.gbcs.keystore import Keystore

    found = load_seeds(seeds)
    if not found:
        raise InputError("expected .HEX files holding GBCS frames", where=seeds)
    return EnvelopeTarget(found, Keystore.load(keystore))


def _replay(path: str, envelope) -> None:
    """Reproduce a saved trace (a fuzz finding or a proof counterexample); exit 1 if it still fails."""
    from nowan.attacks.replay import replay

    trace = Trace.load(path)
    result = _bounded_replay(lambda: replay(trace, envelope=envelope, source=path), path)
    if not result.reproduced:
        click.echo(printable(f"{path}: no invariant violated in {len(trace.steps)} steps (not reproduced)"
                   + (f": {result.detail}" if result.detail else "")))
        return
    i = result.step if result.step is not None else len(trace.steps) - 1
    click.echo(printable(f"{path}: reproduced {result.invariant}@{trace.channel} at step {i + 1}/{len(trace.steps)}: "
                         f"{result.detail}"))
    for n, step in enumerate(trace.steps[:i + 1], 1):
        click.echo(printable(f"  {n:3d}. {step.describe()}"))
    raise SystemExit(1)


#: The longest a replay may run. A real finding replays in well under a second; a trace whose
#: step arguments ask for 10**18 guesses would otherwise run for ever.
REPLAY_SECONDS = 120


def _bounded_replay(run, path: str):
    """Run a replay under a wall-clock bound: a trace from a pull request must not hang CI."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # signals only work there
        return run()

    def expire(signum, frame):
        raise InputError(f"replay ran longer than {REPLAY_SECONDS} s; a step argument is too large "
                         "for a trace (a real finding replays in under a second)", where=path)

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(REPLAY_SECONDS)
    try:
        return run()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _parent_ready(target: str | None, option: str) -> None:
    """Create an output file's directory before the campaign, so a bad path fails in a second, not after it."""
    if not target:
        return
    parent = Path(target).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the directory {str(parent)!r}: {exc.strerror}", where=option) from None
    if not os.access(parent, os.W_OK):
        raise InputError(f"the directory {str(parent)!r} is not writable", where=option)
    target_path = Path(target)
    if (target_path.exists() or target_path.is_symlink()) and not target_path.is_file():
        raise InputError("exists and is not a regular file (a device, FIFO or directory); expected a file path",
                         where=f"{option} {target}")


def _log_to(path: str):
    """A database reporter appending one line per event, on disk (fsync) before the line counts."""
    def report(event: str, key: bytes, value: bytes) -> None:
        with open(path, "a", encoding="ascii") as fh:
            fh.write(f"{event} {example_id(key)} {example_id(value)}\n")
            fh.flush()
            os.fsync(fh.fileno())

    return report


def _models(directory: Path | None):
    """The channel models of the registry (packaged, or ``--models``): their fuzz sections decide
    the worlds, the values and the steps a campaign runs."""
    from nowan.model.channels import load_channels

    return load_channels(None, directory)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``K/N`` (1 <= K <= N): this run takes every N-th fuzz target of the sorted list, from the K-th."""
    if text is None:
        return None
    k, sep, n = text.partition("/")
    if not (sep and k.isascii() and n.isascii() and k.isdigit() and n.isdigit() and len(k + n) <= 8
            and 1 <= int(k) <= int(n)):
        raise InputError(f"expected K/N with 1 <= K <= N, got {printable(text, 40)!r}", where="--shard")
    return int(k), int(n)


def targets(ids: list[str] | None, models: Path | None,
            shard: tuple[int, int] | None = None) -> tuple[list[str], list[str]]:
    """(targets to fuzz, channels of the model directory no fuzz world covers yet), both sorted.

    The targets are the model directory's channels (the registry: packaged or ``--models``) plus the
    GBCS envelope; an id that is neither is a one-line error listing them. A channel without a fuzz
    world is not silently dropped: it is returned so the caller can say it was not fuzzed.
    """
    known = [*model_channel_ids(models), ENVELOPE]
    wanted = sorted(set(ids)) if ids else sorted(known)
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise InputError(f"unknown channel {unknown[0]!r}; expected one of {', '.join(sorted(known))}",
                         where="--channels")
    if shard is not None:
        k, n = shard
        wanted = wanted[k - 1::n]
    worlds = set(channel_ids(_models(models)))
    return [i for i in wanted if i in worlds], [i for i in wanted if i not in worlds]


def _summary(result: CampaignResult) -> None:
    click.echo(f"{'channel':22} {'examples':>9} {'steps':>9} {'seconds':>8}  findings")
    for run in result.runs:
        kinds = ", ".join(f"{f.invariant} ({'BUG' if f.kind == IMPLEMENTATION else 'weakness'})"
                          for f in run.findings) or "-"
        click.echo(f"{run.channel:22} {run.examples:9d} {run.steps:9d} {run.seconds:8.1f}  {kinds}")


@click.command()
@click.option("--channels", "channels", multiple=True, metavar="ID,...",
              help=f"Channels of the model directory, or {ENVELOPE} (default: all of them).")
@models_option
@click.option("--shard", "shard_text", default=None, metavar="K/N",
              help="Run the K-th of N shares of the sorted targets (CI shards derive from the model directory).")
@click.option("--budget", default="60", show_default=True, help="Total time: seconds, or 90s / 20m / 1h.")
@click.option("--seed", "seed_text", default="0", show_default=True, help="Campaign seed (decimal or 0x hex).")
@click.option("--db", "db", multiple=True, metavar="PATH|URL",
              help="Example database: a directory (default .nowan/fuzz-db), none, redis://HOST:PORT/N, "
                   "or github://OWNER/REPO[/ARTIFACT] (read-only shared corpus). Repeat it to read from "
                   "and write to several.")
@click.option("--db-log", "db_log", type=click.Path(dir_okay=False),
              help="Append a line per example saved to or replayed from the database, written once the "
                   "database has it: 'saved|deleted|replayed KEY VALUE' (sha256 prefixes).")
@click.option("--sarif", "sarif", type=click.Path(dir_okay=False), help="Write SARIF 2.1.0 here.")
@click.option("--junit", "junit", type=click.Path(dir_okay=False), help="Write JUnit XML here.")
@click.option("--replay", "replay", type=click.Path(dir_okay=False), help="Replay a saved finding trace.")
@click.option("--seed-from", "seed_from", multiple=True, type=click.Path(dir_okay=False), metavar="TRACE.json",
              help="A proof counterexample (a refuted property's trace from nowan prove --json) to translate "
                   "into its channel's fuzz steps and keep in the example database: this campaign and every "
                   "later one on that database replay it first. Repeatable.")
@click.option("--out", "out_dir", default="out/fuzz", show_default=True, type=click.Path(file_okay=False),
              help="Directory for summary.json and finding traces.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON summary on stdout.")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
@click.option("--fail-on", "fail_on", type=click.Choice(["bug", "weakness"]), default="bug", show_default=True,
              help="Exit 1 on implementation bugs only, or on channel weaknesses too.")
@click.option("--seeds", "seeds", type=click.Path(file_okay=False), help="Envelope seeds: a directory of .HEX frames.")
@click.option("--keystore", "keystore", type=click.Path(file_okay=False), help="Keystore for --seeds.")
def command(channels: tuple[str, ...], models: Path | None, shard_text: str | None, budget: str, seed_text: str,
            db: tuple[str, ...], db_log: str | None, sarif: str | None,
            junit: str | None, replay: str | None, seed_from: tuple[str, ...], out_dir: str, as_json: bool,
            assume: tuple[str, ...], fail_on: str, seeds: str | None, keystore: str | None) -> None:
    """Fuzz the reference implementation with per-channel Dolev-Yao attackers."""
    envelope = _envelope_target(seeds, keystore)
    if replay:
        _replay(replay, envelope)
        return
    ids, skipped = targets(split_ids(channels) or None, models, parse_shard(shard_text))
    seconds = parse_budget(budget)
    seed = parse_int(seed_text, "--seed")
    assumptions = Assumptions.from_cli(assume)
    if assumptions.calibrations:
        raise AssumptionError("calibrations change risk scores, not the reference implementation the fuzzer "
                              "attacks; use them with nowan risk, prove, assess or robustness",
                              where=f"--assume {next(iter(assumptions.calibrations))}")
    if not ids:
        raise InputError("no selected channel has a fuzz world", where="--channels" if channels else "--shard")
    hs = harnesses(ids, envelope=envelope, channels=_models(models))
    for option, target in (("--sarif", sarif), ("--junit", junit), ("--db-log", db_log)):
        _parent_ready(target, option)
    check_output_dir(out_dir, "--out")  # before the campaign, not after it
    database = open_databases(db)  # the form of every --db, and a Redis server's answer, before the campaign
    for spec in db or [DEFAULT_DB]:  # a GitHub corpus is merged into the default directory
        local = DEFAULT_DB if spec.startswith("github://") else spec
        if "://" not in local and local.lower() != "none":
            check_output_dir(local, "--db", replaced=False)  # an unwritable database would silently lose every example
    for cid in skipped:
        click.echo(f"{cid}: not fuzzed: its model declares no attacker world (fuzz.world)", err=True)
    if db_log and database is not None:
        database = ReportingDatabase(database, _log_to(db_log))
    if seed_from:
        _seed(seed_from, database, models)
    ci = bool(os.environ.get("CI"))
    result = _run(hs, seconds, seed, assumptions, database, ci, show=is_interactive())
    out = Path(out_dir)
    summary = {**result.to_dict(), "not_fuzzed": skipped}
    files = {f"{f.channel}--{f.invariant}.json": f.trace.to_json() for f in result.findings}
    files["summary.json"] = json.dumps(summary, indent=2) + "\n"
    write_all(out, files)  # whole or not at all; traces of earlier campaigns in the folder are kept
    policy = Policy(weakness=fail_on == "weakness")
    cases = _cases(result, hs, models) + [not_fuzzed(cid, NO_WORLD, _channel_file(cid, models)) for cid in skipped]
    if sarif:
        write_file(sarif, to_sarif(cases, version=_version(), models_root=models, invocation={
            "seed": result.seed, "budget": result.budget, "examples": result.examples}), "--sarif")
    if junit:
        write_file(junit, to_junit(cases, policy, name="nowan fuzz", properties={"seed": result.seed}), "--junit")
    if as_json:
        emit_json(summary)
    else:
        _summary(result)
        for f in result.findings:
            label = "implementation invariant violated" if f.kind == IMPLEMENTATION else "channel weakness demonstrated"
            click.echo(f"{label}: {f.rule_id}: {f.message} -> {out / f'{f.channel}--{f.invariant}.json'}")
    if failed(cases, policy):
        raise SystemExit(1)


def _seed(paths: tuple[str, ...], database, models: Path | None) -> None:
    """Translate each proof counterexample into its channel's fuzz steps and keep it in the database.

    All are translated before any is saved, so a trace that cannot seed (a step no fuzz world has,
    a property no fuzz invariant checks) is one line naming it and the step, and nothing is kept.
    """
    from nowan.attacks.proof_seeds import kept, save_seed, seed_for

    if database is None:
        raise InputError("a seed is kept in the example database; give a --db other than none", where="--seed-from")
    chosen = [(path, seed_for(Trace.load(path), _models(models), path)) for path in paths]
    for path, seed in chosen:
        save_seed(database, seed)
        click.echo(printable(f"{path}: {kept(seed)}"), err=True)


def _cases(result: CampaignResult, hs, directory: Path | None = None) -> list[Case]:
    """One JUnit case (and SARIF result, if it fell) per invariant each harness checked."""
    by_channel = {h.channel: h for h in hs}
    cases: list[Case] = []
    for run in result.runs:
        h = by_channel[run.channel]
        invariants = list(dict.fromkeys([*h.checks, *(f.invariant for f in run.findings)]))
        sources = harness_sources(run.channel, invariants, getattr(h, "under_test", type(h)), directory)
        cases += fuzz_cases(run.channel, invariants, [f.to_dict() for f in run.findings], sources,
                            seconds=run.seconds)
    return cases


def _channel_file(cid: str, models: Path | None) -> str:
    """The model file of a channel (its label: the packaged path, or the --models path as given)."""
    from nowan.model.channels import load_channels

    return f"{load_channels([cid], models)[cid].file}:1"


def _run(hs, seconds, seed, assumptions, database, ci, *, show: bool) -> CampaignResult:
    if not show:
        return run_campaign(hs, budget=seconds, seed=seed, assumptions=assumptions, database=database, ci=ci)
    from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeRemainingColumn

    with Bar(TextColumn("{task.description:28}"), BarColumn(), TextColumn("{task.fields[examples]} examples"),
             TimeRemainingColumn(), transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(p: Progress) -> None:
            key = f"{p.channel} ({'bugs' if p.kind == IMPLEMENTATION else 'weakness'})"
            if key not in tasks:
                tasks[key] = bar.add_task(key, total=1.0, examples=0)
            bar.update(tasks[key], completed=p.fraction, examples=p.examples)

        return run_campaign(hs, budget=seconds, seed=seed, assumptions=assumptions, database=database, ci=ci,
                            progress=progress)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nowan")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"

