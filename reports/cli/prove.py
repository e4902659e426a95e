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
def command(channel_opts: tuple[str, ...], assume: tuple[str, ...], as_json: bool, models: Path | None,
            seed: int) -> None:
    """Prove (or refute, with a replayable trace) each channel's security properties with z3."""
    assumptions = Assumptions.from_cli(assume)
    channels = load_channels(split_ids(channel_opts) or None, models)
    check_overrides(assumptions, channels.values())
    results = run(channels, assumptions, conformance=replace(SMOKE, seed=seed))
    mark_reproduced(results)
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


def _conformance(c: dict) -> str:
    """One line: the family's verdict and checked steps, or why no conformance applies."""
    if "checked_steps" not in c:
        return f"{c.get('status')} ({c.get('reason', '')})"
    line = f"{c['family']} {c['status']} over {c['checked_steps']} steps (seed {c['seed']})"
    return line + (f": {c['first_divergence']}" if c.get("first_divergence") else "")
