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

The prepayment floor on credential change is the ``utrn-floor`` property of family 1: the meter
keeps a floor only for its PP-KA cell (see the report for the gap on command cells).
"""
from __future__ import annotations

import z3

from model.devices.flaws import Flaw
from proofs.engine import System, prove
from proofs.result import REFUTED, Finding

I, B = z3.IntSort(), z3.BoolSort()
STATE = {"last": z3.ArraySort(I, I), "executed": z3.ArraySort(I, z3.ArraySort(I, B))}
ACTION = {"cell": I, "counter": I, "deliver": B}


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
        return z3.If(run, z3.And(t["last"] == z3.Store(s["last"], a["cell"], z3.If(a["counter"] > last, a["counter"], last)),
                                 t["executed"] == done),
                     z3.And(t["last"] == s["last"], t["executed"] == s["executed"]))

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
    steps = [{"action": "deliver", "cell": sorted(cells).index(row["cell"]), "counter": row["counter"]}
             for row in verdict.steps if row["deliver"]]
    trace = {"kind": "command-cell", "property": "command-anti-replay", "method": verdict.method,
             "channel": channel, "bearer": "ppmid" if relayed else "wan", "flaws": sorted(f.name for f in flaws), "assumptions": {}, "steps": steps,
             "violation": "a Remote Party command is executed twice in one cell"}
    return Finding(REFUTED, trace, trace["violation"])
