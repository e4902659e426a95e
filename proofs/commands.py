"""Family 2: A-REPLAY for Remote Party commands, per (originator, CRA) cell.

Applies to every channel whose model carries whole GBCS commands to the meter (the ``gbcs-e2e``
control blocking a ``replay`` step, :mod:`proofs.applicability`): ``wan`` (today's path), ``usb``
(the same frames on a USB file, forwarded by the PPMID) and ``wifi-ppmid-relay`` (SECMP0038: relayed
by the PPMID). ``utrn-extended`` and ``nfc`` carry their commands in UTRN blocks, whose counters
follow the UTRN cell (family 1), not this rule.

``command-anti-replay``: no command is executed twice in one cell, for unbounded runs and any
number of cells: the meter executes a replay-protected command only if its counter is strictly above
the last accepted in its cell (A-REPLAY). Inductive invariant: ``executed(cell, k) -> k <= last[cell]``.
Weakened with ``Flaw.COUNTER_EQUAL_ACCEPTED`` (``>=``), the same encoding finds the replay.

``command-floor``: the floor on credential change, per cell. The meter's steps include a
credential change that gives a cell a floor (``Meter.replace_supplier(command_floor=...)``); no
command whose counter is at or below its cell's floor is ever executed, for unbounded runs and any
floors. Inductive invariant: ``floor[cell] <= last[cell]`` (the floor raises the cell's last counter).
Weakened with ``Flaw.NO_FLOOR_CHECK`` (the floor is not applied), the encoding finds a command an
old credential signed going through after the change, and the trace replays on the ESME. The UTRN
floor of the PP-KA cell is ``utrn-floor`` (family 1).
"""
from __future__ import annotations

import z3

from nowan.model.devices.flaws import Flaw
from nowan.proofs.engine import System, prove
from nowan.proofs.result import REFUTED, Finding, counterexample

I, B = z3.IntSort(), z3.BoolSort()
STATE = {"last": z3.ArraySort(I, I), "executed": z3.ArraySort(I, z3.ArraySort(I, B))}
#: ``ran``: the meter executed the command (the relation's own answer, checked by conformance).
ACTION = {"cell": I, "counter": I, "deliver": B, "ran": B}
FLOOR_STATE = {"last": z3.ArraySort(I, I), "floor": z3.ArraySort(I, I)}
FLOOR_ACTION = {"cell": I, "counter": I, "change": B, "new_floor": I, "ran": B}


def system(flaws: frozenset[Flaw] = frozenset()) -> System:
    equal_ok = Flaw.COUNTER_EQUAL_ACCEPTED in flaws
    k = z3.Int("k")
    c = z3.Int("cell")

    def fresh_enough(s: dict, a: dict) -> z3.BoolRef:
        last = s["last"][a["cell"]]
        return a["counter"] >= last if equal_ok else a["counter"] > last

    def trans(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
        run = z3.And(a["deliver"], fresh_enough(s, a), a["counter"] >= 0)
        last = s["last"][a["cell"]]
        done = z3.Store(s["executed"], a["cell"], z3.Store(s["executed"][a["cell"]], a["counter"], True))
        return z3.And(a["ran"] == run, z3.If(
            run, z3.And(t["last"] == z3.Store(s["last"], a["cell"], z3.If(a["counter"] > last, a["counter"], last)),
                        t["executed"] == done),
            z3.And(t["last"] == s["last"], t["executed"] == s["executed"])))

    return System(
        STATE, ACTION,
        init=lambda s, p: z3.And(s["last"] == z3.K(I, -1), s["executed"] == z3.K(I, z3.K(I, False))),
        trans=trans,
        inv=lambda s, p: z3.ForAll([c, k], z3.Implies(s["executed"][c][k], k <= s["last"][c])),
        bad=lambda s, a, p: z3.And(a["deliver"], fresh_enough(s, a), s["executed"][a["cell"]][a["counter"]]))


def check(channel: str, flaws: frozenset[Flaw] = frozenset(), relayed: bool = False) -> Finding:
    """``relayed``: the channel's frames reach the meter through a store-and-forward PPMID (replay)."""
    verdict = prove(system(flaws), depth=3)
    if verdict.status != REFUTED:
        return Finding(verdict.status, None, verdict.method)
    cells = {row["cell"] for row in verdict.steps}
    steps = [("attacker", "deliver", {"cell": sorted(cells).index(row["cell"]), "counter": row["counter"]})
             for row in verdict.steps if row["deliver"]]
    violation = "a Remote Party command is executed twice in one cell"
    trace = counterexample("command-cell", "command-anti-replay", steps, channel=channel,
                           flaws=(f.name for f in flaws), method=verdict.method,
                           bearer="ppmid" if relayed else "wan", violation=violation)
    return Finding(REFUTED, trace, violation)


def floor_system(flaws: frozenset[Flaw] = frozenset()) -> System:
    """A-REPLAY cells with a credential change that sets a floor; bad = execute at or below the floor."""
    applied = Flaw.NO_FLOOR_CHECK not in flaws
    c = z3.Int("cell")

    def runs(s: dict, a: dict) -> z3.BoolRef:
        return z3.And(z3.Not(a["change"]), a["counter"] >= 0, a["counter"] > s["last"][a["cell"]])

    def trans(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
        last, cell = s["last"][a["cell"]], a["cell"]
        raised = z3.If(a["new_floor"] > last, a["new_floor"], last) if applied else last
        change = z3.And(a["change"], a["ran"], a["new_floor"] >= s["floor"][cell],
                        t["floor"] == z3.Store(s["floor"], cell, a["new_floor"]),
                        t["last"] == z3.Store(s["last"], cell, raised))
        deliver = z3.And(z3.Not(a["change"]), a["ran"] == runs(s, a), t["floor"] == s["floor"],
                         t["last"] == z3.If(runs(s, a), z3.Store(s["last"], cell, a["counter"]), s["last"]))
        return z3.Or(change, deliver)

    return System(
        FLOOR_STATE, FLOOR_ACTION,
        init=lambda s, p: z3.And(s["last"] == z3.K(I, -1), s["floor"] == z3.K(I, -1)),
        trans=trans,
        inv=lambda s, p: z3.ForAll([c], s["floor"][c] <= s["last"][c]),
        bad=lambda s, a, p: z3.And(runs(s, a), a["counter"] <= s["floor"][a["cell"]]))


def check_floor(channel: str, flaws: frozenset[Flaw] = frozenset(), relayed: bool = False) -> Finding:
    """``command-floor``: proved by induction, or a trace (change credentials, then an old counter runs)."""
    verdict = prove(floor_system(flaws), depth=3)
    if verdict.status != REFUTED:
        return Finding(verdict.status, None, verdict.method)
    cells = sorted({row["cell"] for row in verdict.steps})
    steps = [("legit", "replace-credentials", {"cell": cells.index(row["cell"]), "floor": row["new_floor"]})
             if row["change"] else
             ("attacker", "deliver", {"cell": cells.index(row["cell"]), "counter": row["counter"]})
             for row in verdict.steps]
    violation = "a command at or below its cell's floor is executed after a credential change"
    trace = counterexample("command-cell", "command-floor", steps, channel=channel, flaws=(f.name for f in flaws),
                           method=verdict.method, bearer="ppmid" if relayed else "wan", violation=violation)
    return Finding(REFUTED, trace, violation)
