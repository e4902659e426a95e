"""The built-in attack-graph drawing: every label whole, no edge drawn through a box."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from nowan.model.channels import channel_ids, compile_graph, load_channels
from nowan.reports.graph_render import _label, to_svg

NS = "{http://www.w3.org/2000/svg}"


def _crosses(seg, rect) -> bool:
    """True if an axis-parallel segment passes through the inside of a rectangle."""
    (x1, y1), (x2, y2) = seg
    rx, ry, rw, rh = rect
    lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return lo_x < rx + rw and hi_x > rx and lo_y < ry + rh and hi_y > ry


def test_the_crossing_check_can_fail():
    assert _crosses(((50, 0), (50, 100)), (0, 40, 100, 20))       # straight through
    assert not _crosses(((50, 0), (50, 40)), (0, 40, 100, 20))    # ends on the top edge
    assert not _crosses(((110, 0), (110, 100)), (0, 40, 100, 20))  # passes beside


@pytest.mark.parametrize("cid", channel_ids())
def test_no_edge_through_a_box_and_no_label_cut(cid):
    g = compile_graph(load_channels([cid])[cid])
    root = ET.fromstring(to_svg(g))
    rects = {}
    for grp in root.iter(f"{NS}g"):
        r = grp.find(f"{NS}rect")
        rects[grp.get("id")] = tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
        shown = "".join("".join(t.text or "" for t in grp.findall(f"{NS}text")).split())
        assert shown == "".join(_label(g, grp.get("id")).split()), grp.get("id")
        for t in grp.findall(f"{NS}text"):
            assert float(t.get("y")) < rects[grp.get("id")][1] + rects[grp.get("id")][3], "text below its box"
    assert set(rects) == set(g.nodes)
    width = float(root.get("width"))
    for line in root.iter(f"{NS}polyline"):
        pts = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        for a, b in zip(pts, pts[1:]):
            assert a[0] == b[0] or a[1] == b[1], "segments are horizontal or vertical"
            assert 0 <= a[0] <= width
            for nid, rect in rects.items():
                assert not _crosses((a, b), rect), f"{cid}: edge segment {a}->{b} crosses {nid}"
    assert not list(root.iter(f"{NS}line"))
