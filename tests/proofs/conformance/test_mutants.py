"""Live code mutants (monkeypatched device methods) that no seeded Flaw covers make conformance fail."""
from __future__ import annotations

import math

import pytest

from nowan.model.devices.hub import CommsHub
from nowan.model.devices.lockout import Lockout as DeviceLockout
from nowan.proofs.bruteforce import Lockout
from nowan.proofs.conformance import Budget, bruteforce, pairing


def test_a_hub_that_never_closes_its_window_diverges_on_the_short_window(monkeypatch: pytest.MonkeyPatch,
                                                                         budget: Budget) -> None:
    monkeypatch.setattr(CommsHub, "inter_pan_open", lambda self: True)
    ev = pairing.check(math.inf, 3600.0, budget)
    assert ev.status == "diverges" and "rogue-join" in ev.divergence


def test_a_lockout_that_forgets_failures_too_early_diverges(monkeypatch: pytest.MonkeyPatch, budget: Budget) -> None:
    original = DeviceLockout._trim
    monkeypatch.setattr(DeviceLockout, "_trim", lambda self, now: original(self, now + self.window_s))
    ev = bruteforce.check(Lockout(5, 600.0, 600.0, 10.0, True), "keypad", True, budget)
    assert ev.status == "diverges"
