"""The ``nowan`` command line.

Each sub-command lives in its own module under ``reports/cli/`` and exposes a click command or
group named ``command``. A user mistake raises :class:`model.errors.NowanError`; it is printed as
one line on stderr with a non-zero exit, never as a traceback.
"""
from __future__ import annotations

import importlib
import sys

import click

from model.errors import NowanError

# Sub-command modules, in help order. A module that is not there yet is skipped.
_SUBCOMMANDS = ("assess", "utrn", "gbcs", "graph", "risk", "prove", "fuzz")


class _Group(click.Group):
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


for _name in _SUBCOMMANDS:
    try:
        _mod = importlib.import_module(f"reports.cli.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"reports.cli.{_name}":
            raise
        continue
    cli.add_command(_mod.command, name=_name)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="nowan")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
