"""Conformance of family 4 (``pairing-window``) with the Comms Hub's inter-PAN window and device log.

The model is :func:`proofs.pairing.system` with the window the proof uses for the channel (infinite
when A-60MIN is removed) and, as a deliberate variant that makes the window code run within a few
steps, a 600 s window. Abstraction of the hub: ``now`` = the shared clock, ``powered_on_at`` = the
hub's last power-on, ``on_log`` = a rogue ZigBee SE device is on the hub's log and joined. Ghost:
the gap between power-on and the rogue's join.

Actions: ``advance`` the clock (around the window's edges), ``power-cycle`` the hub, the rogue's
inter-PAN ``join`` (CBKE with a valid certificate, then the ZigBee join), and a HAN ``send`` from the
rogue to the ESME. A refusal leaves the state as it was (the relation has no step for it). ``send``
counts as accepted when the hub passed the frame on (whatever the meter then did with it).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw, HanMessage, Scenario
from nowan.model.devices.meter import HAN_EMERGENCY_CREDIT
from nowan.model.devices.outcomes import Reason
from nowan.model.devices.scenario import ROGUE_EUI
from nowan.proofs import pairing
from nowan.proofs.conformance.concrete import ConcreteModel, Values
from nowan.proofs.conformance.machine import Budget, ConformanceMachine, Evidence, run_variants

SHORT_WINDOW_S = 600.0


class PairingMachine(ConformanceMachine):
    """The hub against ``pairing.system(window, claim)``."""

    window: ClassVar[float] = math.inf
    claim: ClassVar[float] = 3600.0

    @initialize()
    def build(self) -> None:
        self.sc = Scenario.build(Assumptions({"pairing.window_s": self.window}), self.device_flaws)
        self.begin(ConcreteModel(pairing.system(self.window, self.claim), {}, ("now", "powered_on_at", "on_log")),
                   self.abstract)

    def abstract(self) -> Values:
        hub = self.sc.hub
        return {"now": Fraction(self.sc.clock.now), "powered_on_at": Fraction(hub.powered_on_at),
                "on_log": hub.on_log(ROGUE_EUI)}

    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        edge = SHORT_WINDOW_S if math.isinf(self.window) else self.window
        seconds = data.draw(st.sampled_from([1, 60, edge - 1, edge, edge + 1, 2 * edge]))
        self.sc.clock.advance(float(seconds))
        self.check(f"advance {seconds:g} s", {"kind": pairing.ADVANCE, "seconds": Fraction(seconds)}, True)

    @rule()
    def power_cycle(self) -> None:
        self.sc.hub.power_cycle()
        self.check("power-cycle", {"kind": pairing.POWER_CYCLE}, True)

    @rule()
    def rogue_join(self) -> None:
        out = self.sc.rogue().commission(self.sc.hub, "ppmid")
        self.check("rogue-join", {"kind": pairing.JOIN}, out.accepted)

    @rule()
    def rogue_send(self) -> None:
        out = self.sc.hub.han_send(HanMessage(ROGUE_EUI, self.sc.esme.eui, HAN_EMERGENCY_CREDIT["esme"]))
        self.check("rogue-send", {"kind": pairing.SEND}, out.reason is not Reason.NOT_ON_DEVICE_LOG)


def check(window: float, claim: float, budget: Budget, flaws: frozenset[Flaw] = frozenset()) -> Evidence:
    """The proof's window, then the short variant; the first divergence wins."""
    return run_variants([(type("Pairing", (PairingMachine,), {"window": w, "claim": claim, "device_flaws": flaws}),
                          f"pairing[window {w:g} s]") for w in dict.fromkeys((window, SHORT_WINDOW_S))],
                        f"pairing[window {window:g} s]", budget)
