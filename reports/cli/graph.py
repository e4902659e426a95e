"""``nowan graph ID``: a channel's attack graph as DOT text, JSON or SVG (Graphviz ``dot`` where
installed, the built-in layout otherwise or with ``--layout built-in``)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from nowan.model.channels import compile_graph, graph_to_data, load_channels
from nowan.model.ids import check_channel_id
from nowan.reports.cli.common import models_option
from nowan.reports.graph_render import to_dot
from nowan.reports.graphviz import LAYOUTS, choose, draw


@click.command()
@click.argument("channel_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["dot", "json", "svg"]), default="dot", show_default=True)
@click.option("--layout", "layout", type=click.Choice(LAYOUTS), default="auto", show_default=True,
              help="SVG drawn by Graphviz dot where installed (auto), dot or fail, or the built-in layout.")
@models_option
def command(channel_id: str, fmt: str, models: Path | None, layout: str) -> None:
    """Print a channel's attack graph (AND/OR, stable ids) as DOT, JSON or SVG."""
    g = compile_graph(load_channels([check_channel_id(channel_id, "ID")], models)[channel_id])
    if fmt == "json":
        click.echo(json.dumps(graph_to_data(g), indent=2))
    elif fmt == "svg":
        drawer = choose(layout)
        click.echo(draw(g, drawer), nl=False)
        for why in drawer.fallback.values():
            click.echo(f"drawn by the built-in layout: {why}", err=True)
    else:
        click.echo(to_dot(g), nl=False)
