"""Pairing counterexamples on the Comms Hub: clock, power cycles, a rogue ZSE device.

Reproduced if the rogue joins more than the claimed window after the last power-on, or the hub
passes a HAN message from a device not on its log.
"""
from __future__ import annotations

from nowan.attacks.counterexamples.args import Record, takes
from nowan.attacks.counterexamples.base import SECONDS, CounterexampleWorld
from nowan.model.devices import HanMessage
from nowan.model.devices.meter import HAN_EMERGENCY_CREDIT
from nowan.model.devices.scenario import ROGUE_EUI
from nowan.model.traces import Trace


class PairingWindowWorld(CounterexampleWorld):
    reads = Record({"claim_window_s": SECONDS})

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.claim = float(self.evidence["claim_window_s"])
        self.late_join = self.leaked = False

    def _record(self, action: str, out: object = None) -> None:
        extra = {"accepted": out.accepted, "reason": out.reason.value} if out is not None else {}  # type: ignore[attr-defined]
        self.log.append({"action": action, "t": self.sc.clock.now, **extra})

    @takes(seconds=SECONDS)
    def do_advance(self, seconds: float) -> None:
        self.sc.clock.advance(float(seconds))
        self._record("advance")

    @takes()
    def do_power_cycle(self) -> None:
        self.sc.hub.power_cycle()
        self._record("power-cycle")

    @takes()
    def do_rogue_join(self) -> None:
        sc = self.sc
        gap = sc.clock.now - sc.hub.powered_on_at
        out = sc.rogue().commission(sc.hub, "ppmid")
        self.late_join |= out.accepted and ROGUE_EUI in sc.hub.device_log and gap > self.claim
        self._record("rogue-join", out)

    @takes()
    def do_rogue_send(self) -> None:
        sc = self.sc
        out = sc.hub.han_send(HanMessage(ROGUE_EUI, sc.esme.eui, HAN_EMERGENCY_CREDIT["esme"]))
        self.leaked |= out.reason.value != "not-on-device-log" and ROGUE_EUI not in sc.hub.device_log
        self._record("rogue-send", out)

    def verdict(self) -> tuple[bool, str]:
        return self.late_join or self.leaked, ("rogue joined outside the window" if self.late_join else
                                               "hub passed a rogue's HAN message" if self.leaked else
                                               "no violation on the devices")
