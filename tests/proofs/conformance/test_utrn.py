"""Family 1 conformance: the faithful ESME conforms; seeded flaws and live code mutants do not."""
from __future__ import annotations

import pytest

from nowan.model.devices import Flaw
from nowan.model.devices.utrn_cache import UtrnCounterCache
from nowan.proofs.conformance import Budget, utrn as conf_utrn


@pytest.mark.parametrize("paths", [("keypad",), ("keypad", "han"), ("keypad", "wan")])
def test_faithful_meter_conforms_on_every_path_set(paths: tuple[str, ...], budget: Budget) -> None:
    ev = conf_utrn.check(paths, None, budget)
    assert ev.status == "conforms", ev.divergence
    assert ev.steps >= budget.examples  # both policies ran and checked steps


def test_no_cache_configuration_conforms_with_its_own_model(budget: Budget) -> None:
    assert conf_utrn.check(("keypad",), 0, budget).status == "conforms"


def test_a_duplicate_check_mutant_is_caught_with_the_divergent_step(monkeypatch: pytest.MonkeyPatch,
                                                                    budget: Budget) -> None:
    original = UtrnCounterCache.check

    def no_duplicate(self: UtrnCounterCache, upper: int, *, duplicate_check: bool = True,
                     floor_check: bool = True):  # noqa: ANN202
        return original(self, upper, duplicate_check=False, floor_check=floor_check)

    monkeypatch.setattr(UtrnCounterCache, "check", no_duplicate)
    ev = conf_utrn.check(("keypad",), None, budget)
    assert ev.status == "diverges"
    assert "device accepted, model refuses" in ev.divergence and ev.divergence.startswith("step ")


def test_an_eviction_order_mutant_is_caught(monkeypatch: pytest.MonkeyPatch, budget: Budget) -> None:
    def evict_largest(self: UtrnCounterCache, upper: int) -> None:
        self.entries.add(upper)
        while len(self.entries) > self.size:
            self.entries.discard(max(self.entries))

    monkeypatch.setattr(UtrnCounterCache, "record", evict_largest)
    assert conf_utrn.check(("keypad",), None, budget).status == "diverges"
