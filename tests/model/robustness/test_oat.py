"""One input at a time agrees with a reviewer sweeping ``nowan risk --assume`` by hand.

Every flip reported is re-checked through the command line at the reported value; a brute-force
grid sweep of the command line finds no flip the analysis missed; and every numeric input moves
the residual level monotonically over its range, which is what makes a grid plus bisection exact.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nowan.model.channels import load_channels
from nowan.model.channels.inputs import inputs
from nowan.model.channels.loader import CHANNEL_DIR
from nowan.model.robustness.analysis import one_at_a_time
from nowan.model.robustness.oat import sweep
from nowan.model.robustness.space import from_unit, relevant
from nowan.model.robustness.subject import Subject, above, rank_of
from nowan.reports.cli import cli


def _cli_verdict(channel: str, key: str, value: object, *more: str) -> str:
    res = CliRunner().invoke(cli, ["risk", "--channels", channel, "--json", *more, "--assume", f"{key}={value}"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["channels"][0]["verdict"]


@pytest.mark.parametrize("channel", ["utrn-keypad", "wifi-ppmid-relay"])
def test_every_reported_flip_is_real_on_the_command_line(channel):
    result = one_at_a_time((Subject((channel,)), channel))
    assert result["flips"], "these channels have flips in range (the test must be able to fail)"
    for f in result["flips"]:
        assert _cli_verdict(channel, f["input"], f["at"]) == f["verdict"], f
        assert f["verdict"] != result["verdict"]
    assert result["confidence"].startswith("fragile: ")


# (channel, input): continuous, integer-on-a-scale, ordinal and boolean inputs, some that flip, some not.
CASES = [("usb", "nowan.share"), ("usb", "nowan.outage_hours"), ("utrn-keypad", "nowan.outage_hours"), ("usb", "calibration.attacker.remote-internet.capability"),
         ("wifi-ppmid-relay", "calibration.wifi-ppmid-relay.goal.non-disconnect-withheld.scale"),
         ("utrn-keypad", "lockout.covers_han"), ("utrn-keypad", "nowan.share"),
         ("wifi-ppmid-relay", "calibration.impact.fleet_share"), ("nfc", "nowan.smart_ppm_meters")]


@pytest.mark.parametrize("channel,key", CASES)
def test_no_flip_is_missed_by_a_brute_force_sweep(channel, key):
    ch = load_channels([channel])[channel]
    inp = inputs([ch])[key]
    subject = Subject((channel,))
    flips, _ = sweep(ch, subject, inp)
    grid = list(inp.range.values) if inp.range.discrete else sorted({from_unit(inp, i / 32) for i in range(33)})
    verdicts = {v: _cli_verdict(channel, key, v) for v in grid}
    now = "above-appetite" if above(rank_of(ch, subject.assumptions({}))) else "within-appetite"
    flipped = [v for v, vd in verdicts.items() if vd != now]
    if not flipped:
        assert not flips, (flips, verdicts)
        return
    assert flips, f"grid sweep flips at {flipped} but none reported"
    for v in flipped:   # each flipped grid value is covered by a reported flip on its side
        assert any(f.at == v or (f.op == ">=" and v >= f.at) or (f.op == "<=" and v <= f.at) for f in flips), (v, flips)


@pytest.mark.parametrize("channel", ["usb", "utrn-keypad", "wifi-ppmid-relay"])
def test_numeric_inputs_move_the_level_monotonically(channel):
    ch = load_channels([channel])[channel]
    subject = Subject((channel,))
    for inp in relevant(ch, inputs([ch])):
        if inp.range.discrete:
            continue
        ranks = [rank_of(ch, subject.assumptions({inp.id: from_unit(inp, i / 24)})) for i in range(25)]
        steps = [b - a for a, b in zip(ranks, ranks[1:])]
        assert all(s >= 0 for s in steps) or all(s <= 0 for s in steps), (inp.id, ranks)


def test_a_pinned_input_is_not_swept_and_sets_the_centre():
    subject = Subject(("utrn-keypad",), base=(("nowan.share", "0.2"),))
    result = one_at_a_time((subject, "utrn-keypad"))
    assert result["verdict"] == "above-appetite"          # 0.2 is above the share flip (about 0.027)
    assert all(f["input"] != "nowan.share" for f in result["flips"])


#: Where the window is what stands between the attackers and the appetite (as in test_verdicts.py):
#: capability-2 attackers in radio range, 5,000 presence attackers.
WEAK = (("calibration.attacker.organised-fraud.count", "5000"), *((f"calibration.attacker.{a}.capability", "2")
                                          for a in ("state-actor", "organised-fraud", "rogue-installer")))
WINDOW_INPUTS = ("pairing.window_s", "pairing.power_ons_a_year", "pairing.easy_open_days")


@pytest.fixture
def window_kept(tmp_path):
    """A models directory whose pairing-no-timeout keeps the window (A-60MIN existing, SECMP0037
    rejected): the only way the window's length reaches a robustness sweep."""
    text = (CHANNEL_DIR / "pairing-no-timeout.yaml").read_text()
    old = "status: candidate\n    cost_gbp: 0\n"
    assert text.count(old) == 1
    (tmp_path / "pairing-no-timeout.yaml").write_text(text.replace(old, "status: existing\n    cost_gbp: 0\n"))
    return tmp_path


@pytest.mark.parametrize("key", WINDOW_INPUTS)
def test_window_length_flips_agree_with_a_hand_sweep(window_kept, key):
    channel = "pairing-no-timeout"
    subject = Subject((channel,), str(window_kept), base=WEAK)
    ch = subject.load()[channel]
    inp = inputs([ch])[key]
    flips, _ = sweep(ch, subject, inp)
    more = ["--models", str(window_kept)] + [x for k, v in WEAK for x in ("--assume", f"{k}={v}")]
    grid = sorted({from_unit(inp, i / 32) for i in range(33)})
    flipped = [v for v in grid if _cli_verdict(channel, key, v, *more) == "above-appetite"]
    assert _cli_verdict(channel, key, inp.default, *more) == "within-appetite"
    if key != "pairing.window_s":           # a day-long open window needs 17 power-ons a year or 0.4 easy days
        assert not flipped and not flips, (flipped, flips)
        return
    # a window longer than 7 days / 10 = 60,480 s is caught as easily as none: above for capability 2
    assert [(f.op, f.verdict) for f in flips] == [(">=", "above-appetite")] and abs(flips[0].at / 60480 - 1) < 0.01
    assert flipped and all(v >= flips[0].at for v in flipped) and min(flipped) < 2 * flips[0].at
    assert _cli_verdict(channel, key, flips[0].at, *more) == "above-appetite"


def test_window_inputs_move_the_level_monotonically(window_kept):
    subject = Subject(("pairing-no-timeout",), str(window_kept), base=WEAK)
    ch = subject.load()["pairing-no-timeout"]
    for key in WINDOW_INPUTS:
        inp = inputs([ch])[key]
        ranks = [rank_of(ch, subject.assumptions({key: from_unit(inp, i / 24)})) for i in range(25)]
        steps = [b - a for a, b in zip(ranks, ranks[1:])]
        assert all(s >= 0 for s in steps) or all(s <= 0 for s in steps), (key, ranks)
    window = inputs([ch])["pairing.window_s"]
    assert len({rank_of(ch, subject.assumptions({window.id: from_unit(window, i / 24)})) for i in range(25)}) == 2
