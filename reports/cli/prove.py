"""``nowan prove``: each applicable property's id, status, seconds and trace, per channel.

Statuses come from :func:`proofs.run`: ``proved`` (an inductive invariant, or an optimum/bound that
holds), ``refuted`` (with a trace in the model's own terms that replays on ``model.devices``) or
``unknown``. ``--assume`` changes the parameters the encodings read (cache size, lockout, window).
"""
from __future__ import annotations

import json

import click

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.inputs import check_overrides
from nowan.proofs import run
from nowan.reports.cli.common import emit_json, split_ids


@click.command()
@click.option("--channels", "channel_opts", multiple=True, metavar="ID,...", help="Channels (default: all).")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (design.md shape).")
def command(channel_opts: tuple[str, ...], assume: tuple[str, ...], as_json: bool) -> None:
    """Prove (or refute, with a replayable trace) each channel's security properties with z3."""
    ids = split_ids(channel_opts) or None
    assumptions = Assumptions.from_cli(assume)
    check_overrides(assumptions, load_channels(ids).values())
    results = run(ids, assumptions)
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
