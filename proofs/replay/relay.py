"""Replay of the relay traces on the devices: real frames queued at the PPMID, withheld, reordered or forged.

One interpreter runs both kinds; the relay's choice (withhold or deliver, the traced order or the
issue order) is the only thing that differs between the harmful run and the reference run.
"""
from __future__ import annotations

from typing import Any

from nowan.model.devices.account import SUPPLY_OFF
from nowan.model.devices.commands import COMMANDS, encode_command
from nowan.model.devices.scenario import Scenario
from nowan.model.gbcs.crypto import CRA_COMMAND
from nowan.model.gbcs.envelope import MAC_LEN, GeneralCiphering, GeneralSigning, other_info_for
from nowan.proofs.replay import register
from nowan.proofs.replay.base import Replay, scenario

#: The command the Supplier issues in a forgery trace, and the one the relay forges (both add-debt).
FORGED = ("add-debt", 100)


def _relay_step(sc: Scenario, step: dict[str, Any], deliver: bool, order: list[int]) -> dict[str, Any]:
    """The PPMID's move: withhold (or, for the reference run, deliver) the queued frame, or forward one."""
    if step["action"] == "relay-withholds":
        if deliver:
            return {"action": "relay-forwards", "accepted": sc.ppmid.forward(0).accepted}
        return {"action": "relay-withholds", "dropped": sc.ppmid.drop(0)}
    issued = order.pop(0)
    out = sc.ppmid.forward(sc.ppmid.inbox.index(sc.ppmid.seen[issued]))  # a queued frame, maybe out of turn
    return {"action": "relay-forwards", "issued": issued, "accepted": out.accepted, "reason": out.reason.value}


def _run(trace: dict[str, Any], *, deliver: bool = False, in_issue_order: bool = False) -> tuple[str, list[dict[str, Any]]]:
    sc = scenario(trace)
    observed = []
    forwards = [s["issued"] for s in trace["steps"] if s["action"] == "relay-forwards"]
    order = sorted(forwards) if in_issue_order else list(forwards)
    for step in trace["steps"]:
        action = step["action"]
        if action == "keypad-topup":
            out = sc.esme.enter_utrn(sc.mint("esme", int(step["pence"])), "keypad")
            observed.append({"action": action, "accepted": out.accepted})
        elif action in ("supplier-sends-topup", "supplier-sends-command"):
            frame = (sc.wan_topup_frame("esme", int(step["pence"])) if action == "supplier-sends-topup"
                     else sc.send_command("esme", step["command"], step["value"]))
            assert frame is not None
            sc.ppmid.receive_wifi(frame)
            observed.append({"action": action, "queued": len(sc.ppmid.inbox)})
        elif action in ("relay-withholds", "relay-forwards"):
            observed.append(_relay_step(sc, step, deliver, order))
        else:
            observed.append({"action": action, "charged": sc.esme.consume(int(step["kwh"]))})
    return sc.esme.account.supply, observed


@register("relay-availability")
def replay_withholding(trace: dict[str, Any]) -> Replay:
    """Reproduced if withholding ends with the supply off and delivering does not."""
    withheld, observed = _run(trace)
    delivered, _ = _run(trace, deliver=True)
    return Replay(withheld == SUPPLY_OFF and delivered != SUPPLY_OFF, observed,
                  f"supply {withheld} when withheld, {delivered} when delivered")


@register("relay-reorder")
def replay_reorder(trace: dict[str, Any]) -> Replay:
    """Reproduced if the traced order ends off supply and the issue order does not."""
    reordered, observed = _run(trace)
    intended, _ = _run(trace, in_issue_order=True)
    return Replay(reordered == SUPPLY_OFF and intended != SUPPLY_OFF, observed,
                  f"supply {reordered} when reordered, {intended} in issue order")


def _forge(sc: Scenario, counter: int) -> dict[str, Any]:
    """The relay builds an unsigned add-debt frame and guesses the MAC's first byte (no keys)."""
    code = COMMANDS[FORGED[0]].code_for("esme", FORGED[1])
    signing = GeneralSigning(CRA_COMMAND, counter, sc.supplier.eui, sc.esme.eui, None, other_info_for(code),
                             encode_command(FORGED[0], counter, FORGED[1]), None)
    for guess in range(256):
        raw = GeneralCiphering(signing, bytes([guess]) + bytes(MAC_LEN - 1)).encode()
        out = sc.hub.han_relay_remote(sc.ppmid.eui, raw)
        if out.accepted:
            return {"action": "relay-forges", "counter": counter, "attempts": guess + 1, "accepted": True}
    return {"action": "relay-forges", "counter": counter, "attempts": 256, "accepted": False}


@register("relay-forgery")
def replay_forgery(trace: dict[str, Any]) -> Replay:
    """Reproduced if the meter executes a counter the Supplier never issued, or one counter twice."""
    sc = scenario(trace)
    issued: list[bytes] = []
    counters: list[int] = []
    observed = []
    for step in trace["steps"]:
        action = step["action"]
        if action == "supplier-issues":
            frame = sc.send_command("esme", *FORGED)
            assert frame is not None
            sc.ppmid.receive_wifi(frame)
            issued.append(frame)
            counters.append(sc.supplier.command_counter)
            observed.append({"action": action, "counter": counters[-1]})
        elif action == "relay-delivers":
            frame = issued[int(step["index"]) - 1]
            out = (sc.ppmid.forward(sc.ppmid.inbox.index(frame)) if frame in sc.ppmid.inbox
                   else sc.ppmid.replay(sc.ppmid.seen.index(frame)))
            observed.append({"action": action, "index": step["index"], "accepted": out.accepted})
        elif action == "relay-forges":
            observed.append(_forge(sc, sc.supplier.command_counter + int(step["index"])))
    runs = [e.counter for e in sc.esme.executed]
    forged = sorted(set(runs) - set(counters))
    twice = sorted({k for k in runs if runs.count(k) > 1})
    return Replay(bool(forged or twice), observed, f"executed, never issued: {forged}; executed twice: {twice}")
