"""Conformance: each proof's transition system checked against the code it is about.

A proof is only evidence about the devices if the model it proves is what the devices do (the
ShardStore practice: a small model checked continuously against the implementation with
property-based tests). For every proof family with a device counterpart, a Hypothesis state machine
(:mod:`.machine`) applies the same actions to the devices in ``model.devices`` and to the family's
own z3 transition system evaluated on concrete states (:mod:`.concrete`: the very ``System`` the
proof uses, not a copy). After every step it checks that the abstraction of the device state is a
state the relation reaches and that accept/refuse outcomes agree.

Public API:

- :class:`Family`: one conformance check (a key, and the function that runs it under a
  :class:`Budget`); the ``*_family`` constructors below build them from the same parameters the
  proofs use, and :mod:`proofs.runner` attaches one to every property.
- :class:`Ledger`: runs each family at most once per ``nowan prove`` run and keeps its
  :class:`Evidence` (status ``conforms`` | ``diverges``, checked steps, examples, seed, first
  divergent step).
- :data:`SMOKE`: the bounded, seeded budget of ``nowan prove`` and ``assess``; the test suite runs
  the same machines longer (``ci`` profile).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from typing import TYPE_CHECKING

from nowan.model.devices.flaws import Flaw
from nowan.proofs.conformance import bruteforce, commands, mp169, pairing, relay, utrn
from nowan.proofs.conformance.machine import CONFORMS, DIVERGES, SMOKE, Budget, Divergence, Evidence

if TYPE_CHECKING:
    from nowan.proofs.bruteforce import Lockout

NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class Family:
    """A conformance check: ``key`` names the model and parameters; ``run`` performs it.

    ``detects``: the seeded flaws that must make it diverge (each weakens a check its relation
    models), so a family that conforms with every device is shown not to conform vacuously.
    """

    key: str
    run: Callable[[Budget, frozenset[Flaw]], Evidence] = field(compare=False)
    detects: frozenset[Flaw] = field(default=frozenset(), compare=False)


@dataclass
class Ledger:
    """Evidence per family key for one run: a family shared by several properties runs once."""

    budget: Budget = SMOKE
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def get(self, family: Family) -> Evidence:
        if family.key not in self.evidence:
            self.evidence[family.key] = family.run(self.budget, frozenset())
        return self.evidence[family.key]


def utrn_family(paths: tuple[str, ...], cache_size: int | None) -> Family:
    """Family 1 on the channel's UTRN paths (both reconstruction policies)."""
    size = 0 if cache_size == 0 else None
    return Family(f"utrn-cell[{'+'.join(paths)}{',no-cache' if size == 0 else ''}]",
                  lambda budget, flaws: utrn.check(paths, size, budget, flaws),
                  frozenset({Flaw.NO_DUPLICATE_CHECK, Flaw.SHORT_MAC_COMPARE, Flaw.NON_ATOMIC_UTRN_CHECK,
                             Flaw.NO_FLOOR_CHECK}))


def mp169_family() -> Family:
    """Family 6: the DCC's MP169 rules (one relation for the three behavioural properties)."""
    return Family("mp169", lambda budget, flaws: mp169.check(budget, flaws),
                  frozenset({Flaw.MP169_ANY_SENDER, Flaw.MP169_NOT_ENFORCED, Flaw.MP169_CLEARED_ON_COS}))


def commands_family(floor: bool) -> Family:
    """Family 2: A-REPLAY cells (``command-anti-replay``) or cells with floors (``command-floor``)."""
    return Family("command-floor" if floor else "command-cell",
                  lambda budget, flaws: commands.check(budget, flaws, floor=floor),
                  frozenset({Flaw.NO_FLOOR_CHECK if floor else Flaw.COUNTER_EQUAL_ACCEPTED}))


def relay_family() -> Family:
    """Family 5: the PPMID relay in front of the ESME (``relay-no-forgery``)."""
    return Family("relay", lambda budget, flaws: relay.check(budget, flaws),
                  frozenset({Flaw.COUNTER_EQUAL_ACCEPTED, Flaw.CRITICAL_SIGNATURE_UNCHECKED}))


def pairing_family(window: float, claim: float) -> Family:
    """Family 4: the hub's inter-PAN window as the proof has it, and a short-window variant."""
    return Family(f"pairing[window {window:g} s]", lambda budget, flaws: pairing.check(window, claim, budget, flaws),
                  frozenset({Flaw.DEVICE_LOG_BYPASS}))


def lockout_family(lock: "Lockout", path: str, covers_han: bool) -> Family:
    """Family 3: the meter's lockout against the schedule program for the step's lockout and path."""
    key = (f"lockout[{path}, f={lock.max_failures}, w={lock.window_s:g} s, l={lock.lock_s:g} s, "
           f"{lock.entry_s:g} s/guess, {'covered' if lock.covers_path else 'not covered'}]")
    return Family(key, lambda budget, flaws: bruteforce.check(lock, path, covers_han, budget, flaws),
                  frozenset({Flaw.LOCKOUT_OFF}))


__all__ = ["bruteforce", "commands", "mp169", "pairing", "relay", "utrn", "CONFORMS", "DIVERGES", "NOT_APPLICABLE", "SMOKE", "Budget", "Divergence", "Evidence", "Family",
           "Ledger", "commands_family", "lockout_family", "mp169_family", "pairing_family", "relay_family",
           "utrn_family"]
