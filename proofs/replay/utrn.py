"""Replay of family-1/2 UTRN traces on the ESME: real UTRNs minted for the traced counters."""
from __future__ import annotations

from typing import Any

from nowan.model.devices import Scenario
from nowan.proofs.replay import register
from nowan.proofs.replay.base import Replay, scenario


def _utrn(sc: Scenario, upper: int) -> str:
    return sc.mint("esme", 100, counter=upper << 32)


def _wan(sc: Scenario, upper: int) -> dict[str, Any]:
    utrn = _utrn(sc, upper)
    sub = sc.dcc.submit(sc.supplier.eui, sc.supplier.topup_command(sc.esme.eui, utrn, upper << 32, kind="esme"))
    assert sub.frame is not None, sub
    return sc.hub.receive_wan(sub.frame).to_dict()


def run_cell_steps(sc: Scenario, steps: list[dict[str, Any]], floor: int) -> list[dict[str, Any]]:
    """Perform enter / begin / finish / replace-credentials steps; returns what the meter said."""
    meter = sc.esme
    meter.replace_supplier(meter.supplier, pp_floor=floor << 32)
    tickets: dict[str, Any] = {}
    observed = []
    for step in steps:
        action = step["action"]
        if action == "replace-credentials":
            meter.replace_supplier(meter.supplier, pp_floor=int(step["floor"]) << 32)
            observed.append({"action": action, "floor": step["floor"]})
            continue
        path, upper = step["path"], int(step["counter"])
        if action == "enter" and path == "wan":
            out = _wan(sc, upper)
        elif action == "enter":
            out = meter.enter_utrn(_utrn(sc, upper), path).to_dict()
        elif action == "begin":
            tickets[path] = meter.begin_utrn(_utrn(sc, upper), path)
            out = {"accepted": None, "reason": "pending"}
        else:
            out = meter.finish_utrn(tickets.pop(path)).to_dict()
        observed.append({"action": action, "path": path, "counter": upper, "accepted": out["accepted"],
                         "reason": out["reason"]})
    return observed


@register("utrn-cell")
def replay_cell(trace: dict[str, Any]) -> Replay:
    """Reproduced if the meter's own credit records show the traced double credit / sub-floor credit."""
    sc = scenario(trace)
    observed = run_cell_steps(sc, trace["steps"], int(trace["params"]["floor"]))
    uppers = [r.upper for r in sc.esme.credited]
    if trace["property"] == "utrn-floor":
        bad = [r.upper for r in sc.esme.credited if r.upper <= sc.esme.utrn_cell.floor_hi]
        return Replay(bool(bad), observed, f"credited at or below the floor: {bad}")
    twice = sorted({u for u in uppers if uppers.count(u) > 1})
    return Replay(bool(twice), observed, f"counters credited twice: {twice}")


@register("utrn-availability")
def replay_availability(trace: dict[str, Any]) -> Replay:
    """Reproduced if issue order credits every UTRN and the traced order rejects the traced ones."""
    floor = int(trace["params"]["floor"])
    in_order = run_cell_steps(scenario(trace), [{"action": "enter", "path": "keypad", "counter": u}
                                                for u in trace["issued"]], floor)
    observed = run_cell_steps(scenario(trace), trace["steps"], floor)
    same = [o["accepted"] for o in observed] == [s["accepted"] for s in trace["steps"]]
    ok = all(o["accepted"] for o in in_order) and same and not all(o["accepted"] for o in observed)
    return Replay(ok, observed, "issue order: all credited; traced order: "
                  + ", ".join(f"{o['counter']}:{o['reason']}" for o in observed))


@register("utrn-wrap")
def replay_wrap(trace: dict[str, Any]) -> Replay:
    """Reproduced if every in-order UTRN before the traced one is credited and the traced one is not."""
    (step,) = trace["steps"]
    first, last = int(step["first"]), int(step["last"])
    sc = scenario(trace)
    sc.esme.replace_supplier(sc.esme.supplier, pp_floor=int(trace["params"]["floor"]) << 32)
    observed = []
    for upper in range(first, last + 1):  # 1 p each, so 1024 top-ups stay under the balance limit
        out = sc.esme.enter_utrn(sc.mint("esme", 1, counter=upper << 32), "keypad")
        observed.append({"counter": upper, "accepted": out.accepted, "reason": out.reason.value})
    before, final = observed[:-1], observed[-1]
    ok = all(o["accepted"] for o in before) and not final["accepted"]
    return Replay(ok, [final], f"{sum(o['accepted'] for o in before)}/{len(before)} in-order UTRNs credited; "
                               f"counter {final['counter']}: {final['reason']}")
