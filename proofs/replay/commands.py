"""Replay of family-2 traces: real Supplier-signed, ACB-protected frames delivered to the ESME."""
from __future__ import annotations

from typing import Any

from nowan.proofs.replay import register
from nowan.proofs.replay.base import Replay, scenario

#: A replay-protected MP094 command whose re-execution is visible in the meter's ``executed`` list.
COMMAND, VALUE = "add-debt", 100


@register("command-cell")
def replay_cells(trace: dict[str, Any]) -> Replay:
    """Each delivered counter becomes a real frame (cell 0 = the responsible Supplier)."""
    sc = scenario(trace)
    if any(step["cell"] != 0 for step in trace["steps"]):
        return Replay(False, [], "the devices have one Supplier cell per meter; trace uses more")
    relay = trace.get("bearer") == "ppmid"
    frames: dict[int, bytes] = {}
    observed = []
    for step in trace["steps"]:
        if step["action"] == "replace-credentials":
            sc.esme.replace_supplier(sc.esme.supplier, pp_floor=sc.esme.utrn_cell.floor,
                                     command_floor=int(step["floor"]))
            observed.append({"action": "replace-credentials", "floor": step["floor"]})
            continue
        counter = int(step["counter"])
        first = counter not in frames
        if first:
            sc.supplier.command_counter = counter - 1
            frame = sc.send_command("esme", COMMAND, VALUE)
            assert frame is not None
            frames[counter] = frame
        if not relay:
            out = sc.hub.receive_wan(frames[counter])
        elif first:  # the Supplier sends it over Wi-Fi and the PPMID forwards it
            sc.ppmid.receive_wifi(frames[counter])
            out = sc.ppmid.forward(len(sc.ppmid.inbox) - 1)
        else:  # the PPMID replays a frame it has seen
            out = sc.ppmid.replay(sc.ppmid.seen.index(frames[counter]))
        observed.append({"counter": counter, "accepted": out.accepted, "reason": out.reason.value})
    runs = [e.counter for e in sc.esme.executed]
    if trace["property"] == "command-floor":
        floors = [int(s["floor"]) for s in trace["steps"] if s["action"] == "replace-credentials"]
        low = [e.counter for e in sc.esme.executed if floors and e.counter <= max(floors)]
        return Replay(bool(low), observed, f"executed at or below the floor {max(floors, default=None)}: {low}")
    twice = sorted({k for k in runs if runs.count(k) > 1})
    return Replay(bool(twice), observed, f"counters executed twice: {twice}")
