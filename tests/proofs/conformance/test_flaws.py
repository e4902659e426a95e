"""Every seeded ``Flaw`` makes the conformance of the families it touches fail (model stays faithful)."""
from __future__ import annotations

import math
from typing import Callable

import pytest

from nowan.model.devices import Flaw
from nowan.proofs.bruteforce import Lockout
from nowan.proofs.conformance import Budget, Evidence, bruteforce, commands, mp169, pairing, relay, utrn

Run = Callable[[Budget, frozenset[Flaw]], Evidence]
FAMILIES: dict[str, Run] = {
    "utrn-cell": lambda b, f: utrn.check(("keypad", "han"), None, b, f),
    "command-cell": lambda b, f: commands.check(b, f),
    "command-floor": lambda b, f: commands.check(b, f, floor=True),
    "relay": lambda b, f: relay.check(b, f),
    "pairing": lambda b, f: pairing.check(math.inf, 3600.0, b, f),
    "lockout": lambda b, f: bruteforce.check(Lockout(5, 600.0, 600.0, 10.0, True), "keypad", True, b, f),
    "mp169": lambda b, f: mp169.check(b, f),
}
#: Which families each flaw touches (the property it names, and every model whose step it changes).
TOUCHES: dict[Flaw, tuple[str, ...]] = {
    Flaw.NO_DUPLICATE_CHECK: ("utrn-cell",),
    Flaw.COUNTER_EQUAL_ACCEPTED: ("command-cell", "relay"),
    Flaw.LOCKOUT_OFF: ("lockout",),
    Flaw.DEVICE_LOG_BYPASS: ("pairing",),
    Flaw.SHORT_MAC_COMPARE: ("utrn-cell",),
    Flaw.CRITICAL_SIGNATURE_UNCHECKED: ("relay",),
    Flaw.NON_ATOMIC_UTRN_CHECK: ("utrn-cell",),
    Flaw.NO_FLOOR_CHECK: ("utrn-cell", "command-floor"),
    Flaw.MP169_ANY_SENDER: ("mp169",),
    Flaw.MP169_NOT_ENFORCED: ("mp169",),
    Flaw.MP169_CLEARED_ON_COS: ("mp169",),
}


def test_the_table_covers_every_flaw() -> None:
    assert set(TOUCHES) == set(Flaw)


@pytest.mark.parametrize("flaw, family", [(f, fam) for f, fams in TOUCHES.items() for fam in fams],
                         ids=lambda x: x.name if isinstance(x, Flaw) else x)
def test_a_flaw_makes_its_families_diverge(flaw: Flaw, family: str, budget: Budget) -> None:
    ev = FAMILIES[family](budget, frozenset({flaw}))
    assert ev.status == "diverges", f"{flaw.name} not seen by {family} in {ev.steps} steps"
    assert ev.divergence.startswith("step ")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_faithful_devices_conform(family: str, budget: Budget) -> None:
    ev = FAMILIES[family](budget, frozenset())
    assert ev.status == "conforms", ev.divergence
    assert ev.steps > 0
