"""Family 5: the SECMP0038 PPMID relay (``wifi-ppmid-relay``) - integrity holds, availability not.

Applies to every channel whose model carries GBCS commands (``gbcs-e2e``) and has a ``withhold``
step (:mod:`proofs.applicability`): ``wifi-ppmid-relay`` and ``usb`` (the PPMID forwards the
USB file's frames). A-PPMID: the relay forwards opaque GBCS frames and can drop, delay, reorder or
replay them, but cannot produce an ACB MAC.

- ``relay-no-forgery``: the meter executes only commands an entitled party issued, and each at most
  once, whatever the relay does. Transition system: the Supplier issues commands with rising
  counters, the relay delivers any issued index (any order, again and again) or one of its own; the
  meter checks authenticity and A-REPLAY. Inductive invariant ``executed(k) -> k <= issued``.
  Weakened with ``Flaw.SHORT_MAC_COMPARE`` (a 1-byte MAC the relay can guess) together with
  ``Flaw.CRITICAL_SIGNATURE_UNCHECKED`` (every relayed MP094 command is Critical, so the Supplier
  signature is a second barrier), a forgery runs; the trace replays on the devices with a frame the
  relay builds itself and a guessed MAC byte.
- ``relay-availability``: a command the Supplier issued reaches the meter. Refuted: z3 finds the
  smallest consumption after which a withheld top-up leaves the consumer off supply, although the
  same top-up delivered would have kept the supply on.
- ``relay-reorder``: delivering every issued command, in whatever order, leaves the meter as the
  Supplier intended. Refuted: z3 finds an order of two Critical commands (a non-disconnect period,
  then a price change) in which A-REPLAY, doing its job, refuses the earlier one because the later
  counter already went through; the consumer then loses supply at a consumption the intended order
  would have carried through the non-disconnect period. Nothing is forged or dropped: reordering
  alone does the harm, and the trace replays on the devices both ways.
"""
from __future__ import annotations

from typing import Any

import z3

from nowan.model.assumptions import Assumptions
from nowan.model.devices.account import DEFAULT_PRICE_PENCE_PER_KWH
from nowan.model.devices.flaws import Flaw
from nowan.proofs.engine import System, prove
from nowan.proofs.result import PROVED, REFUTED, UNKNOWN, Finding, counterexample

ISSUE, DELIVER, FORGE, IDLE = 0, 1, 2, 3
I, B = z3.IntSort(), z3.BoolSort()
STATE = {"issued": I, "last": I, "executed": z3.ArraySort(I, B)}
#: ``ran``: the meter executed the delivered (or forged) command: the relation's own answer.
ACTION = {"kind": I, "index": I, "ran": B}


def system(flaws: frozenset[Flaw] = frozenset()) -> System:
    guessable = Flaw.SHORT_MAC_COMPARE in flaws and Flaw.CRITICAL_SIGNATURE_UNCHECKED in flaws
    k = z3.Int("k")

    def runs(s: dict, a: dict) -> z3.BoolRef:
        authentic = z3.Or(z3.And(a["kind"] == DELIVER, a["index"] >= 1, a["index"] <= s["issued"]),
                          z3.And(a["kind"] == FORGE, guessable))
        return z3.And(authentic, a["index"] > s["last"])

    def trans(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
        return z3.And(a["ran"] == runs(s, a), trans_effect(s, a, t))

    def trans_effect(s: dict, a: dict, t: dict) -> z3.BoolRef:
        return z3.If(a["kind"] == ISSUE,
                     z3.And(t["issued"] == s["issued"] + 1, t["last"] == s["last"], t["executed"] == s["executed"]),
                     z3.If(runs(s, a),
                           z3.And(t["issued"] == s["issued"], t["last"] == a["index"],
                                  t["executed"] == z3.Store(s["executed"], a["index"], True)),
                           z3.And(t["issued"] == s["issued"], t["last"] == s["last"], t["executed"] == s["executed"])))

    return System(
        STATE, ACTION,
        init=lambda s, p: z3.And(s["issued"] == 0, s["last"] == 0, s["executed"] == z3.K(I, False)),
        trans=trans,
        inv=lambda s, p: z3.And(s["last"] <= s["issued"], s["last"] >= 0,
                                z3.ForAll([k], z3.Implies(s["executed"][k], z3.And(k <= s["last"], k >= 1)))),
        bad=lambda s, a, p: z3.And(runs(s, a), z3.Or(a["index"] > s["issued"], s["executed"][a["index"]])),
        observe=("issued", "last"))


def no_forgery(flaws: frozenset[Flaw] = frozenset()) -> Finding:
    verdict = prove(system(flaws), depth=3)
    if verdict.status != REFUTED:
        return Finding(verdict.status, None, verdict.method)
    names = {ISSUE: "supplier-issues", DELIVER: "relay-delivers", FORGE: "relay-forges", IDLE: "idle"}
    actors = {ISSUE: "legit", DELIVER: "attacker", FORGE: "attacker", IDLE: "env"}
    steps = [(actors[r["kind"]], names[r["kind"]], {"index": r["index"]}) for r in verdict.steps
             if r["kind"] in names]
    violation = "the meter executes a command no entitled party issued"
    trace = counterexample("relay-forgery", "relay-no-forgery", steps, flaws=(f.name for f in flaws),
                           method=verdict.method, violation=violation)
    return Finding(REFUTED, trace, violation)


def availability(a: Assumptions) -> Finding:
    """The least consumption after which withholding one issued top-up disconnects the consumer."""
    opening, topup, kwh = z3.Ints("opening topup kwh")
    price = DEFAULT_PRICE_PENCE_PER_KWH
    opt = z3.Optimize()
    max_topup, max_balance = int(a["limits.max_topup_pence"]), int(a["limits.max_balance_pence"])
    opt.add(opening >= 100, opening % 100 == 0, topup >= 100, topup % 100 == 0, topup <= max_topup,
            opening <= max_topup, opening + topup <= max_balance, kwh >= 1,
            kwh * price >= opening,            # withheld: the balance runs out, the supply goes off
            kwh * price < opening + topup)     # delivered: credit would have remained
    opt.minimize(kwh)
    opt.minimize(topup)
    opt.minimize(opening)
    if opt.check() != z3.sat:
        return Finding(PROVED if opt.check() == z3.unsat else UNKNOWN, None, "no disconnecting withholding")
    m = opt.model()
    v = {n: m.eval(x).as_long() for n, x in (("opening", opening), ("topup", topup), ("kwh", kwh))}
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("legit", "keypad-topup", {"pence": v["opening"]}),
        ("legit", "supplier-sends-topup", {"pence": v["topup"]}),
        ("attacker", "relay-withholds", {}),
        ("legit", "consume", {"kwh": v["kwh"]}),
    ]
    violation = f"supply off after {v['kwh']} kWh: the withheld {v['topup']} p top-up would have kept it on"
    trace = counterexample("relay-availability", "relay-availability", steps, method="z3 Optimize",
                           violation=violation)
    return Finding(REFUTED, trace, violation)


#: The two Critical commands of the reorder trace, in the order the Supplier issues them.
REORDER_COMMANDS = (("set-non-disconnect", 1), ("change-price", DEFAULT_PRICE_PENCE_PER_KWH))


def reorder(a: Assumptions) -> Finding:
    """A delivery order of two issued commands that A-REPLAY turns into a lost non-disconnect period."""
    first, second = z3.Ints("first_counter second_counter")
    pos1, pos2 = z3.Ints("position_first position_second")  # delivery slots 0 and 1
    opening, kwh = z3.Ints("opening kwh")
    price = DEFAULT_PRICE_PENCE_PER_KWH
    last_before = lambda pos: z3.If(pos == 0, z3.IntVal(-1), z3.If(pos1 == 0, first, second))  # noqa: E731
    runs_first = first > last_before(pos1)      # A-REPLAY on the first issued command
    opt = z3.Optimize()
    opt.add(first >= 0, second > first, z3.Distinct(pos1, pos2), pos1 >= 0, pos1 <= 1, pos2 >= 0, pos2 <= 1,
            second > last_before(pos2),         # the later command runs in any order
            z3.Not(runs_first),                 # ... but the non-disconnect setting is refused
            opening >= 100, opening % 100 == 0, opening <= int(a["limits.max_topup_pence"]), kwh >= 1,
            kwh * price >= opening)             # the credit runs out: off unless non-disconnect is set
    opt.minimize(kwh)
    opt.minimize(opening)
    r = opt.check()
    if r == z3.unsat:
        return Finding(PROVED, None, "every delivery order of issued commands executes them all")
    if r != z3.sat:
        return Finding(UNKNOWN, None, f"solver gave up ({opt.reason_unknown()})")
    m = opt.model()
    order = sorted((("first", m.eval(pos1).as_long()), ("second", m.eval(pos2).as_long())), key=lambda x: x[1])
    index = {"first": 0, "second": 1}
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("legit", "keypad-topup", {"pence": m.eval(opening).as_long()}),
        *(("legit", "supplier-sends-command", {"command": c, "value": v}) for c, v in REORDER_COMMANDS),
        *(("attacker", "relay-forwards", {"issued": index[name]}) for name, _ in order),
        ("legit", "consume", {"kwh": m.eval(kwh).as_long()}),
    ]
    violation = (f"{REORDER_COMMANDS[1][0]} delivered before {REORDER_COMMANDS[0][0]}: A-REPLAY refuses "
                 f"the non-disconnect period and the supply goes off after {m.eval(kwh).as_long()} kWh")
    trace = counterexample("relay-reorder", "relay-reorder", steps, method="z3 Optimize", violation=violation)
    return Finding(REFUTED, trace, violation)
