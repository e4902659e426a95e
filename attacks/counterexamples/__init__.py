"""The premises that replay z3 counterexamples, one per proof trace ``world``.

A refuted proof emits a trace in the one trace format (:mod:`nowan.model.traces`) naming one of
these worlds; :func:`nowan.attacks.replay.replay` runs it through the same loop as a fuzz finding.
"""
from __future__ import annotations

from nowan.attacks.counterexamples.base import CounterexampleWorld
from nowan.attacks.counterexamples.bruteforce import BruteforceWorld
from nowan.attacks.counterexamples.commands import CommandCellWorld
from nowan.attacks.counterexamples.controls import ControlSetWorld
from nowan.attacks.counterexamples.mp169 import Mp169FlagWorld
from nowan.attacks.counterexamples.pairing import PairingWindowWorld
from nowan.attacks.counterexamples.relay import RelayAvailabilityWorld, RelayForgeryWorld, RelayReorderWorld
from nowan.attacks.counterexamples.utrn import UtrnAvailabilityWorld, UtrnCellWorld, UtrnWrapWorld

#: World name (a trace's ``world``) -> the premises that executes it.
WORLDS: dict[str, type[CounterexampleWorld]] = {
    "utrn-cell": UtrnCellWorld, "utrn-availability": UtrnAvailabilityWorld, "utrn-wrap": UtrnWrapWorld,
    "command-cell": CommandCellWorld, "bruteforce": BruteforceWorld, "pairing": PairingWindowWorld,
    "relay-availability": RelayAvailabilityWorld, "relay-reorder": RelayReorderWorld,
    "relay-forgery": RelayForgeryWorld, "mp169": Mp169FlagWorld, "control-set": ControlSetWorld,
}

__all__ = ["WORLDS", "CounterexampleWorld"]
