"""Family 7: z3's cheapest control set equals the risk engine's brute-force reference."""
from __future__ import annotations

import pytest

from model.assumptions import Assumptions
from model.channels import CHANNEL_IDS, cheapest_control_set, load_channels
from proofs import controls, replay

A = Assumptions()
MODELS = load_channels()
ABOVE = [c for c in CHANNEL_IDS if controls.applies(MODELS[c], A)]


def test_some_channels_are_above_appetite() -> None:
    assert ABOVE
    assert "utrn-keypad" not in ABOVE


@pytest.mark.parametrize("channel_id", ABOVE)
def test_optimum_matches_brute_force_and_replays(channel_id: str) -> None:
    reference = cheapest_control_set(load_channels([channel_id])[channel_id], A)
    finding = controls.check(MODELS[channel_id], A)
    if reference is None:
        assert finding.status == "refuted" and finding.trace["unsat_core"]
    else:
        assert finding.status == "proved"
        assert set(finding.trace["controls"]) == set(reference[0])
        assert finding.trace["cost_gbp"] == reference[1]
    assert replay(finding.trace).reproduced


def test_budget_too_small_gives_an_unsat_core_naming_the_budget() -> None:
    channel_id = next(c for c in ABOVE if controls.check(MODELS[c], A).status == "proved"
                      and controls.check(MODELS[c], A).trace["cost_gbp"] > 0)
    finding = controls.check(MODELS[channel_id], A, budget_gbp=1)
    assert finding.status == "refuted"
    assert any(item.startswith("budget") for item in finding.trace["unsat_core"])
