"""Replay of MP169 traces on the DCC: set/clear the flag, submit requests, change of supplier.

The trace's symbolic parties become the scenario's two suppliers: the step's sender is the
responsible supplier when the trace says so, otherwise the other supplier (another SEC party). The
flag starts as the trace's first state has it. Request classes map to real traffic: consumption ->
a Read Meter Balance (ECS82, 0x0069) submitted to the DCC; alert -> a CS14 alert frame the hub
raised, received by the DCC; firmware and other -> a non-consumption Remote Party command (the
catalogue has no firmware message; see :mod:`proofs.mp169`).
"""
from __future__ import annotations

from typing import Any

from nowan.model.devices.scenario import Scenario
from nowan.proofs.replay import register
from nowan.proofs.replay.base import Replay, scenario

READ_METER_BALANCE = 0x0069


def _served(sc: Scenario, cls: str, alerts: list[bytes]) -> bool:
    if cls == "consumption":
        return sc.dcc.submit(sc.supplier.eui, sc.supplier.raw_command(sc.esme.eui, READ_METER_BALANCE, b"")).frame \
            is not None
    if cls == "alert":
        return sc.dcc.receive_alert(alerts.pop(0)).accepted
    return sc.send_command("esme", "change-price", 20) is not None


@register("mp169")
def replay_mp169(trace: dict[str, Any]) -> Replay:
    """Reproduced if the DCC's own flag and answers break the traced property."""
    sc = scenario(trace)
    esme = sc.esme.eui
    alerts = list(sc.hub.cs14_alerts)
    if trace["steps"] and trace["steps"][0]["state"]["flag"]:
        sc.dcc.set_mp169(sc.supplier.eui, esme, True)
    prop, violated, observed = trace["property"], False, []
    for step in trace["steps"]:
        before = sc.dcc.devices[esme].mp169
        action = step["action"]
        if action == "set-flag":
            sender = sc.supplier if step["by_responsible_supplier"] else sc.supplier2
            out = sc.dcc.set_mp169(sender.eui, esme, bool(step["value"]))
            changed = sc.dcc.devices[esme].mp169 != before
            violated |= prop == "mp169-responsible-supplier" and changed and not step["by_responsible_supplier"]
            observed.append({"action": action, "responsible": step["by_responsible_supplier"],
                             "accepted": out.accepted, "flag": sc.dcc.devices[esme].mp169})
        elif action == "request":
            served = _served(sc, step["class"], alerts)
            wrong = served if step["class"] == "consumption" else not served and step["class"] in ("alert", "firmware")
            violated |= prop == "mp169-blocks-consumption" and before and wrong
            observed.append({"action": action, "class": step["class"], "flag": before, "served": served})
        else:
            sc.change_supplier()
            violated |= prop == "mp169-survives-cos" and sc.dcc.devices[esme].mp169 != before
            observed.append({"action": action, "flag_before": before, "flag_after": sc.dcc.devices[esme].mp169})
    return Replay(violated, observed, f"{prop} {'broken' if violated else 'held'} on the DCC")
