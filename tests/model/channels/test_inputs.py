"""Calibrations declared beside their values; --assume calibration.<id>=V acts like editing the model."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_file, score
from nowan.model.channels.inputs import check_overrides, inputs
from nowan.model.channels.loader import CHANNEL_DIR
from nowan.model.errors import AssumptionError, ModelError

USB = (CHANNEL_DIR / "usb.yaml").read_text()


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _load(tmp_path: Path, text: str):
    p = tmp_path / "usb.yaml"
    p.write_text(text)
    return load_file(p, "model/channels/usb.yaml")


def _step_line(text: str, step: str) -> str:
    return next(line for line in text.splitlines() if f"id: {step}," in line)


def test_a_range_beside_the_value_replaces_the_rule(tmp_path):
    line = _step_line(USB, "exploit-usb")
    new = line.replace("scale: premises", "scale: premises, ranges: {difficulty: [2, 5], source: \"vendor pen test\"}")
    ch = _load(tmp_path, USB.replace(line, new))
    inp = next(i for i in ch.inputs if i.id == "calibration.usb.step.exploit-usb.difficulty")
    assert (inp.range.lo, inp.range.hi, inp.range.source) == (2, 5, "vendor pen test")
    assert inp.range.where == f"model/channels/usb.yaml:{_line_of(USB, 'id: exploit-usb,')}"


@pytest.mark.parametrize("ranges,message", [
    ("{difficulty: [4, 2], source: x}", "above its upper bound"),
    ("{difficulty: [3, 5], source: x}", "lies outside its range"),
    ("{difficulty: [2, 4]}", "source"),
    ("{difficulty: [2, 4], source: \"\"}", "source"),
    ("{colour: [2, 4], source: x}", "no calibration 'colour' here"),
    ("{scale: [premises, planet], source: x}", "not one of"),
])
def test_bad_ranges_name_file_line_and_field(tmp_path, ranges, message):
    line = _step_line(USB, "tamper-file")
    assert "difficulty: 2" in line
    text = USB.replace(line, line.replace("scale: fleet", f"scale: fleet, ranges: {ranges}"))
    with pytest.raises(ModelError) as exc:
        _load(tmp_path, text)
    msg = str(exc.value)
    assert message in msg and "\n" not in msg, msg
    assert f"usb.yaml:{_line_of(USB, 'id: tamper-file,')}" in msg, msg
    assert "field 'steps." in msg, msg


def test_assume_calibration_equals_editing_the_model(tmp_path):
    line = _step_line(USB, "compromise-delivery")
    assert "difficulty: 3" in line
    edited = _load(tmp_path, USB.replace(line, line.replace("difficulty: 3", "difficulty: 1")))
    packaged = load_file(CHANNEL_DIR / "usb.yaml")
    via_assume = score(packaged, Assumptions({"calibration.usb.step.compromise-delivery.difficulty": "1"}))
    via_file = score(edited, Assumptions())
    for a, b in ((via_assume.residual, via_file.residual), (via_assume.inherent, via_file.inherent)):
        assert a.to_dict() == b.to_dict()
    assert via_assume.commands == via_file.commands
    assert via_assume.residual.to_dict() != score(packaged).residual.to_dict()   # the override did act


def test_every_calibration_id_is_read_by_the_engine():
    """Overriding any verdict-affecting calibration to the far end of its range is seen by the engine:
    no id is declared that the engine never reads (the override would silently do nothing)."""
    ch = load_file(CHANNEL_DIR / "wifi-ppmid-relay.yaml")
    base = score(ch).to_dict(graph=False)
    unread = []
    for inp in inputs([ch]).values():
        if inp.kind != "calibration" or not inp.affects_verdict:
            continue
        values = inp.range.values or (inp.range.lo, inp.range.hi)
        if not any(score(ch, Assumptions({inp.id: v})).to_dict(graph=False) != base for v in values if v != inp.default):
            unread.append(inp.id)
    # Some ranges change nothing on this channel (e.g. a band edge no goal reaches); the engine must
    # still read every step, control and attacker calibration of the channel.
    assert not [u for u in unread if ".step." in u and u.endswith(".difficulty") and "forge" not in u
                and "replay" not in u and "jam" not in u and "han-flood" not in u], unread


def test_overrides_are_checked_against_the_selected_channels():
    usb = {"usb": load_file(CHANNEL_DIR / "usb.yaml")}
    check_overrides(Assumptions({"calibration.usb.step.tamper-file.scale": "national"}), usb.values())
    with pytest.raises(AssumptionError, match="unknown calibration"):   # one premises: no calibration
        check_overrides(Assumptions({"calibration.usb.step.exploit-usb.scale": "fleet"}), usb.values())
    with pytest.raises(AssumptionError, match="unknown calibration.*calibration.usb.step.exploit-usb"):
        check_overrides(Assumptions({"calibration.usb.step.exploit-usbx.difficulty": "1"}), usb.values())
    with pytest.raises(AssumptionError, match="expected an integer 1..5"):
        check_overrides(Assumptions({"calibration.usb.step.exploit-usb.difficulty": "9"}), usb.values())
    with pytest.raises(AssumptionError, match="expected one of premises"):
        check_overrides(Assumptions({"calibration.usb.step.tamper-file.scale": "planet"}), usb.values())


def test_cli_rejects_an_unknown_calibration_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "nowan.reports.cli", "risk", "--channels", "usb", "--assume",
                           "calibration.usb.step.nope.difficulty=2"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--assume calibration.usb.step.nope.difficulty" in proc.stderr


def test_report_lists_a_calibration_override_among_the_assumptions():
    from nowan.reports.bundle import assumptions_table

    rows = assumptions_table(Assumptions({"calibration.usb.step.exploit-usb.difficulty": "2"}))
    row = next(r for r in rows if r["key"] == "calibration.usb.step.exploit-usb.difficulty")
    assert row["value"] == 2 and row["overridden"] and row["label"] == "calibration"
