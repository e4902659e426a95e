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
