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


def dot_string(text: object) -> str:
    """``text`` as the inside of a quoted DOT string that Graphviz shows exactly as given.

    Model strings are untrusted: a backslash is doubled (so a trailing one cannot swallow the
    closing quote, and ``\\N``, ``\\G``... are not expanded), a quote is escaped, control characters
    are shown as escapes, and ``&`` is written as ``&amp;`` (Graphviz keeps an entity it finds in a
    label, so ``&lt;`` in a model would otherwise be shown as ``<``). Lines end in ``\\n``.
    """
    s = printable(text, keep_lines=True).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return s.replace("\n", "\\n")


def to_dot(g: nx.DiGraph, *, rankdir: str = "TB", wrap: bool = False, id_prefix: str | None = None,
           font: str = "Helvetica") -> str:
    """Graphviz DOT text in a stable order, every string escaped (``dot_string``).

    ``nowan graph --format dot`` prints the defaults; the report's Graphviz layout asks for labels
    wrapped as the built-in layout wraps them, every node a box (so that "no edge through a box"
    can be checked), fixed sizes and fonts, and an explicit SVG id per element (``id_prefix``:
    several graphs share one HTML page)."""
    head = [f'digraph "{dot_string(g.graph.get("channel"))}" {{', f"  rankdir={rankdir};"]
    if id_prefix is None:
        head.append(f'  node [fontname="{font}", fontsize=10];')
    else:
        head += [f'  graph [id="{dot_string(id_prefix)}graph", charset="UTF-8", bgcolor="transparent", '
                 f'fontname="{font}", nodesep=0.25, ranksep=0.4, pad=0.05, splines=true];',
                 f'  node [shape=box, style="rounded,filled", fontname="{font}", fontsize=10, margin="0.1,0.06"];',
                 f'  edge [fontname="{font}", fontsize=8, arrowsize=0.7, color="#555555"];']
    lines = head
    for n in sorted(g.nodes):
        k = g.nodes[n].get("kind", "step")
        if wrap:  # the id whole (Graphviz widens the box to fit it), the description wrapped
            first, _, second = _label(g, n).partition("\n")
            plain = _lines(g, n)[1]
            label = "\\n".join(dot_string(t) for t in [first] + plain)
        else:
            label = dot_string(_label(g, n))
        attrs = [f'label="{label}"']
        if id_prefix is None:
            attrs += [f"shape={_SHAPE.get(k, 'box')}", "style=filled"]
        else:
            attrs.append(f'id="{dot_string(id_prefix + n)}"')
        attrs.append(f'fillcolor="{_FILL.get(k, "#fff")}"')
        lines.append(f'  "{dot_string(n)}" [{", ".join(attrs)}];')
    for i, (u, v) in enumerate(sorted(g.edges)):
        rel = g.edges[u, v].get("relation", "")
        attrs = {"blocks": ['style=dashed', 'color="#16a34a"', 'label="blocks"'],
                 "hardens": ['style=dotted', 'color="#16a34a"', 'label="hardens"']}.get(rel, [])
        if id_prefix is not None:
            attrs = attrs + [f'id="{dot_string(id_prefix)}edge-{i}"']
        style = f' [{", ".join(attrs)}]' if attrs else ""
        lines.append(f'  "{dot_string(u)}" -> "{dot_string(v)}"{style};')
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
