"""The one replayer: proof counterexamples and fuzz findings through one entry point and one loop."""
from __future__ import annotations

import inspect
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
    with pytest.raises(TraceError, match=r"t.json steps\[0\] field 'extra': consume: takes \(kwh\), not 'extra'"):
        replay(wrong_args, source="t.json")


def test_unknown_world_and_missing_evidence_are_trace_errors() -> None:
    with pytest.raises(TraceError, match="unknown world 'nope'; expected one of"):
        replay(replace(_withholding(), world="nope"))
    pairing = Trace("pairing-no-timeout", (Step("attacker", "rogue-join", {}),), world="pairing")
    with pytest.raises(TraceError, match="field 'evidence.claim_window_s': missing"):
        replay(pairing)


def _bruteforce(**args: object) -> Trace:
    return Trace("nfc", (Step("attacker", "guess", {"path": "han", "count": 4, **args}),), world="bruteforce",
                 invariant="bruteforce-bound", evidence={"schedule": {"entry_s": 0.5}})


@pytest.mark.parametrize("field, value, expected", [
    ("count", 10**30, "expected an integer 1..100000"),   # would run for hours
    ("count", 1e308, "expected an integer 1..100000"),
    ("count", -1, "expected an integer 1..100000"),
    ("count", 1.5, "expected an integer"),
    ("count", "4", "expected an integer"),
    ("count", True, "expected an integer"),
    ("path", "x", "expected one of 'keypad', 'han'"),    # would silently take the HAN path
    ("path", None, "expected one of 'keypad', 'han'"),
    ("extra", 1, "takes \\(path, count\\), not 'extra'"),
])
def test_every_step_argument_is_checked_against_its_declared_domain(field: str, value: object, expected: str) -> None:
    with pytest.raises(TraceError, match=rf"t.json steps\[0\] field '{field}': guess: {expected}"):
        replay(_bruteforce(**{field: value}), source="t.json")


def test_evidence_a_world_reads_is_checked_and_a_missing_argument_is_named() -> None:
    bad = replace(_bruteforce(), evidence={"schedule": {"entry_s": -1}})
    with pytest.raises(TraceError, match=r"field 'evidence.schedule.entry_s': expected a number"):
        replay(bad, source="t.json")
    missing = replace(_bruteforce(), steps=(Step("attacker", "guess", {"path": "han"}),))
    with pytest.raises(TraceError, match=r"steps\[0\] field 'count': guess: missing"):
        replay(missing, source="t.json")


def test_a_relay_trace_with_a_hostile_amount_is_one_line_and_a_sound_one_still_replays() -> None:
    trace = _withholding()
    i = next(n for n, s in enumerate(trace.steps) if s.action == "supplier-sends-topup")
    steps = list(trace.steps)
    steps[i] = Step(steps[i].actor, steps[i].action, {"pence": 10**9})
    with pytest.raises(TraceError, match=rf"steps\[{i}\] field 'pence': supplier-sends-topup: expected an integer"):
        replay(replace(trace, steps=tuple(steps)))
    assert replay(trace).reproduced


def test_every_counterexample_step_declares_its_arguments() -> None:
    from nowan.attacks.counterexamples import WORLDS
    from nowan.attacks.counterexamples.args import declared

    for name, world in WORLDS.items():
        for attr in dir(world):
            if attr.startswith("do_"):
                domains = declared(getattr(world, attr))
                assert domains is not None, f"{name}.{attr} declares no arguments (@takes)"
                params = [p for p in inspect.signature(getattr(world, attr)).parameters.values()
                          if p.name != "self" and p.kind is not p.VAR_KEYWORD]
                assert {p.name for p in params} <= set(domains), f"{name}.{attr}"


def test_a_control_the_channel_lacks_is_named() -> None:
    trace = Trace("nfc", (Step("legit", "enable", {"control": "no-such-control"}),), world="control-set",
                  invariant="best-control-set", evidence={"controls": ["no-such-control"]})
    with pytest.raises(TraceError, match=r"t.json steps\[0\] field 'control': enable: 'no-such-control' is not a "
                                         r"control of nfc"):
        replay(trace, source="t.json")

