"""The tornado chart: one bar per input, deterministic bytes, model text escaped."""
from __future__ import annotations

from nowan.reports.tornado import tornado_svg

LEVELS = ["very-low", "low", "medium", "high", "very-high"]
BARS = [{"input": "nowan.share", "lowest": "low", "highest": "high", "at_bottom": "low", "at_top": "high"},
        {"input": "calibration.x.step.<b>.difficulty", "lowest": "medium", "highest": "very-high",
         "at_bottom": "very-high", "at_top": "medium"}]


def test_one_bar_per_input_deterministic_and_escaped():
    svg = tornado_svg("usb", BARS, "medium", LEVELS, "medium")
    assert svg == tornado_svg("usb", BARS, "medium", LEVELS, "medium")
    assert svg.count('fill="#546e7a"') == 2
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_no_bars_says_so():
    assert "no input moves the residual level" in tornado_svg("wan", [], "medium", LEVELS, "medium")


def test_every_text_lies_inside_the_drawing():
    """Text past the SVG's edge is cut in the report: measure each line in a sans font at its size."""
    import re

    import pytest
    from PIL import ImageFont

    try:
        font = {size: ImageFont.truetype("DejaVuSans.ttf", size) for size in (10, 11)}
    except OSError:
        pytest.skip("DejaVu Sans not found")
    svg = str(tornado_svg("usb", BARS, "medium", LEVELS, "medium"))
    width = float(re.search(r'width="([0-9.]+)"', svg).group(1))
    for x, anchor, size, text in re.findall(
            r'<text x="([0-9.]+)" y="[0-9.]+"(?: text-anchor="(\w+)")? font-size="(\d+)">([^<]*)</text>', svg):
        length = font[int(size)].getlength(text.replace("&#39;", "'"))
        left = {"end": float(x) - length, "middle": float(x) - length / 2}.get(anchor, float(x))
        assert 0 <= left and left + length <= width, text
