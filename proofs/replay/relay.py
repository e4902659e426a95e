"""Replay of the relay availability trace: a real CS01a frame withheld by the PPMID."""
from __future__ import annotations

from typing import Any

from model.devices.account import SUPPLY_OFF
from proofs.replay import register
from proofs.replay.base import Replay, scenario


def _run(trace: dict[str, Any], deliver: bool) -> tuple[str, list[dict[str, Any]]]:
    sc = scenario(trace)
    observed = []
    for step in trace["steps"]:
        action = step["action"]
        if action == "keypad-topup":
            out = sc.esme.enter_utrn(sc.mint("esme", int(step["pence"])), "keypad")
            observed.append({"action": action, "accepted": out.accepted})
        elif action == "supplier-sends-topup":
            frame = sc.wan_topup_frame("esme", int(step["pence"]))
            assert frame is not None
            sc.ppmid.receive_wifi(frame)
            observed.append({"action": action, "queued": len(sc.ppmid.inbox)})
        elif action == "relay-withholds":
            if deliver:
                out = sc.ppmid.forward(0)
                observed.append({"action": "relay-forwards", "accepted": out.accepted})
            else:
                observed.append({"action": action, "dropped": sc.ppmid.drop(0)})
        else:
            observed.append({"action": action, "charged": sc.esme.consume(int(step["kwh"]))})
    return sc.esme.account.supply, observed


@register("relay-availability")
def replay_withholding(trace: dict[str, Any]) -> Replay:
    """Reproduced if withholding ends with the supply off and delivering does not."""
    withheld, observed = _run(trace, deliver=False)
    delivered, _ = _run(trace, deliver=True)
    return Replay(withheld == SUPPLY_OFF and delivered != SUPPLY_OFF, observed,
                  f"supply {withheld} when withheld, {delivered} when delivered")
