"""Family 7: z3's cheapest control set equals the risk engine's brute-force reference."""
from __future__ import annotations

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.channels import cheapest_control_set, load_channels
from nowan.attacks.replay import replay
from nowan.proofs import controls

A = Assumptions()
MODELS = load_channels()
ABOVE = [c for c in MODELS if controls.applies(MODELS[c], A)]


def test_some_channels_are_above_appetite() -> None:
    assert ABOVE
    assert "utrn-keypad" not in ABOVE


@pytest.mark.parametrize("channel_id", ABOVE)
def test_optimum_matches_brute_force_and_replays(channel_id: str) -> None:
    reference = cheapest_control_set(load_channels([channel_id])[channel_id], A)
    finding = controls.check(MODELS[channel_id], A)
    if reference is None:
        assert finding.status == "refuted" and finding.trace["evidence"]["unsat_core"]
    else:
        assert finding.status == "proved"
        assert set(finding.trace["evidence"]["controls"]) == set(reference[0])
        assert finding.trace["evidence"]["cost_gbp"] == reference[1]
    assert replay(finding.trace).reproduced


def test_budget_too_small_gives_an_unsat_core_naming_the_budget() -> None:
    channel_id = next(c for c in ABOVE if controls.check(MODELS[c], A).status == "proved"
                      and controls.check(MODELS[c], A).trace["evidence"]["cost_gbp"] > 0)
    finding = controls.check(MODELS[channel_id], A, budget_gbp=1)
    assert finding.status == "refuted"
    assert any(item.startswith("budget") for item in finding.trace["evidence"]["unsat_core"])


def test_budget_refutation_is_rechecked_not_taken_on_trust() -> None:
    """A refutation claiming no set fits a budget fails replay when one does fit."""
    channel_id = next(c for c in ABOVE if controls.check(MODELS[c], A).status == "proved"
                      and controls.check(MODELS[c], A).trace["evidence"]["cost_gbp"] > 0)
    finding = controls.check(MODELS[channel_id], A, budget_gbp=1)
    assert replay(finding.trace).reproduced
    cost = controls.check(MODELS[channel_id], A).trace["evidence"]["cost_gbp"]
    lying = {**finding.trace, "evidence": {**finding.trace["evidence"], "budget_gbp": cost}}
    assert not replay(lying).reproduced


def test_replay_uses_the_runs_assumptions() -> None:
    a = Assumptions({"bruteforce.max_probability": "1e-3"})
    finding = controls.check(MODELS["pairing-no-timeout"], a)
    assert finding.trace["assumptions"] == {"bruteforce.max_probability": 1e-3}
    assert replay(finding.trace).reproduced


def test_reverting_the_proposal_is_named_in_the_detail() -> None:
    # Where the window is what stands between the attackers and the appetite: capability-2 attackers
    # in radio range, 5,000 presence attackers (at the defaults SECMP0037 is within appetite).
    weak = Assumptions({"calibration.attacker.organised-fraud.count": "5000", **{f"calibration.attacker.{a}.capability": "2"
                        for a in ("state-actor", "organised-fraud", "rogue-installer")}})
    finding = controls.check(MODELS["pairing-no-timeout"], weak)
    assert finding.trace["evidence"]["controls"] == ["A-60MIN"] and finding.trace["evidence"]["cost_gbp"] == 0
    assert "reverts the proposal" in finding.detail and "SECMP0037" in finding.detail
