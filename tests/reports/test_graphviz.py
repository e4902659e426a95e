"""Attack graphs by Graphviz ``dot`` where installed, the built-in layout otherwise: escaped input,
bounded runs, pinned output, every label whole, no edge through a box, and the report says which."""
from __future__ import annotations

import re
import shutil
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from PIL import ImageFont

from nowan.model.channels import channel_ids, compile_graph, load_channels
from nowan.model.errors import InputError
from nowan.reports import graphviz
from nowan.reports.cli import cli
from nowan.reports.graph_render import _label, _lines, dot_string, to_dot
from nowan.reports.graphviz import DotFailed, Layout, choose, clean_svg, draw, dot_svg, run_dot

NS = "{http://www.w3.org/2000/svg}"
DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(not DOT, reason="Graphviz dot not installed (apt-get install graphviz)")
HOSTILE = 'ends in a backslash \\" ] ; x [label="pwn" \\N \\G &lt;b&gt; <script>alert(1)</script> \x1b[31m \\'


def _fake_dot(tmp_path: Path, body: str) -> str:
    exe = tmp_path / "dot"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def _hostile_graph() -> nx.DiGraph:
    g = nx.DiGraph(channel='x" -> y')
    g.add_node("step:a", kind="step", stable_id="a@x@meter", label=HOSTILE)
    g.add_node("goal:b", kind="goal", stable_id="goal:b", label="Credit & <more>")
    g.add_edge("step:a", "goal:b", relation="requires")
    return g


# ---- input escaping (no Graphviz needed) -------------------------------------------------------

def test_dot_strings_cannot_end_the_quoted_string():
    s = dot_string(HOSTILE)
    # every quote is escaped by an odd run of backslashes; the string never ends in a lone backslash
    for m in re.finditer(r'(\\*)"', s):
        assert len(m.group(1)) % 2 == 1, s
    assert len(re.search(r"(\\*)$", s).group(1)) % 2 == 0
    assert "\x1b" not in s and "&lt;" not in s.replace("&amp;lt;", "")


def test_each_dot_statement_is_one_line_with_balanced_quotes():
    text = to_dot(_hostile_graph(), wrap=True, id_prefix="c--")
    for line in text.splitlines():
        unescaped = re.findall(r'(?<!\\)(?:\\\\)*"', line)
        assert len(unescaped) % 2 == 0, line


# ---- choosing the renderer -------------------------------------------------------------------------

def test_without_dot_auto_is_the_built_in_layout_and_dot_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert choose("auto").renderer == "built-in"
    with pytest.raises(InputError, match="--layout dot: Graphviz 'dot' is not installed"):
        choose("dot")
    r = CliRunner().invoke(cli, ["graph", "utrn-keypad", "--format", "svg", "--layout", "dot"])
    assert r.exit_code == 2 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_built_in_is_used_when_asked_even_with_dot_installed():
    layout = choose("built-in")
    assert layout.renderer == "built-in" and layout.to_dict() == {"renderer": "built-in", "version": None,
                                                                 "fallback": []}


# ---- bounds: a dot that hangs, floods or fails falls back to the built-in layout -------------------

def test_a_dot_that_hangs_is_stopped_by_the_timeout(tmp_path):
    with pytest.raises(DotFailed, match="longer than"):
        run_dot(_fake_dot(tmp_path, "sleep 30"), "digraph{}", timeout=0.5)


def test_a_dot_that_floods_is_stopped_by_the_output_cap(tmp_path):
    with pytest.raises(DotFailed):
        run_dot(_fake_dot(tmp_path, 'head -c 9000000 /dev/zero; echo "</svg>"'), "digraph{}")
    assert graphviz.MAX_OUTPUT < 9000000


def test_a_failing_dot_falls_back_and_the_fallback_is_recorded(tmp_path):
    layout = Layout("graphviz-dot", _fake_dot(tmp_path, "echo 'Error: syntax error in line 1' >&2; exit 1"), "9.9")
    g = compile_graph(load_channels(["utrn-keypad"])["utrn-keypad"])
    svg = draw(g, layout, "utrn-keypad--")
    assert svg.startswith("<svg") and "utrn-keypad--arrow" in svg  # the built-in drawing
    assert layout.to_dict()["fallback"] == [{"channel": "utrn-keypad",
                                             "reason": "dot exited with status 1: Error: syntax error in line 1"}]


def test_output_that_is_not_svg_is_refused():
    with pytest.raises(DotFailed):
        clean_svg("<html>not a drawing</html>")


# ---- the Graphviz drawing (skipped without Graphviz) ----------------------------------------------

def _box(elem) -> tuple[float, float, float, float]:
    shape = elem.find(f"{NS}path") if elem.find(f"{NS}path") is not None else elem.find(f"{NS}polygon")
    nums = [float(v) for v in re.findall(r"-?[0-9.]+", shape.get("d") or shape.get("points"))]
    xs, ys = nums[0::2], nums[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _bezier_points(d: str, steps: int = 20) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?[0-9.]+", d)]
    pts = list(zip(nums[0::2], nums[1::2]))
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(1, steps + 1):
            t = k / steps
            out.append(tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c + t ** 3 * e
                             for a, b, c, e in zip(p0, p1, p2, p3)))
    return out


def _font() -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", 10)
    except OSError:
        return None


@needs_dot
@pytest.mark.parametrize("cid", channel_ids())
def test_graphviz_drawing_has_every_label_whole_and_no_edge_through_a_box(cid):
    g = compile_graph(load_channels([cid])[cid])
    root = ET.fromstring(dot_svg(g, DOT, f"{cid}--"))
    font = _font()
    boxes = {}
    for grp in root.iter(f"{NS}g"):
        if grp.get("class") != "node":
            continue
        n = grp.get("id")[len(cid) + 2:]
        x0, y0, x1, y1 = boxes[n] = _box(grp)
        texts = grp.findall(f"{NS}text")
        assert "".join("".join(t.text or "" for t in texts).split()) == "".join(_label(g, n).split()), n
        for t in texts:
            assert y0 < float(t.get("y")) < y1, f"{n}: a label line outside its box"
            if font is not None:  # the box is as wide as the line in the font the paper uses
                half = font.getlength(t.text or "") / 2
                assert x0 - 1 <= float(t.get("x")) - half and float(t.get("x")) + half <= x1 + 1, f"{n}: label cut"
    assert set(boxes) == set(g.nodes)
    for grp in root.iter(f"{NS}g"):
        if grp.get("class") != "edge":
            continue
        for x, y in _bezier_points(grp.find(f"{NS}path").get("d")):
            for n, (x0, y0, x1, y1) in boxes.items():
                inside = x0 + 2 < x < x1 - 2 and y0 + 2 < y < y1 - 2
                assert not inside, f"{cid}: edge {grp.find(f'{NS}title').text} passes through {n}"


@needs_dot
def test_the_through_a_box_check_can_fail():
    assert any(100 < x < 200 and 100 < y < 200 for x, y in _bezier_points("M0,150C50,150 250,150 300,150"))


@needs_dot
def test_graphviz_output_is_pinned_and_fits_the_page():
    g = compile_graph(load_channels(["wifi-ppmid-relay"])["wifi-ppmid-relay"])
    a, b = dot_svg(g, DOT, "p--"), dot_svg(g, DOT, "p--")
    assert a == b and a.startswith("<svg") and "<!--" not in a and "graphviz version" not in a.lower()
    assert "http://" not in a.replace("http://www.w3.org/2000/svg", "")  # no other namespace or link
    ids = [e.get("id") for e in ET.fromstring(a).iter() if e.get("id")]
    assert ids and all(i.startswith("p--") for i in ids) and len(ids) == len(set(ids))
    # of the two orientations, the one printed larger is kept
    scales = [graphviz._fit(clean_svg(run_dot(DOT, to_dot(g, rankdir=r, wrap=True, id_prefix="p--",
                                                              font=graphviz.FONT)))) for r in ("TB", "LR")]
    assert graphviz._fit(a) == max(scales)


@needs_dot
def test_hostile_labels_reach_the_drawing_as_text():
    root = ET.fromstring(dot_svg(_hostile_graph(), DOT, "h--"))
    shown = ["".join(t.text or "" for t in grp.findall(f"{NS}text")) for grp in root.iter(f"{NS}g")
             if grp.get("class") == "node"]
    from nowan.model.errors import printable

    want = "".join(printable(f"a@x@meter\n{HOSTILE}", keep_lines=True).split())
    assert "".join(shown[0].split()) == want or "".join(shown[1].split()) == want
    assert not list(root.iter(f"{NS}script"))


@needs_dot
def test_nowan_graph_svg_uses_dot_and_says_nothing_when_it_draws():
    r = CliRunner().invoke(cli, ["graph", "usb", "--format", "svg"])
    assert r.exit_code == 0 and r.output.startswith("<svg") and 'class="node"' in r.output


def test_the_wrapped_dot_label_matches_the_built_in_wrapping():
    g = compile_graph(load_channels(["usb"])["usb"])
    n = next(n for n in g.nodes if g.nodes[n].get("kind") == "step")
    text = to_dot(g, wrap=True, id_prefix="u--")
    assert "\\n".join(dot_string(t) for t in _lines(g, n)[1]) in text
