"""A channel's tornado chart as inline SVG: how far each input moves the residual level.

One bar per input, from the lowest to the highest residual level the input reaches over its
declared range (the others held), widest swing on top; a dot marks the level now, and the dashed
line is the appetite. Built from the robustness data of the report bundle only, as plain SVG text
(no scripts, no fonts fetched), so the same bundle always gives the same bytes.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from markupsafe import Markup

from nowan.reports.graph_render import escape
from nowan.reports.heatmap import LEVEL_FILL

LABEL = 470        # width of the input-id column
COL = 64           # width of one level column
ROW = 22
TOP = 34


def tornado_svg(channel_id: str, bars: Sequence[Mapping[str, Any]], current: str, levels: Sequence[str],
                appetite: str) -> Markup:
    """The chart for one channel (``bars``: the ``tornado`` list of its robustness entry)."""
    width = LABEL + COL * len(levels) + 12
    height = TOP + ROW * max(1, len(bars)) + 30
    x = {lv: LABEL + COL * i + COL / 2 for i, lv in enumerate(levels)}
    cut = LABEL + COL * (levels.index(appetite) + 1)
    title = f"Tornado chart: residual level of {channel_id} over each input's range"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="tornado" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">']
    for lv in levels:
        out.append(f'<rect x="{x[lv] - COL / 2}" y="{TOP - 6}" width="{COL}" height="{ROW * max(1, len(bars)) + 4}" '
                   f'fill="{LEVEL_FILL.get(lv, "#fff")}" opacity="0.35"/>')
        out.append(f'<text x="{x[lv]}" y="{TOP - 12}" text-anchor="middle" font-size="11">{escape(lv)}</text>')
    out.append(f'<line x1="{cut}" y1="{TOP - 8}" x2="{cut}" y2="{TOP + ROW * max(1, len(bars))}" stroke="#b71c1c" '
               f'stroke-dasharray="4 3"><title>appetite: {escape(appetite)}</title></line>')
    if not bars:
        out.append(f'<text x="{LABEL - 8}" y="{TOP + 14}" text-anchor="end" font-size="11">no input moves the '
                   f'residual level within its range</text>')
    for i, b in enumerate(bars):
        y = TOP + ROW * i
        lo, hi = x[b["lowest"]], x[b["highest"]]
        out.append(f'<text x="{LABEL - 8}" y="{y + 14}" text-anchor="end" font-size="11">{escape(b["input"])}</text>')
        out.append(f'<rect x="{lo - 8}" y="{y + 4}" width="{hi - lo + 16}" height="{ROW - 8}" rx="3" fill="#546e7a">'
                   f'<title>{escape(b["input"])}: {escape(b["lowest"])} to {escape(b["highest"])} over its range '
                   f'(bottom of range: {escape(b["at_bottom"])}, top: {escape(b["at_top"])})</title></rect>')
        out.append(f'<circle cx="{x[current]}" cy="{y + ROW / 2}" r="4" fill="#ffffff" stroke="#000000"/>')
    # the key ends at the right edge: it is wider than the level columns, and text past the edge is cut
    out.append(f'<text x="{width - 4}" y="{height - 8}" text-anchor="end" font-size="10">bar: residual levels over '
               f'the input\'s range, the others held; dot: level now; dashed: appetite</text>')
    out.append("</svg>")
    return Markup("".join(out))
