"""``nowan risk``: inherent and residual risk per channel, verdict, and the command x channel matrix.

What-ifs need no file edits: ``--control +ID`` / ``--control -ID`` add or remove a control (in
every channel that has it), ``--assume K=V`` overrides an assumption.
"""
from __future__ import annotations

import click

from nowan.model.assumptions import Assumptions
from pathlib import Path

from nowan.model.channels import ineffective_assumptions, load_channels, score
from nowan.model.channels.catalogues import commands as mp094_commands
from nowan.model.channels.catalogues import scales
from nowan.model.channels.inputs import check_overrides
from nowan.model.errors import ModelError
from nowan.reports.cli.common import emit_json, models_option, split_ids


def _check_controls(channels: dict, delta: list[str]) -> None:
    known = {c.id for ch in channels.values() for c in ch.controls}
    for item in delta:
        if item[:1] not in ("+", "-") or not item[1:]:
            raise ModelError("expected +ID or -ID", where=f"--control {item}")
        if item[1:] not in known:
            raise ModelError(f"no selected channel has this control; expected one of {', '.join(sorted(known))}",
                             where=f"--control {item}")


@click.command()
@click.option("--channels", "channel_opts", multiple=True, metavar="ID,...", help="Channels (default: all).")
@click.option("--control", "controls", multiple=True, metavar="+ID|-ID", help="Add or remove a control.")
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
@click.option("--json", "as_json", is_flag=True,
              help="Machine-readable output (shape in docs/methodology.md section 10).")
@models_option
def command(channel_opts: tuple[str, ...], controls: tuple[str, ...], assume: tuple[str, ...], as_json: bool,
            models: Path | None) -> None:
    """Score channels against the SSC's risk appetite; what-ifs with --control and --assume."""
    assumptions = Assumptions.from_cli(assume)
    channels = load_channels(split_ids(channel_opts) or None, models)
    check_overrides(assumptions, channels.values())
    delta = list(controls)
    _check_controls(channels, delta)
    results = [score(ch, assumptions, delta) for ch in channels.values()]
    for key, hint in ineffective_assumptions(channels.values(), assumptions, delta).items():
        click.echo(f"note: --assume {key}={assumptions.overridden[key]} has no effect on the selected channels ({hint})", err=True)
    if as_json:
        emit_json({"appetite": scales().appetite, "assumptions": assumptions.to_dict(),
                   "controls_delta": delta, "channels": [r.to_dict() for r in results]})
        return
    _print_table(results, assumptions)


def _print_table(results: list, assumptions: Assumptions) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160, highlight=False, color_system=None if not _tty() else "auto")
    t = Table(title=f"Risk against appetite '{scales().appetite}'")
    for col in ("channel", "inherent", "residual", "verdict", "driven by", "commands within appetite"):
        t.add_column(col)
    for r in results:
        res = r.residual
        t.add_row(r.channel.id, f"{r.inherent.level} (L{r.inherent.likelihood} I{r.inherent.impact})",
                  f"{res.level} (L{res.likelihood} I{res.impact})", r.verdict,
                  f"{res.goal or '-'} / {res.attacker or '-'} / {res.scale or '-'}",
                  ", ".join(r.commands_within_appetite) or "-")
    console.print(t)
    m = Table(title="Command x channel (residual level of the harms each command enables; '-' not carried)")
    m.add_column("command")
    for r in results:
        m.add_column(r.channel.id)
    for cmd in mp094_commands():
        m.add_row(cmd, *[("-" if r.commands[cmd] == "not-carried" else r.commands[cmd]) for r in results])
    m.add_row("(route itself)", *[r.route for r in results])
    console.print(m)
    if assumptions.overridden:
        console.print("assumptions overridden: " + ", ".join(f"{k}={v}" for k, v in assumptions.overridden.items()))


def _tty() -> bool:
    from nowan.reports.cli.common import is_interactive

    return is_interactive()
