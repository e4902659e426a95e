"""``nowan prove``: each applicable property's id, status, seconds and trace, per channel.

Statuses come from :func:`proofs.run`: ``proved`` (an inductive invariant, or an optimum/bound that
holds), ``refuted`` (with a trace in the model's own terms that replays on ``model.devices``) or
``unknown``. ``--assume`` changes the parameters the encodings read (cache size, lockout, window).
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.inputs import check_overrides
from nowan.proofs import run
from nowan.reports.cli.common import emit_json, models_option, split_ids


@click.command()
@click.option("--channels", "channel_opts", multiple=True, metavar="ID,...", help="Channels (default: all).")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (design.md shape).")
@models_option
def command(channel_opts: tuple[str, ...], assume: tuple[str, ...], as_json: bool, models: Path | None) -> None:
    """Prove (or refute, with a replayable trace) each channel's security properties with z3."""
    assumptions = Assumptions.from_cli(assume)
    channels = load_channels(split_ids(channel_opts) or None, models)
    check_overrides(assumptions, channels.values())
    results = run(channels, assumptions)
    if as_json:
        emit_json({"properties": [r.to_dict() for r in results]})
        return
    width = max((len(r.id) for r in results), default=10)
    for r in results:
        click.echo(f"{r.id:<{width}}  {r.status:<8}  {r.seconds:7.3f} s  {r.detail}")
        if r.trace is not None:
            click.echo(f"{'':<{width}}  trace: {json.dumps(r.trace.get('steps', []), separators=(',', ':'))}")
    counts = {s: sum(r.status == s for r in results) for s in ("proved", "refuted", "unknown")}
    click.echo(f"{len(results)} properties: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
