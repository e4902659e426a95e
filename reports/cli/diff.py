"""``nowan diff OLD NEW``: what changed between two assessments, by stable id, with its cause."""
from __future__ import annotations

import click

from nowan.reports.cli.common import emit_json


@click.command()
@click.argument("old", metavar="OLD/report.json")
@click.argument("new", metavar="NEW/report.json")
@click.option("--json", "as_json", is_flag=True, help="The changes as JSON (the report's 'changes' section).")
def command(old: str, new: str, as_json: bool) -> None:
    """List the verdicts, levels, controls, assumptions, proofs, fuzz findings and decisions that
    changed from OLD to NEW, each with the input that caused it."""
    from nowan.reports.changes import describe, diff, load_report

    d = diff(load_report(old), load_report(new))
    if as_json:
        emit_json(d)
        return
    for line in describe(d):
        click.echo(line)
