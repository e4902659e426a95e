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
    assert not share.calibration and any(a.range.calibration for a in cat.values())
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


# --- scale ranges the structure allows (audit finding 6) --------------------------------------

from nowan.model.channels import load_file  # noqa: E402
from nowan.model.channels.loader import CHANNEL_DIR  # noqa: E402

MP169 = (CHANNEL_DIR / "mp169-flag.yaml").read_text()


def _mp169_with(tmp_path, old: str, new: str):
    assert old in MP169, old
    text = MP169.replace(old, new, 1)
    p = tmp_path / "mp169-flag.yaml"
    p.write_text(text)
    return text, p


@pytest.mark.parametrize("cid,calibration", [
    ("mp169-flag", "calibration.mp169-flag.step.supplier-removes-flag.scale"),          # one Supplier's insider
    ("smets1-utrn-gen-2", "calibration.smets1-utrn-gen-2.step.supplier-interface-outage.scale"),  # one Supplier's interface
])
def test_a_step_of_one_supplier_has_no_national_in_its_scale_range(cid, calibration):
    """The blanket 'one scale either way' let the responsible Supplier's insider and one Supplier's
    interface reach national scale, and the report called both verdicts fragile on that."""
    inp = inputs(load_channels([cid]).values())[calibration]
    assert inp.default == "fleet" and inp.range.values == ("premises", "fleet")


def test_every_scale_range_stays_within_its_declared_widest_and_its_attackers_reach():
    from nowan.model.channels.catalogues import scales

    order = ("premises", "fleet", "national")
    for inp in inputs(load_channels().values()).values():
        if inp.type == "scale" and "ranges" not in inp.range.where:
            assert order.index(max(inp.range.values, key=order.index)) <= order.index(inp.default), inp.id
    assert scales().attackers["rogue-installer"]["reach"] == "fleet"


def test_a_scale_range_wider_than_the_attackers_reach_is_refused_at_its_line(tmp_path):
    old = "entry: [supplier-systems], difficulty: 3, scale: fleet}"
    new = ("entry: [supplier-systems], difficulty: 3, scale: fleet, "
           "ranges: {scale: [premises, fleet, national], source: \"calibration: wider\"}}")
    text, p = _mp169_with(tmp_path, old, new)
    with pytest.raises(ModelError) as exc:
        load_file(p)
    msg = str(exc.value)
    assert f"mp169-flag.yaml:{_line_of(text, 'id: supplier-removes-flag')} field 'steps.1.ranges.scale'" in msg, msg
    assert "'national'" in msg and "'fleet'" in msg and "reach" in msg


def test_a_declared_scale_wider_than_the_attackers_reach_is_refused(tmp_path):
    text, p = _mp169_with(tmp_path, "entry: [supplier-systems], difficulty: 3, scale: fleet}",
                          "entry: [supplier-systems], difficulty: 3, scale: national}")
    with pytest.raises(ModelError, match=r"mp169-flag.yaml:\d+ field 'steps.1.scale': step 'supplier-removes-flag' "
                                         r"is open only to rogue-installer, whose widest reach is 'fleet'"):
        load_file(p)


def test_a_wider_range_declared_beside_the_step_within_reach_is_kept(tmp_path):
    text = (CHANNEL_DIR / "smets1-utrn-gen-2.yaml").read_text()
    old = "entry: [internet], difficulty: 3, scale: fleet}"
    assert old in text
    p = tmp_path / "smets1-utrn-gen-2.yaml"
    p.write_text(text.replace(old, "entry: [internet], difficulty: 3, scale: fleet, ranges: {scale: [premises, fleet, "
                                   "national], source: \"calibration: the reason for a wider range\"}}", 1))
    inp = next(i for i in load_file(p).inputs if i.id.endswith("supplier-interface-outage.scale"))
    assert inp.range.values == ("premises", "fleet", "national") and "wider range" in inp.range.source
