"""``nowan graph ID``: a channel's attack graph as DOT text, JSON or SVG (no Graphviz needed)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from nowan.model.channels import compile_graph, graph_to_data, load_channels
from nowan.model.ids import check_channel_id
from nowan.reports.cli.common import models_option
from nowan.reports.graph_render import to_dot, to_svg


@click.command()
@click.argument("channel_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["dot", "json", "svg"]), default="dot", show_default=True)
@models_option
def command(channel_id: str, fmt: str, models: Path | None) -> None:
    """Print a channel's attack graph (AND/OR, stable ids) as DOT, JSON or SVG."""
    g = compile_graph(load_channels([check_channel_id(channel_id, "ID")], models)[channel_id])
    if fmt == "json":
        click.echo(json.dumps(graph_to_data(g), indent=2))
    elif fmt == "svg":
        click.echo(to_svg(g), nl=False)
    else:
        click.echo(to_dot(g), nl=False)
