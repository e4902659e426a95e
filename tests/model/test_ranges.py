"""Every input has a plausible range with its source, checked where it is written (file:line)."""
from __future__ import annotations

import math
from importlib import resources

import pytest

from nowan.model.assumptions import catalogue, parse_catalogue
from nowan.model.channels import load_channels
from nowan.model.channels.inputs import inputs
from nowan.model.errors import ModelError

ASSUMPTIONS = resources.files("nowan.model").joinpath("data/assumptions.yaml").read_text()


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_input_of_every_channel_has_a_sourced_range_holding_its_value():
    found = inputs(load_channels().values())
    assert len(found) > 200
    for inp in found.values():
        r = inp.range
        assert r.source.strip(), inp.id
        assert r.contains(inp.default), inp.id
        assert ":" in r.where, inp.id          # file:line of the range or of its rule
        # a calibration's range is one; an assumption's only where its file marks the range "calibration"
        assert r.calibration == (inp.kind == "calibration" or r.source.lower().startswith("calibration")), inp.id
        if r.calibration:
            assert "calibration" in r.source, inp.id
        if not r.discrete:
            assert r.lo <= r.hi, inp.id


def test_seed_backed_figures_use_the_seeds_ranges():
    cat = catalogue()
    share, hours = cat["nowan.share"].range, cat["nowan.outage_hours"].range
    assert not share.calibration and cat["presence.attackers"].range.calibration
    assert [r.text() for r in cat["nowan.share"].reported] == ["0.07%", "0.75%", "2-3%", "3%", "8%", "9%", "12%", "36%"]
    assert (share.lo, share.hi) == (0.0007, 0.36) and "seed 002" in share.source
    assert (hours.lo, hours.hi) == (48, 8760) and "48 hours" in hours.source and "permanent" in hours.source


def test_calibration_kinds_are_all_covered():
    ids = set(inputs(load_channels(["usb"]).values()))
    for needle in (".step.exploit-usb.difficulty", ".step.tamper-file.scale", ".control.usb-class-restriction.hardens.",
                   ".control.usb-class-restriction.cost_gbp", ".goal.forced-off-supply.hours", ".goal.non-disconnect-withheld.scale",
                   "calibration.attacker.consumer.capability", "calibration.impact.price.fleet",
                   "calibration.impact.off-supply.bands.0", "calibration.impact.fleet_share", "calibration.exposure.0"):
        assert any(needle in i for i in ids), needle


@pytest.mark.parametrize("old,new,message", [
    ("  range: [0.0007, 0.36]\n", "  range: [0.36, 0.0007]\n", "above its upper bound"),
    ("  range: [0.0007, 0.36]\n", "  range: [0.01, 0.36]\n", "lies outside its range"),
    ("  range: [0.0007, 0.36]\n", "  range: [0.0007]\n", "expected a range"),
    ("  range: [0.0007, 0.36]\n", "  range: [0.0007, 2]\n", "range bound 2"),
    ("  range: [above-min, nearest-max]\n", "  range: [above-min, random]\n", "not one of"),
    ("    - {percent: 36, what:", "    - {percent: 37, what:", "37-37% lies outside the range 0.0007 .. 0.36"),
    ("    - {percent: [2, 3], what:", "    - {percent: [3, 2], what:", "expected a percentage or a span"),
    ("    - {percent: 9, what:", "    - {percent: 9, said:", "expected a mapping with exactly percent, what, source"),
])
def test_assumption_range_errors_name_file_and_line(old, new, message):
    assert old in ASSUMPTIONS
    text = ASSUMPTIONS.replace(old, new, 1)
    with pytest.raises(ModelError) as exc:
        parse_catalogue(text)
    msg = str(exc.value)
    assert message in msg and "\n" not in msg
    assert f"model/data/assumptions.yaml:{_line_of(text, new.strip())}" in msg, msg


def test_assumption_range_needs_a_source():
    old = '  range_source: "seed 002 (domain.md 11.2)'
    assert old in ASSUMPTIONS
    with pytest.raises(ModelError, match="missing the range's source"):
        parse_catalogue(ASSUMPTIONS.replace(old, '  range_note: "x', 1))


def test_assumption_without_a_range_is_refused():
    text = ASSUMPTIONS.replace("  range: [48, 8760]\n", "", 1)
    with pytest.raises(ModelError, match="nowan.outage_hours.range.*missing the plausible range|missing the plausible range"):
        parse_catalogue(text)


def test_seconds_range_may_reach_inf():
    text = ASSUMPTIONS.replace("  range: [60, 2592000]\n", "  range: [60, inf]\n", 1)
    assert parse_catalogue(text)["pairing.window_s"].range.hi == math.inf


def test_the_uplift_for_vulnerable_customers_is_a_calibration_with_a_range_that_moves_verdicts():
    """It was a bare number in risk.yaml, never swept: a withheld non-disconnect period on USB is
    very high only because vulnerable customers lift its impact by one band."""
    from nowan.model.assumptions import Assumptions
    from nowan.model.channels import score

    chs = load_channels(["usb"])
    inp = inputs(chs.values())["calibration.impact.off-supply.vulnerable_add"]
    assert (inp.default, inp.range.lo, inp.range.hi) == (1, 0, 2) and "[A]" in inp.range.source
    levels = [score(chs["usb"], Assumptions({inp.id: str(v)})).residual.level for v in (0, 1, 2)]
    assert levels == ["high", "very-high", "very-high"]
