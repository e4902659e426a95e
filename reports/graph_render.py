"""Attack-graph drawings as DOT text and self-contained SVG (no Graphviz needed), used by
``nowan graph`` and by the report.

The SVG is laid out here, deterministically: nodes in layers by topological generation (entry
points and controls on top, goals at the bottom), ordered by id within a layer.
"""
from __future__ import annotations

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


def to_svg(g: nx.DiGraph, id_prefix: str = "") -> str:
    """A self-contained SVG: layered layout, boxes coloured by node kind, edges as straight lines.

    ``id_prefix`` keeps element ids unique when several graphs are inlined in one HTML page.
    """
    w, h, gx, gy = 220, 46, 20, 60
    layers = _layers(g)
    pos: dict[str, tuple[int, int]] = {}
    width = max(len(layer) for layer in layers) * (w + gx) + gx
    for li, layer in enumerate(layers):
        offset = (width - len(layer) * (w + gx)) // 2
        for i, n in enumerate(layer):
            pos[n] = (offset + gx + i * (w + gx), gy // 2 + li * (h + gy))
    height = len(layers) * (h + gy) + gy // 2
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="10">',
           f"<title>{escape(str(g.graph.get('channel')))} attack graph</title>",
           f'<defs><marker id="{escape(id_prefix)}arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
           '<path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>']
    for u, v in sorted(g.edges):
        (x1, y1), (x2, y2) = pos[u], pos[v]
        rel = g.edges[u, v].get("relation", "")
        dash = ' stroke-dasharray="4 3" stroke="#16a34a"' if rel in ("blocks", "hardens") else ' stroke="#555"'
        out.append(f'<line x1="{x1 + w // 2}" y1="{y1 + h}" x2="{x2 + w // 2}" y2="{y2}"{dash} marker-end="url(#{escape(id_prefix)}arrow)"/>')
    for n in sorted(pos):
        x, y = pos[n]
        k = g.nodes[n].get("kind", "step")
        first, _, second = _label(g, n).partition("\n")
        out.append(f'<g id="{escape(id_prefix + n)}"><title>{escape(_label(g, n))}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{_FILL.get(k, "#fff")}" stroke="#333"/>'
                   f'<text x="{x + 6}" y="{y + 16}" font-weight="bold">{escape(first[:40])}</text>'
                   f'<text x="{x + 6}" y="{y + 32}">{escape(second[:42])}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
