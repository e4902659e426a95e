"""Families 4 and 6: the A-60MIN window and the MP169 flag."""
from __future__ import annotations

import math
from dataclasses import replace

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.devices import Flaw
from nowan.attacks.replay import replay
from nowan.proofs import mp169, pairing


def test_window_holds_and_removing_it_or_bypassing_the_log_refutes() -> None:
    a = Assumptions()
    assert pairing.check("pairing-no-timeout", a, window=3600).status == "proved"
    for finding in (pairing.check("pairing-no-timeout", a, window=math.inf),
                    pairing.check("pairing-no-timeout", a, frozenset({Flaw.DEVICE_LOG_BYPASS}), window=3600)):
        assert finding.status == "refuted"
        assert replay(finding.trace).reproduced


def test_window_comes_from_the_model_a60min_existing_or_not() -> None:
    a = Assumptions()
    channel = load_channels(["pairing-no-timeout"])["pairing-no-timeout"]
    assert pairing.window_for(channel, a) == math.inf  # A-60MIN is only a candidate (SECMP0037)
    reinstated = replace(channel, controls=tuple(replace(c, status="existing") if c.id == "A-60MIN" else c
                                                 for c in channel.controls))
    assert pairing.window_for(reinstated, a) == 3600
    assert pairing.window_for(reinstated, a.replace(**{"pairing.window_s": "inf"})) == math.inf


def test_pairing_no_timeout_trace_joins_after_the_window_without_power_cycle() -> None:
    channel = load_channels(["pairing-no-timeout"])["pairing-no-timeout"]
    finding = pairing.check("pairing-no-timeout", Assumptions(), window=pairing.window_for(channel, Assumptions()))
    assert finding.status == "refuted"
    steps = finding.trace["steps"]
    assert steps[-1]["action"] == "rogue-join"
    assert all(s["action"] != "power-cycle" for s in steps)
    assert sum(s["args"].get("seconds", 0) for s in steps) > 3600
    assert replay(finding.trace).reproduced
    assert not replay({**finding.trace, "assumptions": {"pairing.window_s": 3600}}).reproduced


@pytest.mark.parametrize("prop", mp169.PROPERTIES)
def test_mp169_properties_hold(prop: str) -> None:
    assert mp169.check(prop).status == "proved"


@pytest.mark.parametrize("prop, weak", sorted(mp169.WEAKENINGS.items()))
def test_mp169_weakened_policy_is_refuted_and_replays_on_the_dcc(prop: str, weak: Flaw) -> None:
    finding = mp169.check(prop, frozenset({weak}))
    assert finding.status == "refuted"
    assert finding.trace["steps"]
    result = replay(finding.trace)
    assert result.reproduced, (finding.trace, result.observed)
    assert not replay({**finding.trace, "flaws": []}).reproduced  # the faithful DCC keeps the policy
