"""Replay of pairing traces on the Comms Hub: clock, power cycles, a rogue ZSE device."""
from __future__ import annotations

from typing import Any

from nowan.model.devices import HanMessage
from nowan.model.devices.meter import HAN_EMERGENCY_CREDIT
from nowan.model.devices.scenario import ROGUE_EUI
from nowan.proofs.replay import register
from nowan.proofs.replay.base import Replay, scenario


@register("pairing")
def replay_pairing(trace: dict[str, Any]) -> Replay:
    sc = scenario(trace)
    claim = float(trace["claim_window_s"])
    observed, late_join, leaked = [], False, False
    for step in trace["steps"]:
        action = step["action"]
        if action == "advance":
            sc.clock.advance(float(step["seconds"]))
            out = None
        elif action == "power-cycle":
            sc.hub.power_cycle()
            out = None
        elif action == "rogue-join":
            gap = sc.clock.now - sc.hub.powered_on_at
            out = sc.rogue().commission(sc.hub, "ppmid")
            late_join |= out.accepted and ROGUE_EUI in sc.hub.device_log and gap > claim
        else:
            msg = HanMessage(ROGUE_EUI, sc.esme.eui, HAN_EMERGENCY_CREDIT["esme"])
            out = sc.hub.han_send(msg)
            leaked |= out.reason.value != "not-on-device-log" and ROGUE_EUI not in sc.hub.device_log
        observed.append({"action": action, "t": sc.clock.now,
                         **({"accepted": out.accepted, "reason": out.reason.value} if out else {})})
    return Replay(late_join or leaked, observed,
                  "rogue joined outside the window" if late_join else
                  "hub passed a rogue's HAN message" if leaked else "no violation on the devices")
