"""Attack-graph drawings as DOT text and self-contained SVG (no Graphviz needed), used by
``nowan graph`` and by the report.

The SVG is laid out here, deterministically: nodes in layers by topological generation (entry
points and controls on top, goals at the bottom), ordered by id within a layer. Labels wrap inside
their boxes (never cut) and edges are orthogonal polylines that run only between layers and
through the gaps between boxes, so none is drawn through a box (the printed paper scales the
drawing to the page width).
"""
from __future__ import annotations

import textwrap
from html import escape as _html_escape

import networkx as nx

from nowan.model.errors import printable

_FILL = {"entry": "#dbeafe", "step": "#fef3c7", "gate": "#e5e7eb", "goal": "#fecaca", "control": "#dcfce7"}
_SHAPE = {"entry": "box", "step": "box", "gate": "diamond", "goal": "doubleoctagon", "control": "note"}


def escape(text: object) -> str:
    """Quote model text in SVG: markup escaped, control characters (invalid in XML) shown as escapes."""
    return _html_escape(printable(text, keep_lines=True))


def _label(g: nx.DiGraph, n: str) -> str:
    a = g.nodes[n]
    if a.get("kind") == "gate":
        return a.get("label", n)
    return f"{a.get('stable_id') or n}\n{a.get('label', '')}"


def to_dot(g: nx.DiGraph) -> str:
    """Graphviz DOT text, stable ordering."""
    lines = [f'digraph "{g.graph.get("channel")}" {{', "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];']
    for n in sorted(g.nodes):
        k = g.nodes[n].get("kind", "step")
        label = printable(_label(g, n), keep_lines=True).replace('"', '\\"').replace("\n", "\\n")
        lines.append(f'  "{n}" [label="{label}", shape={_SHAPE.get(k, "box")}, style=filled, fillcolor="{_FILL.get(k, "#fff")}"];')
    for u, v in sorted(g.edges):
        rel = g.edges[u, v].get("relation", "")
        style = {"blocks": ' [style=dashed, color="#16a34a", label="blocks"]',
                 "hardens": ' [style=dotted, color="#16a34a", label="hardens"]'}.get(rel, "")
        lines.append(f'  "{u}" -> "{v}"{style};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layers(g: nx.DiGraph) -> list[list[str]]:
    flow = nx.DiGraph()
    flow.add_nodes_from(g.nodes)
    flow.add_edges_from((u, v) for u, v, r in g.edges(data="relation") if r in ("requires", "entry"))
    layers = [sorted(gen) for gen in nx.topological_generations(flow)]
    controls = sorted(n for n in g.nodes if g.nodes[n].get("kind") == "control")
    layers = [[n for n in layer if n not in controls] for layer in layers]
    return [controls] + [layer for layer in layers if layer] if controls else [layer for layer in layers if layer]


_CHARS = 34  # characters per label line at font-size 10 in a 220-px box


def _lines(g: nx.DiGraph, n: str) -> tuple[list[str], list[str]]:
    """The node's label wrapped to the box width: every character shown, none cut."""
    first, _, second = _label(g, n).partition("\n")
    wrap = lambda s: textwrap.wrap(s, _CHARS, break_long_words=True, break_on_hyphens=False) or [""]  # noqa: E731
    return wrap(first), (wrap(second) if second else [])


def _route(x1: float, y1: float, x2: float, y2: float, la: int, lb: int, bands: list[tuple[float, float]],
           gaps: list[list[float]], right: float) -> list[tuple[float, float]]:
    """A polyline from the bottom of a box in layer ``la`` to the top of one in ``lb`` that crosses
    no box: it runs horizontally only in the free space between layers and vertically only in the
    gaps between boxes (or along the right-hand margin)."""
    pts = [(x1, y1)]
    if lb <= la:  # not expected (edges run downwards), but never through a box: go round on the right
        below = bands[la][1] + (bands[la + 1][0] - bands[la][1]) / 2 if la + 1 < len(bands) else bands[la][1] + 10
        above = bands[lb][0] - (bands[lb][0] - (bands[lb - 1][1] if lb else 0)) / 2
        return pts + [(x1, below), (right, below), (right, above), (x2, above), (x2, y2)]
    x = x1
    for k in range(la + 1, lb):
        y_in = bands[k - 1][1] + (bands[k][0] - bands[k - 1][1]) / 2
        gx = min(gaps[k], key=lambda c: (abs(c - x) + abs(c - x2), c))
        pts += [(x, y_in), (gx, y_in)]
        x = gx
        y_out = bands[k][1] + (bands[k + 1][0] - bands[k][1]) / 2
        pts.append((x, y_out))
    if x != x2:
        y_last = bands[lb - 1][1] + (bands[lb][0] - bands[lb - 1][1]) / 2
        if len(pts) == 1:
            pts.append((x1, y_last))
        pts.append((x2, y_last))
    pts.append((x2, y2))
    return pts


def to_svg(g: nx.DiGraph, id_prefix: str = "") -> str:
    """A self-contained SVG: layered layout, boxes coloured by node kind and tall enough for their
    whole label, edges as orthogonal polylines routed between the boxes (never through one).

    ``id_prefix`` keeps element ids unique when several graphs are inlined in one HTML page.
    """
    w, gx, gy, lh = 220, 20, 44, 13
    layers = _layers(g)
    labels = {n: _lines(g, n) for n in g.nodes}
    heights = [max(10 + lh * (len(labels[n][0]) + len(labels[n][1])) for n in layer) for layer in layers]
    width = max(len(layer) for layer in layers) * (w + gx) + gx
    pos: dict[str, tuple[int, int]] = {}
    layer_of: dict[str, int] = {}
    bands: list[tuple[float, float]] = []
    gaps: list[list[float]] = []
    y = gy // 2
    for li, layer in enumerate(layers):
        offset = (width - len(layer) * (w + gx)) // 2
        for i, n in enumerate(layer):
            pos[n] = (offset + gx + i * (w + gx), y)
            layer_of[n] = li
        bands.append((y, y + heights[li]))
        gaps.append([offset + gx / 2 + i * (w + gx) for i in range(len(layer) + 1)] + [width - gx / 2])
        y += heights[li] + gy
    height = y - gy + gy // 2
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="10">',
           f"<title>{escape(str(g.graph.get('channel')))} attack graph</title>",
           f'<defs><marker id="{escape(id_prefix)}arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
           '<path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>']
    for u, v in sorted(g.edges):
        (x1, y1), (x2, y2) = pos[u], pos[v]
        rel = g.edges[u, v].get("relation", "")
        dash = ' stroke-dasharray="4 3" stroke="#16a34a"' if rel in ("blocks", "hardens") else ' stroke="#555"'
        pts = _route(x1 + w / 2, y1 + heights[layer_of[u]], x2 + w / 2, y2, layer_of[u], layer_of[v], bands, gaps,
                     width - gx / 2)
        path = " ".join(f"{px:g},{py:g}" for px, py in pts)
        out.append(f'<polyline points="{path}" fill="none"{dash} marker-end="url(#{escape(id_prefix)}arrow)"/>')
    for n in sorted(pos):
        x, y0 = pos[n]
        k = g.nodes[n].get("kind", "step")
        bold, plain = labels[n]
        texts = [f'<text x="{x + 6}" y="{y0 + 14 + i * lh}" font-weight="bold">{escape(t)}</text>' for i, t in enumerate(bold)]
        texts += [f'<text x="{x + 6}" y="{y0 + 14 + (len(bold) + i) * lh}">{escape(t)}</text>' for i, t in enumerate(plain)]
        out.append(f'<g id="{escape(id_prefix + n)}"><title>{escape(_label(g, n))}</title><rect x="{x}" y="{y0}" '
                   f'width="{w}" height="{heights[layer_of[n]]}" rx="6" fill="{_FILL.get(k, "#fff")}" stroke="#333"/>'
                   + "".join(texts) + "</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
