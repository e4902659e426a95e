"""Seeded bugs: every deliberately broken variant is caught, and the faithful model gives no finding.

The default run hunts each flaw with a generous budget (stop at the first finding: each is caught in a
few seconds, and how many is a benchmark figure, bench/fuzz.py) and checks the faithful model on a few
channels for two seconds. In CI (``CI`` set, as every CI service does, or NOWAN_LONG_FUZZ=1 or the ci
Hypothesis profile) the full self-test also runs with the issue's budgets: every flaw killed within
20 s and every channel involved faithful for 20 s (about 2 minutes on 2 cores).
"""
import os

import pytest

from nowan.attacks.findings import IMPLEMENTATION
from nowan.attacks.selftest import BUDGET_S, SEEDED, hunt, hunting_grounds, run_selftest
from nowan.model.devices.flaws import Flaw

LONG = any(os.environ.get(v) for v in ("CI", "NOWAN_LONG_FUZZ")) or os.environ.get("HYPOTHESIS_PROFILE") == "ci"
#: Generous: a slow runner must not turn a kill into a miss (the 20 s claim is checked by the full self-test).
HUNT_BUDGET_S = 3 * BUDGET_S


def test_every_seeded_flaw_has_a_channel_to_catch_it():
    assert set(SEEDED) == set(Flaw)
    assert all(hunting_grounds(flaw) for flaw in Flaw)


@pytest.mark.parametrize("flaw", list(Flaw), ids=lambda f: f.name)
def test_each_seeded_bug_is_killed_within_the_budget(flaw):
    finding, _, examples = hunt(frozenset({flaw}), hunting_grounds(flaw), budget=HUNT_BUDGET_S, seed=0)
    assert finding is not None, f"{flaw.name} survived {HUNT_BUDGET_S} s"
    assert finding.kind == IMPLEMENTATION and examples > 0
    assert finding.trace.flaws == (flaw.name,)


def test_kill_rate_and_a_clean_faithful_model():
    result = run_selftest([Flaw.NO_DUPLICATE_CHECK, Flaw.CRITICAL_SIGNATURE_UNCHECKED, Flaw.DEVICE_LOG_BYPASS],
                          budget=HUNT_BUDGET_S, faithful_budget=2.0, seed=1)
    assert result.kill_rate == 1.0
    assert result.faithful_findings == []
    d = result.to_dict()
    assert d["kill_rate"] == 1.0 and {f["flaw"] for f in d["flaws"]} == {"NO_DUPLICATE_CHECK",
                                                                         "CRITICAL_SIGNATURE_UNCHECKED",
                                                                         "DEVICE_LOG_BYPASS"}


@pytest.mark.skipif(not LONG, reason="long campaign: runs in CI (CI, NOWAN_LONG_FUZZ=1 or HYPOTHESIS_PROFILE=ci)")
def test_full_self_test_over_the_issue_budgets():
    result = run_selftest(budget=BUDGET_S, seed=2)
    assert result.kill_rate == 1.0, [r.flaw.name for r in result.results if not r.caught]
    assert result.faithful_findings == []
