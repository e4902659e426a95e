"""Every seeded ``Flaw`` makes the conformance of the families it touches fail (model stays faithful).

Which flaws each family must see is declared with the family (``Family.detects``); the families
here are built by the same constructors ``nowan prove`` uses.
"""
from __future__ import annotations

import math

import pytest

from nowan.model.devices import Flaw
from nowan.proofs.bruteforce import Lockout
from nowan.proofs.conformance import (Budget, Family, commands_family, lockout_family, mp169_family, pairing_family,
                                      relay_family, utrn_family)

FAMILIES: list[Family] = [
    utrn_family(("keypad", "han"), None), commands_family(floor=False), commands_family(floor=True), relay_family(),
    pairing_family(math.inf, 3600.0), lockout_family(Lockout(5, 600.0, 600.0, 10.0, True), "keypad", True),
    mp169_family(),
]


def test_every_flaw_is_detected_by_some_family() -> None:
    assert set().union(*(f.detects for f in FAMILIES)) == set(Flaw)


@pytest.mark.parametrize("family, flaw", [(fam, f) for fam in FAMILIES for f in sorted(fam.detects, key=lambda x: x.name)],
                         ids=lambda x: x.name if isinstance(x, Flaw) else x.key)
def test_a_flaw_makes_its_families_diverge(family: Family, flaw: Flaw, budget: Budget) -> None:
    ev = family.run(budget, frozenset({flaw}))
    assert ev.status == "diverges", f"{flaw.name} not seen by {family.key} in {ev.steps} steps"
    assert ev.divergence.startswith("step ")


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_the_faithful_devices_conform(family: Family, budget: Budget) -> None:
    ev = family.run(budget, frozenset())
    assert ev.status == "conforms", ev.divergence
    assert ev.steps > 0
