"""``nowan graph``: DOT text, JSON plain data, deterministic SVG without Graphviz."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from nowan.reports.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_dot():
    r = run("graph", "utrn-keypad", "--format", "dot")
    assert r.exit_code == 0
    assert r.output.startswith('digraph "utrn-keypad" {')
    assert '"step:replay-used-utrn" -> "goal:free-credit";' in r.output
    assert 'label="blocks"' in r.output


def test_json_round_trips_to_the_model_graph():
    from nowan.model.channels import compile_graph, graph_to_data, load_channels

    r = run("graph", "pairing-no-timeout", "--format", "json")
    data = json.loads(r.output)
    assert data == graph_to_data(compile_graph(load_channels(["pairing-no-timeout"])["pairing-no-timeout"]))


def test_svg_is_valid_and_deterministic():
    a = run("graph", "wifi-ppmid-relay", "--format", "svg").output
    b = run("graph", "wifi-ppmid-relay", "--format", "svg").output
    assert a == b
    root = ET.fromstring(a)
    assert root.tag.endswith("svg")
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert "goal:non-disconnect-withheld" in ids and "control:gbcs-e2e" in ids


def test_unknown_channel_is_one_line_exit_2():
    r = CliRunner().invoke(cli, ["graph", "nope"])
    assert r.exit_code == 2
    assert "unknown channel" in r.output and "Traceback" not in r.output
