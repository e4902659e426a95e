"""Family 6: the MP169 reduced-communications flag as the DCC enforces it.

Applies to channels whose model has a step on the DCC's flag (target ``dcc-flag``) or a
``responsible-supplier-only`` control (:mod:`proofs.applicability`): today ``mp169-flag``.

- ``mp169-consistent``: the policy's rule sets do not overlap: no message code is both
  consumption-related (refused while the flag is set) and an alert (always served). Checked over the
  DCC's own code sets (``model.devices.dcc.CONSUMPTION_RELATED``, the catalogue's alerts).
- ``mp169-responsible-supplier``: only the responsible supplier changes the flag.
- ``mp169-blocks-consumption``: while the flag is set no consumption-related request is served,
  and alerts and firmware still are.
- ``mp169-survives-cos``: a change of supplier leaves the flag as it was.

The three behavioural properties share one transition system (flag, responsible supplier; steps
set-flag, request, change of supplier) and are proved by induction. Non-vacuity uses the DCC's
seeded flaws (``Flaw.MP169_ANY_SENDER``, ``MP169_NOT_ENFORCED``, ``MP169_CLEARED_ON_COS``; tests
only): the same encoding then finds a trace, and ``nowan.attacks.replay`` runs it on ``model.devices.Dcc``
(set/clear the flag, submit requests, change of supplier), where it reproduces only with the flaw.

Firmware: the message catalogue has no firmware-update message, so on the devices the "firmware"
class is replayed as a non-consumption Remote Party command (the DCC's rule is "everything that is
not consumption-related passes"); adding a catalogue entry would be the faithful fix.
"""
from __future__ import annotations

import z3

from nowan.model.devices.dcc import CONSUMPTION_RELATED
from nowan.model.devices.flaws import Flaw
from nowan.model.gbcs import codes
from nowan.proofs.engine import System, prove
from nowan.proofs.result import PROVED, REFUTED, Finding, counterexample

SET_FLAG, REQUEST, CHANGE_SUPPLIER = 0, 1, 2
CONSUMPTION, ALERT, FIRMWARE, OTHER = 0, 1, 2, 3
CLASS_NAMES = {CONSUMPTION: "consumption", ALERT: "alert", FIRMWARE: "firmware", OTHER: "other"}
I, B = z3.IntSort(), z3.BoolSort()
STATE = {"flag": B, "supplier": I}
#: ``ok``: the DCC accepts a set-flag request; ``served``: it serves a request. Both are the
#: relation's own outcomes, which conformance compares with the DCC's answers.
ACTION = {"kind": I, "sender": I, "value": B, "cls": I, "new_supplier": I, "served": B, "ok": B}


#: The DCC's seeded MP169 flaws, one per behavioural property (tests only).
WEAKENINGS = {"mp169-responsible-supplier": Flaw.MP169_ANY_SENDER,
              "mp169-blocks-consumption": Flaw.MP169_NOT_ENFORCED,
              "mp169-survives-cos": Flaw.MP169_CLEARED_ON_COS}


def system(prop: str, weak: frozenset[Flaw] = frozenset()) -> System:
    def may_set(s: dict, a: dict) -> z3.BoolRef:
        return z3.BoolVal(True) if Flaw.MP169_ANY_SENDER in weak else a["sender"] == s["supplier"]

    def serves(s: dict, a: dict) -> z3.BoolRef:
        blocked = z3.And(s["flag"], a["cls"] == CONSUMPTION)
        return z3.BoolVal(True) if Flaw.MP169_NOT_ENFORCED in weak else z3.Not(blocked)

    def trans(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
        k = a["kind"]
        cos_flag = z3.BoolVal(False) if Flaw.MP169_CLEARED_ON_COS in weak else s["flag"]
        return z3.Or(
            z3.And(k == SET_FLAG, a["ok"] == may_set(s, a), t["flag"] == z3.If(a["ok"], a["value"], s["flag"]),
                   t["supplier"] == s["supplier"]),
            z3.And(k == REQUEST, a["cls"] >= 0, a["cls"] <= OTHER, a["served"] == serves(s, a),
                   t["flag"] == s["flag"], t["supplier"] == s["supplier"]),
            z3.And(k == CHANGE_SUPPLIER, t["supplier"] == a["new_supplier"], t["flag"] == cos_flag))

    def bad(s: dict, a: dict, p: dict) -> z3.BoolRef:
        k = a["kind"]
        if prop == "mp169-responsible-supplier":
            return z3.And(k == SET_FLAG, may_set(s, a), a["value"] != s["flag"], a["sender"] != s["supplier"])
        if prop == "mp169-blocks-consumption":
            served = serves(s, a)
            return z3.And(k == REQUEST, s["flag"], z3.Or(z3.And(a["cls"] == CONSUMPTION, served),
                                                        z3.And(z3.Or(a["cls"] == ALERT, a["cls"] == FIRMWARE),
                                                               z3.Not(served))))
        cos_flag = z3.BoolVal(False) if Flaw.MP169_CLEARED_ON_COS in weak else s["flag"]
        return z3.And(k == CHANGE_SUPPLIER, cos_flag != s["flag"])

    return System(STATE, ACTION, init=lambda s, p: z3.BoolVal(True), trans=trans,
                  inv=lambda s, p: z3.BoolVal(True), bad=bad, observe=("flag", "supplier"))


def accepted(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
    """The DCC's answer in the relation: set-flag accepted (``ok``), request served, CoS always done."""
    return z3.If(a["kind"] == SET_FLAG, a["ok"], z3.If(a["kind"] == REQUEST, a["served"], z3.BoolVal(True)))


def consistent() -> Finding:
    """No code is both consumption-related and an alert (z3 over the DCC's own code sets)."""
    alerts = sorted(c for c, e in codes.catalogue().items() if e.kind == "alert")
    code = z3.Int("code")
    s = z3.Solver()
    s.add(z3.Or([code == c for c in sorted(CONSUMPTION_RELATED)]), z3.Or([code == c for c in alerts] or [False]))
    if s.check() == z3.unsat:
        return Finding(PROVED, None, f"{len(CONSUMPTION_RELATED)} consumption-related codes, {len(alerts)} alerts: disjoint")
    clash = s.model().eval(code).as_long()
    return Finding(REFUTED, counterexample("mp169-policy", "mp169-consistent", [], code=f"0x{clash:04X}",
                                           violation="a code is both blocked and always served"), "overlap")


def check(prop: str, weak: frozenset[Flaw] = frozenset()) -> Finding:
    if prop == "mp169-consistent":
        return consistent()
    verdict = prove(system(prop, weak), depth=3)
    if verdict.status == REFUTED:
        names = {SET_FLAG: "set-flag", REQUEST: "request", CHANGE_SUPPLIER: "change-supplier"}
        steps = [("legit" if r["sender"] == r["state"]["supplier"] else "attacker", names[r["kind"]],
                  {"sender": r["sender"], "value": r["value"],
                   "by_responsible_supplier": r["sender"] == r["state"]["supplier"],
                   "request": CLASS_NAMES.get(r["cls"], "other"), "state": r["state"]}) for r in verdict.steps]
        trace = counterexample("mp169", prop, steps, flaws=(w.name for w in weak), method=verdict.method,
                               violation=prop)
        return Finding(REFUTED, trace, f"{prop} violated")
    return Finding(verdict.status, None, verdict.method)


PROPERTIES = ("mp169-consistent", "mp169-responsible-supplier", "mp169-blocks-consumption", "mp169-survives-cos")
