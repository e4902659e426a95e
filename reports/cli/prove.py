"""``nowan prove``: each applicable property's id, status, seconds and trace, per channel.

Statuses come from :func:`proofs.run`: ``proved`` (an inductive invariant, or an optimum/bound that
holds), ``refuted`` (with a trace in the model's own terms, replayed on ``model.devices`` at run
time: ``reproduced``) or ``unknown`` (including a proof whose model does not conform to the code).
Each property carries its family's conformance evidence (status and checked steps of a bounded,
seeded run; ``--seed`` picks the run). ``--assume`` changes the parameters the encodings read (cache size, lockout, window).
"""
from __future__ import annotations

import json
from pathlib import Path
from dataclasses import replace

import click

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.inputs import check_overrides
from nowan.model.errors import InputError, printable
from nowan.proofs import run
from nowan.proofs.conformance import SMOKE
from nowan.reports.cli.common import emit_json, models_option, split_ids
from nowan.reports.proof_replay import mark_reproduced


@click.command()
@click.option("--channels", "channel_opts", multiple=True, metavar="ID,...", help="Channels (default: all).")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (design.md shape).")
@models_option
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Seed of the conformance runs (model against code).")
@click.option("--seed-db", "seed_db", default=None, metavar="PATH|URL",
              help="Keep each reproduced counterexample that translates into its channel's fuzz steps in this "
                   "fuzz example database (as nowan fuzz --db), so the next campaign replays it first; the "
                   "others are listed on stderr with the reason.")
def command(channel_opts: tuple[str, ...], assume: tuple[str, ...], as_json: bool, models: Path | None,
            seed: int, seed_db: str | None) -> None:
    """Prove (or refute, with a replayable trace) each channel's security properties with z3."""
    assumptions = Assumptions.from_cli(assume)
    channels = load_channels(split_ids(channel_opts) or None, models)
    check_overrides(assumptions, channels.values())
    database = _seed_database(seed_db)  # a bad --seed-db fails before the proofs, not after
    results = run(channels, assumptions, conformance=replace(SMOKE, seed=seed))
    mark_reproduced(results)
    if database is not None:
        _keep_seeds(results, database, load_channels(None, models))
    if as_json:
        emit_json({"properties": [r.to_dict() for r in results]})
        return
    width = max((len(r.id) for r in results), default=10)
    for r in results:
        click.echo(f"{r.id:<{width}}  {r.status:<8}  {r.seconds:7.3f} s  {r.detail}")
        if r.trace is not None:
            click.echo(f"{'':<{width}}  trace: {json.dumps(r.trace.get('steps', []), separators=(',', ':'))}")
        if r.status == "refuted":
            click.echo(f"{'':<{width}}  replayed on the devices: {'reproduced' if r.reproduced else 'NOT reproduced'}")
        click.echo(f"{'':<{width}}  conformance: {_conformance(r.conformance or {})}")
    counts = {s: sum(r.status == s for r in results) for s in ("proved", "refuted", "unknown")}
    click.echo(f"{len(results)} properties: " + ", ".join(f"{n} {s}" for s, n in counts.items()))


def _seed_database(spec: str | None):
    if spec is None:
        return None
    from nowan.attacks.campaign import open_database

    database = open_database(spec)
    if database is None:
        raise InputError("expected a directory or redis://... to keep the seeds in, not none", where="--seed-db")
    if "://" not in spec:
        from nowan.reports.writer import check_output_dir

        check_output_dir(spec, "--seed-db", replaced=False)  # an unwritable folder would lose every seed
    return database


def _keep_seeds(results, database, models) -> None:
    """Each refuted property's trace that reproduced, kept as a seed of its channel's fuzz campaign
    where it translates; one stderr line per refuted property either way."""
    from nowan.attacks.proof_seeds import kept, save_seed, seed_for
    from nowan.model.traces import Trace, TraceError

    for r in results:
        if r.status != "refuted" or r.trace is None:
            continue
        if not r.reproduced:
            click.echo(printable(f"{r.id}: not a seed: its trace did not reproduce on the devices"), err=True)
            continue
        try:
            seed = seed_for(Trace.from_dict(r.trace, r.id), models, r.id)
        except TraceError as exc:
            click.echo(printable(f"not a seed: {exc}"), err=True)
            continue
        save_seed(database, seed)
        click.echo(printable(f"{r.id}: {kept(seed)}"), err=True)


def _conformance(c: dict) -> str:
    """One line: the family's verdict and checked steps, or why no conformance applies."""
    if "checked_steps" not in c:
        return f"{c.get('status')} ({c.get('reason', '')})"
    line = f"{c['family']} {c['status']} over {c['checked_steps']} steps (seed {c['seed']})"
    return line + (f": {c['first_divergence']}" if c.get("first_divergence") else "")
