"""The 5x5 residual-risk heat map as inline SVG (no scripts, no external resources).

Built from the risk scales in ``model/data/risk.yaml`` and the channels' residual likelihood and
impact, so re-banding the matrix there re-colours the map here.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from markupsafe import Markup, escape

#: Fill per level: colour-blind-safe ramp, light to dark.
LEVEL_FILL = {"very-low": "#e8f5e9", "low": "#c5e1a5", "medium": "#fff59d", "high": "#ffb74d",
              "very-high": "#e57373"}

CELL = 112
LEFT = 120
TOP = 30


def heatmap_svg(matrix: Mapping[int, Sequence[str]], likelihood_names: Mapping[int, str],
                impact_names: Mapping[int, str], placed: Mapping[tuple[int, int], list[str]],
                appetite: str, levels: Sequence[str]) -> Markup:
    """Rows: likelihood 5 (top) to 1; columns: impact 1 to 5; each cell lists channel ids."""
    width, height = LEFT + 5 * CELL + 10, TOP + 5 * CELL + 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="heatmap" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" aria-label="Residual risk heat map">']
    parts.append(f'<text x="{LEFT + 5 * CELL / 2}" y="18" text-anchor="middle" font-size="13">Impact</text>')
    for row, lk in enumerate(range(5, 0, -1)):
        y = TOP + row * CELL
        parts.append(f'<text x="{LEFT - 8}" y="{y + CELL / 2}" text-anchor="end" font-size="12">'
                     f'{lk} {escape(likelihood_names.get(lk, ""))}</text>')
        for col, im in enumerate(range(1, 6)):
            x = LEFT + col * CELL
            level = matrix[lk][im - 1]
            above = levels.index(level) > levels.index(appetite)
            stroke = ' stroke="#b71c1c" stroke-width="2"' if above else ' stroke="#9e9e9e"'
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{LEVEL_FILL.get(level, "#fff")}"'
                         f'{stroke}><title>likelihood {lk}, impact {im}: {level}</title></rect>')
            parts.append(f'<text x="{x + 4}" y="{y + 13}" font-size="10" fill="#424242">{level}</text>')
            for i, cid in enumerate(placed.get((lk, im), [])[:6]):
                parts.append(f'<a href="#channel-{escape(cid)}"><text x="{x + 6}" y="{y + 30 + 14 * i}" '
                             f'font-size="11" fill="#0d47a1">{escape(cid)}</text></a>')
            extra = len(placed.get((lk, im), [])) - 6
            if extra > 0:
                parts.append(f'<text x="{x + 6}" y="{y + CELL - 6}" font-size="10">+{extra} more</text>')
    for col, im in enumerate(range(1, 6)):
        parts.append(f'<text x="{LEFT + col * CELL + CELL / 2}" y="{TOP + 5 * CELL + 16}" text-anchor="middle" '
                     f'font-size="12">{im} {escape(impact_names.get(im, ""))}</text>')
    parts.append(f'<text x="{LEFT}" y="{TOP + 5 * CELL + 40}" font-size="11">Cells with a red border are above '
                 f'the "{escape(appetite)}" appetite.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def place(channels: Sequence[Mapping[str, Any]]) -> dict[tuple[int, int], list[str]]:
    """Channel ids by their residual (likelihood, impact) cell."""
    out: dict[tuple[int, int], list[str]] = {}
    for ch in channels:
        r = ch["residual"]
        out.setdefault((r["likelihood"], r["impact"]), []).append(ch["id"])
    return out
