"""The one replayer: proof counterexamples and fuzz findings through one entry point and one loop."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from nowan.attacks.replay import replay
from nowan.model.assumptions import Assumptions
from nowan.model.traces import Step, Trace, TraceError
from nowan.proofs import relay


def _withholding() -> Trace:
    return Trace.from_dict(relay.availability(Assumptions()).trace)


def test_a_counterexample_survives_a_json_round_trip_and_replays() -> None:
    trace = _withholding()
    assert trace.world == "relay-availability" and trace.invariant == "relay-availability"
    back = Trace.from_dict(json.loads(trace.to_json()))
    assert back == trace
    result = replay(back)
    assert result.reproduced and result.invariant == "relay-availability"
    assert result.step == len(trace.steps) - 1 and "when withheld" in result.detail
    assert [o["action"] for o in result.observed][:2] == ["keypad-topup", "supplier-sends-topup"]


def test_a_counterexample_without_its_harmful_step_is_not_reproduced() -> None:
    trace = _withholding()
    harmless = replace(trace, steps=tuple(s for s in trace.steps if s.action != "relay-withholds"))
    assert not replay(harmless).reproduced


def test_a_step_the_world_cannot_take_is_a_trace_error_naming_the_step() -> None:
    trace = _withholding()
    bad = replace(trace, steps=trace.steps[:1] + (Step("attacker", "teleport", {}),))
    with pytest.raises(TraceError, match=r"steps\[1\].*unknown action 'teleport'"):
        replay(bad, source="t.json")
    wrong_args = replace(trace, steps=(Step("legit", "consume", {"kwh": 1, "extra": 2}),))
    with pytest.raises(TraceError, match=r"t.json steps\[0\]: consume"):
        replay(wrong_args, source="t.json")


def test_unknown_world_and_missing_evidence_are_trace_errors() -> None:
    with pytest.raises(TraceError, match="unknown world 'nope'; expected one of"):
        replay(replace(_withholding(), world="nope"))
    pairing = Trace("pairing-no-timeout", (Step("attacker", "rogue-join", {}),), world="pairing")
    with pytest.raises(TraceError, match="field 'evidence'"):
        replay(pairing)

