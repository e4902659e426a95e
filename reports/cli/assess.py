"""``nowan assess``: the main job. Runs every stage that exists and writes the report to out/.

Stages are added as their packages land (risk, proofs, fuzz, rendering); until then this writes
the assumptions in force, so the README's first command always works.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from model.assumptions import Assumptions


@click.command()
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False))
@click.option("--assume", "assume", multiple=True, metavar="K=V", help="Override a modelling assumption.")
def command(out_dir: str, assume: tuple[str, ...]) -> None:
    """Assess every no-WAN channel and write the SSC report."""
    assumptions = Assumptions.from_cli(assume)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({"assumptions": assumptions.to_dict()}, indent=2) + "\n")
    click.echo(f"wrote {out / 'report.json'}")
