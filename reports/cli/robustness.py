"""``nowan robustness``: how sure each verdict is, and what would change it.

One input at a time (every flip in its declared range, and where), all at once (seeded Monte Carlo:
P(above appetite) with its interval) and the inputs that drive it (Morris). ``--assume`` pins an
input (it is not swept); ``--workers`` runs samples on local processes, ``--scheduler`` on a Dask
cluster; the same seed gives the same output either way.
"""
from __future__ import annotations

from pathlib import Path

import click

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.inputs import check_overrides, inputs
from nowan.model.ranges import json_value
from nowan.reports.cli.common import emit_json, parse_int, split_ids


#: Most samples, trajectories and local workers one run may ask for: a million samples of every
#: channel take about an hour, and each worker is a process (a typo must not fork 100,000).
MAX_SAMPLES, MAX_TRAJECTORIES, MAX_WORKERS = 1_000_000, 10_000, 64


def _count(text: str, option: str, minimum: int, maximum: int) -> int:
    return parse_int(text, option, minimum=minimum, maximum=maximum)


@click.command()
@click.option("--channels", "channel_opts", multiple=True, metavar="ID,...", help="Channels (default: all).")
@click.option("--models", default=None, type=click.Path(file_okay=False, exists=True),
              help="Directory of channel model files (default: the packaged models).")
@click.option("--samples", default=None, metavar="N", help="Monte Carlo samples over all ranges (default 2000).")
@click.option("--trajectories", default=None, metavar="N", help="Morris trajectories per channel (default 10).")
@click.option("--seed", default="0", show_default=True, metavar="N", help="Decimal or 0x hex.")
@click.option("--workers", default="1", show_default=True, metavar="N", help="Local worker processes.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run the samples on a Dask distributed scheduler (tcp://host:port); needs nowan[dask].")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Pin an input (it is not swept).")
@click.option("--list", "list_inputs", is_flag=True, help="List every input id with its range and source.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (docs/methodology.md section 12).")
def command(channel_opts: tuple[str, ...], models: str | None, samples: str | None, trajectories: str | None,
            seed: str, workers: str, scheduler: str | None, assume: tuple[str, ...], list_inputs: bool,
            as_json: bool) -> None:
    """How robust each channel's verdict is to every input's plausible range."""
    from nowan.model.robustness import SAMPLES, TRAJECTORIES, Subject, analyse, make
    assumptions = Assumptions.from_cli(assume)
    channels = load_channels(split_ids(channel_opts) or None, Path(models) if models else None)
    check_overrides(assumptions, channels.values())
    if list_inputs:
        _list(channels, as_json)
        return
    n = SAMPLES if samples is None else _count(samples, "--samples", 0, MAX_SAMPLES)
    r = TRAJECTORIES if trajectories is None else _count(trajectories, "--trajectories", 0, MAX_TRAJECTORIES)
    seed_n = parse_int(seed, "--seed")
    base = tuple((k, v) for k, v in _raw_pairs(assume))
    subject = Subject(tuple(channels), str(Path(models).resolve()) if models else None, base)
    with make(_count(workers, "--workers", 1, MAX_WORKERS), scheduler) as ex:
        result = analyse(subject, samples=n, seed=seed_n, trajectories=r, executor=ex)
    if as_json:
        emit_json(result)
        return
    _print(result)


def _raw_pairs(pairs: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(p.split("=", 1)[0].strip(), p.split("=", 1)[1]) for p in pairs]


def _list(channels: dict, as_json: bool) -> None:
    table = inputs(channels.values())
    if as_json:
        emit_json([{"input": i.id, "kind": i.kind, "type": i.type, "value": json_value(i.default), "range": i.range.to_dict(),
                    "title": i.title} for i in table.values()])
        return
    for i in table.values():
        click.echo(f"{i.id}  = {json_value(i.default)}  range {i.range.text()}  ({i.range.source}; {i.range.where})")


def _print(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from nowan.reports.cli.common import is_interactive

    console = Console(width=160, highlight=False, color_system="auto" if is_interactive() else None)
    t = Table(title=f"Robustness against appetite '{result['appetite']}' ({result['samples']} samples, "
                    f"seed {result['seed']}, {result['swept']} inputs swept)")
    for col in ("channel", "verdict", "confidence", "P(above) [95% CI]", "drivers"):
        t.add_column(col)
    for c in result["channels"]:
        p = "-" if c["p_above"] is None else f"{c['p_above']:.3f} [{c['ci'][0]:.3f}, {c['ci'][1]:.3f}]"
        drivers = ", ".join(f"{d['input']} ({d['index']:g})" for d in c["drivers"][:3]) or "-"
        t.add_row(c["id"], f"{c['verdict']} ({c['level']})", c["confidence"], p, drivers)
    console.print(t)
    for c in result["channels"]:
        if c["flips"]:
            console.print(f"{c['id']}: {len(c['flips'])} single-input flips")
            for f in c["flips"]:
                console.print(f"  {f['verdict']} ({f['level']}) if {f['condition']} (now {f['now']}; range {f['range']})")
