"""Code mutants of the faithful devices are caught by short seeded campaigns, not only by unit tests.

Each mutant (attacks.mutants) is a realistic slip in one device method: the two defects the faithful
implementation once had, and the five misses of an earlier fuzzer (floor off-by-one, hub window,
UTRN authentication skipped on the CS01a/b path, cache eviction order, emergency-credit
re-activation). The campaign is bounded by rounds, not seconds, so what it explores is fixed by the
seed on any machine: a kill here is not a matter of the runner's speed.
"""
import math

import pytest

from nowan.attacks.campaign import run_harness
from nowan.attacks.findings import IMPLEMENTATION
from nowan.attacks.mutants import MUTANTS
from nowan.attacks.registry import harnesses
from nowan.model.assumptions import Assumptions

ROUNDS = 12


@pytest.mark.parametrize("name", list(MUTANTS))
def test_a_short_seeded_campaign_kills_each_code_mutant(name):
    mutant = MUTANTS[name]
    [h] = harnesses([mutant.channels[0]])
    with mutant.applied():
        run = run_harness(h, budget=math.inf, seed=0, assumptions=Assumptions(), stop_on_first=True,
                          max_rounds=ROUNDS)
        assert run.findings, f"{name} survived {ROUNDS} rounds ({run.examples} examples) on {h.channel}"
        [f] = run.findings
        assert f.kind == IMPLEMENTATION and f.invariant != "no-crash"
        assert h.replay(f.trace) is not None  # the saved trace reproduces with the mutant in place
    assert h.replay(f.trace) is None  # and is no finding on the faithful code


def test_a_mutant_is_restored_after_use():
    from nowan.model.devices.utrn_cache import UtrnCounterCache

    original = UtrnCounterCache.record
    with MUTANTS["cache-evicts-newest"].applied():
        assert UtrnCounterCache.record is not original
    assert UtrnCounterCache.record is original
