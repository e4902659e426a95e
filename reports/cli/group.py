"""The ``nowan`` click group: every sub-command, its help and its error handling.

Each sub-command lives in its own module under ``reports/cli/`` and exposes a click command or
group named ``command``. A module is imported only when its sub-command runs (or ``--help`` lists
them all), so ``nowan --version``, ``nowan utrn decode`` and ``nowan gbcs verify`` never pay for
z3, networkx or Hypothesis (tests/reports/test_cli_startup.py checks it). A user mistake raises
:class:`model.errors.NowanError`; it is printed as one line on stderr with a non-zero exit, never
as a traceback.
"""
from __future__ import annotations

import importlib
import sys

import click

from nowan.model.errors import NowanError, printable

# Sub-command modules, in help order. A module that is not there yet is skipped.
_SUBCOMMANDS = ("assess", "utrn", "gbcs", "graph", "risk", "robustness", "prove", "fuzz", "diff")


class _Group(click.Group):
    """Sub-commands imported on first use; every error a user can cause ends as one line on stderr
    with a non-zero status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _SUBCOMMANDS:
            return None
        try:
            mod = importlib.import_module(f"nowan.reports.cli.{name}")
        except ModuleNotFoundError as exc:  # a sub-command module that is not there yet
            if exc.name != f"nowan.reports.cli.{name}":
                raise
            return None
        return mod.command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        for arg in args or ():  # argv cannot hold NUL; a caller's list can, and paths would raise on it
            if "\x00" in arg:
                click.echo(f"nowan: error: {printable(arg, 80)!r}: an argument may not hold a NUL character", err=True)
                sys.exit(2)
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("nowan: aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            where = f"{ctx.command_path}: " if ctx is not None else ""
            message = " ".join(exc.format_message().split())
            click.echo(f"nowan: error: {where}{message} (see --help)", err=True)
            sys.exit(exc.exit_code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context):  # noqa: D401 - click hook
        try:
            return super().invoke(ctx)
        except NowanError as exc:
            click.echo(f"nowan: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nowan")
def cli() -> None:
    """Risk assessment and protocol verification for GB smart-metering prepayment without a WAN."""


def main() -> None:
    """Run the group on ``sys.argv`` (the entry point, ``nowan.reports.cli.main``, comes here for
    everything but the plain forms of ``gbcs verify``)."""
    cli(prog_name="nowan")
