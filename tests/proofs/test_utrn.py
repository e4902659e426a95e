"""Family 1: UTRN anti-replay and floor proved; each proof is non-vacuous; every trace replays."""
from __future__ import annotations

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw
from nowan.attacks.replay import replay
from nowan.proofs.utrn import POLICIES, availability, check_cell, wrap

#: The input-path combinations the channel models imply (proofs.applicability).
PATHS = [("keypad",), ("keypad", "han"), ("keypad", "wan")]
TWO_PATHS = [p for p in PATHS if len(p) == 2]


@pytest.mark.parametrize("paths", PATHS)
@pytest.mark.parametrize("bad", ["replay", "floor"])
def test_faithful_meter_is_proved_for_unbounded_runs(paths: tuple[str, ...], bad: str) -> None:
    finding = check_cell(paths, bad)
    assert finding.status == "proved", finding.detail
    assert finding.trace is None


@pytest.mark.parametrize("paths", PATHS)
@pytest.mark.parametrize("bad, flaw", [("replay", Flaw.NO_DUPLICATE_CHECK), ("replay", Flaw.NO_FLOOR_CHECK),
                                       ("floor", Flaw.NO_FLOOR_CHECK)])
def test_weakened_meter_is_refuted_and_the_trace_replays(paths: tuple[str, ...], bad: str, flaw: Flaw) -> None:
    finding = check_cell(paths, bad, frozenset({flaw}))
    assert finding.status == "refuted"
    assert finding.trace["flaws"] == [flaw.name]
    result = replay(finding.trace)
    assert result.reproduced, (finding.trace, result.observed)


@pytest.mark.parametrize("paths", TWO_PATHS)
def test_check_then_insert_race_is_found_where_two_paths_interleave(paths: tuple[str, ...]) -> None:
    finding = check_cell(paths, "replay", frozenset({Flaw.NON_ATOMIC_UTRN_CHECK}))
    assert finding.status == "refuted"
    actions = [s["action"] for s in finding.trace["steps"]]
    assert "begin" in actions and "finish" in actions
    assert len({s["args"].get("path") for s in finding.trace["steps"]}) == 2  # two inputs interleaved
    assert replay(finding.trace).reproduced


def test_a_single_input_path_cannot_race() -> None:
    finding = check_cell(("keypad",), "replay", frozenset({Flaw.NON_ATOMIC_UTRN_CHECK}))
    assert finding.status != "refuted"


def test_replay_on_the_faithful_meter_does_not_reproduce_a_flawed_trace() -> None:
    trace = check_cell(("keypad", "han"), "replay", frozenset({Flaw.NO_DUPLICATE_CHECK})).trace
    assert not replay({**trace, "flaws": []}).reproduced


@pytest.mark.parametrize("policy", POLICIES)
def test_availability_trace_per_policy_replays(policy: str) -> None:
    finding = availability(policy, Assumptions())
    assert finding.status == "refuted"
    trace = finding.trace
    assert trace["evidence"]["policy"] == policy
    assert any(not s["args"]["accepted"] for s in trace["steps"])
    assert sorted(s["args"]["counter"] for s in trace["steps"]) == trace["evidence"]["issued"]
    assert replay(trace).reproduced


def test_nearest_max_loses_an_old_utrn_at_the_configured_cache_size() -> None:
    trace = availability("nearest-max", Assumptions()).trace
    assert trace["evidence"]["params"]["utrn.cache_size"] == 100
    assert "note" not in trace["evidence"]


def test_above_min_needs_the_cache_to_overflow_and_says_so() -> None:
    trace = availability("above-min", Assumptions()).trace
    assert trace["evidence"]["params"]["utrn.cache_size"] < 100
    assert "newest" in trace["evidence"]["note"]


def test_above_min_wraps_after_1024_keypad_utrns_and_the_trace_replays() -> None:
    finding = wrap(Assumptions({"utrn.reconstruction": "above-min"}))
    assert finding.status == "refuted"
    (step,) = finding.trace["steps"]
    assert step["args"]["last"] - step["args"]["first"] == 1024  # the 1025th UTRN since the credential change
    result = replay(finding.trace)
    assert result.reproduced, result.detail
    nearest = {**finding.trace, "assumptions": {**finding.trace["assumptions"], "utrn.reconstruction": "nearest-max"}}
    assert not replay(nearest).reproduced  # the same 1025 entries all credit under nearest-max


def test_nearest_max_has_no_wrap_for_any_cache_size_and_floor() -> None:
    assert wrap(Assumptions({"utrn.reconstruction": "nearest-max"})).status == "proved"


def test_above_min_availability_detail_carries_the_cache_size_note() -> None:
    finding = availability("above-min", Assumptions())
    assert finding.trace["evidence"]["note"] in finding.detail
    assert "\n" not in finding.detail


def test_without_a_cache_the_anti_replay_proof_fails_and_the_trace_replays_on_the_meter():
    """utrn.cache_size=0 is the what-if 'no cache': only the floor is left, so a UTRN is credited twice."""
    from nowan.model.assumptions import Assumptions
    from nowan.proofs import run

    [res] = [r for r in run(["utrn-keypad"], Assumptions({"utrn.cache_size": "0"}))
             if r.id == "utrn-anti-replay@utrn-keypad"]
    assert res.status == "refuted"
    assert replay(res.trace).reproduced
