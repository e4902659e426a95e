"""Family 1: UTRN anti-replay (A-UTRN-CACHE) for unbounded runs, and the availability it costs.

Applies to every channel whose model has UTRN entry steps (steps blocked by ``utrn-counter-cache``
or ``utrn-mac``, or a ``mac-guess``), and to channels carrying CS01a/b GBCS top-ups (the full
counter in the header); :mod:`proofs.applicability` derives the input paths from the model:
``keypad`` always, plus ``han`` (a PPMID or reader relays the UTRN) or ``wan`` (CS01a/b).

Properties (ids ``<name>@<channel>``):

- ``utrn-anti-replay``: no UTRN counter is credited twice, under both reconstruction policies and
  for *any* cache size N >= 1 (N and the floor are symbolic). The proof is an inductive invariant:
  with W the watermark (the floor, or the last evicted counter once the cache is full),
  ``credited(c) -> c in cache or c <= W`` and ``every cached c > W``. The meter's steps include a
  credential change (new floor >= every counter credited so far, fresh cache). The encoding models
  the keypad and the HAN (or WAN) path as separate inputs, with check-and-record either atomic (faithful) or
  split into two steps (``Flaw.NON_ATOMIC_UTRN_CHECK``): the check-then-insert race of domain.md 10.
- ``utrn-floor``: no counter at or below the current prepayment floor is ever credited (the floor on
  credential change, A-UTRN-CACHE).
- ``utrn-availability.<policy>``: every legitimately issued, unused UTRN is accepted whatever the
  order of entry. Expected refuted: the trace shows issued UTRNs that are all accepted in issue order
  but not in another order.
- ``utrn-availability.wrap``: under the configured ``utrn.reconstruction``, UTRNs issued and typed
  in order are all accepted, however many since the last credential change (counter-wrap hazard,
  domain.md 10). With ``above-min`` the anchor ``min(cache + {floor})`` stays at the floor, so the
  10-bit counter rebuilds into ``(floor, floor+1024]`` only: z3 finds the first in-order UTRN the
  meter rejects (the 1025th) for any cache size and floor, and the trace replays 1025 real mints and
  entries on the meter. ``nearest-max`` anchors on the newest counter and is proved.
"""
from __future__ import annotations

from itertools import permutations
from typing import Any, Iterable

import z3

from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw
from nowan.proofs.engine import RLIMIT, System, Verdict, prove
from nowan.proofs.result import PROVED, REFUTED, UNKNOWN, Finding, counterexample

WINDOW = 1024  # 10 truncated counter bits
POLICIES = ("above-min", "nearest-max")

ENTER, BEGIN, FINISH, IDLE, CHANGE = 0, 1, 2, 3, 4
KIND_NAMES = {ENTER: "enter", BEGIN: "begin", FINISH: "finish", IDLE: "idle", CHANGE: "replace-credentials"}

I, B = z3.IntSort(), z3.BoolSort()
SET = z3.ArraySort(I, B)
STATE = {"cache": SET, "n": I, "watermark": I, "credited": SET, "floor": I,
         "pending_keypad": B, "pending_alt": B, "pending_keypad_c": I, "pending_alt_c": I}
ACTION = {"kind": I, "alt": B, "counter10": I, "c": I, "anchor": I, "empty": B, "low": I, "evict": I,
          "new_floor": I}
PARAMS = {"N": I, "F": I}


def rebuild(policy: str, c10: z3.ArithRef, m: z3.ArithRef) -> z3.ArithRef:
    """The upper counter word the meter rebuilds from 10 bits ``c10`` and anchor ``m`` (utrn_cache.py)."""
    if policy == "above-min":
        return m + 1 + (c10 - m - 1) % WINDOW
    d = (c10 - m) % WINDOW
    c0 = z3.If(d <= WINDOW // 2, m + d, m + d - WINDOW)
    return z3.If(c0 < 0, c0 + WINDOW, c0)


def _reconstruct(s: dict, a: dict, policy: str, use_floor: bool) -> z3.BoolRef:
    """``a['c']`` is the upper counter word the meter rebuilds from ``a['counter10']`` (utrn_cache.py)."""
    z = z3.Int("z")
    in_pool = lambda v: z3.Or(s["cache"][v], z3.And(use_floor, v == s["floor"]))  # noqa: E731
    m, c10 = a["anchor"], a["counter10"]
    extreme = (z3.ForAll([z], z3.Implies(in_pool(z), z >= m)) if policy == "above-min"
               else z3.ForAll([z], z3.Implies(in_pool(z), z <= m)))
    rebuilt = rebuild(policy, c10, m)
    empty = z3.And(m == 0, z3.ForAll([z], z3.Not(s["cache"][z])))
    return z3.And(c10 >= 0, c10 < WINDOW, z3.Implies(z3.BoolVal(use_floor), z3.Not(a["empty"])),
                  z3.If(a["empty"], empty, z3.And(in_pool(m), extreme)), a["c"] == rebuilt)


def _record(s: dict, t: dict, x: z3.ArithRef, e: z3.ArithRef, N: z3.ArithRef) -> z3.BoolRef:
    """Insert ``x``; past N entries evict the smallest (``e``), which becomes the watermark."""
    z = z3.Int("z")
    evict = z3.And(s["n"] >= N, z3.Not(s["cache"][x]))
    is_min = z3.And(z3.Or(s["cache"][e], e == x),
                    z3.ForAll([z], z3.Implies(z3.Or(s["cache"][z], z == x), z >= e)))
    added = z3.Store(s["cache"], x, True)
    return z3.And(
        z3.Implies(evict, z3.And(is_min, t["cache"] == z3.Store(added, e, False), t["n"] == s["n"],
                                 t["watermark"] == e)),
        z3.Implies(z3.Not(evict), z3.And(t["cache"] == added, t["watermark"] == s["watermark"],
                                         t["n"] == z3.If(s["cache"][x], s["n"], s["n"] + 1))),
        t["credited"] == z3.Store(s["credited"], x, True), t["floor"] == s["floor"])


def _unchanged(s: dict, t: dict, names: Iterable[str]) -> z3.BoolRef:
    return z3.And([t[k] == s[k] for k in names])


def anti_replay_system(policy: str, paths: tuple[str, ...], flaws: frozenset[Flaw] = frozenset(),
                       bad: str = "replay", cache_size: int | None = None) -> System:
    """The meter's UTRN cell as a transition system; ``bad`` is 'replay' or 'floor'.

    The cache size N is symbolic (any N >= 1) unless the configuration under assessment has no cache
    (``utrn.cache_size=0``): then N is 0 and the proof is about that meter, so a replay is found.
    """
    dup_check = Flaw.NO_DUPLICATE_CHECK not in flaws
    floor_check = Flaw.NO_FLOOR_CHECK not in flaws
    atomic = Flaw.NON_ATOMIC_UTRN_CHECK not in flaws
    alt_path = paths[1] if len(paths) > 1 else None
    z = z3.Int("z")

    def guard(s: dict, a: dict, p: dict) -> z3.BoolRef:
        c = a["c"]
        rebuilt = (z3.If(a["alt"], c >= 0, _reconstruct(s, a, policy, floor_check)) if alt_path == "wan"
                   else _reconstruct(s, a, policy, floor_check))
        # "below min(cache) when the cache is full" needs a non-empty cache, as in utrn_cache.py
        window = z3.Or(s["n"] < p["N"], s["n"] == 0, z3.And(s["cache"][a["low"]], a["low"] <= c))
        return z3.And(rebuilt, c >= 1, c < 2 ** 32, z3.Or(not dup_check, z3.And(z3.Not(s["cache"][c]), window)),
                      z3.Or(not floor_check, c > s["floor"]))

    def pending(s: dict, a: dict) -> tuple[z3.BoolRef, z3.ArithRef]:
        flag = z3.If(a["alt"], s["pending_alt"], s["pending_keypad"])
        value = z3.If(a["alt"], s["pending_alt_c"], s["pending_keypad_c"])
        return flag, value

    def trans(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
        k = a["kind"]
        flag, value = pending(s, a)
        pend = ("pending_keypad", "pending_alt", "pending_keypad_c", "pending_alt_c")
        cell = ("cache", "n", "watermark", "credited", "floor")
        set_pending = z3.If(a["alt"],
                            z3.And(t["pending_alt"], t["pending_alt_c"] == a["c"],
                                   _unchanged(s, t, ("pending_keypad", "pending_keypad_c"))),
                            z3.And(t["pending_keypad"], t["pending_keypad_c"] == a["c"],
                                   _unchanged(s, t, ("pending_alt", "pending_alt_c"))))
        clear_pending = z3.If(a["alt"],
                              z3.And(z3.Not(t["pending_alt"]), t["pending_alt_c"] == s["pending_alt_c"],
                                     _unchanged(s, t, ("pending_keypad", "pending_keypad_c"))),
                              z3.And(z3.Not(t["pending_keypad"]), t["pending_keypad_c"] == s["pending_keypad_c"],
                                     _unchanged(s, t, ("pending_alt", "pending_alt_c"))))
        change = z3.And(a["new_floor"] >= s["floor"],
                        z3.ForAll([z], z3.Implies(s["credited"][z], z <= a["new_floor"])),
                        t["cache"] == z3.K(I, False), t["n"] == 0, t["watermark"] == a["new_floor"],
                        t["floor"] == a["new_floor"], t["credited"] == s["credited"], _unchanged(s, t, pend))
        options = [z3.And(k == IDLE, _unchanged(s, t, cell + pend)), z3.And(k == CHANGE, change)]
        # The WAN path (CS01a/b) decides and concludes in one call on the device, whatever the flaw.
        wan = z3.And(a["alt"], alt_path == "wan")
        enter = z3.And(k == ENTER, guard(s, a, p), _record(s, t, a["c"], a["evict"], p["N"]),
                       _unchanged(s, t, pend))
        if atomic:
            options.append(enter)
        else:
            options.append(z3.And(wan, enter))
            options.append(z3.And(z3.Not(wan), k == BEGIN, z3.Not(flag), guard(s, a, p), set_pending,
                                  _unchanged(s, t, cell)))
            options.append(z3.And(z3.Not(wan), k == FINISH, flag, a["c"] == value,
                                  _record(s, t, value, a["evict"], p["N"]), clear_pending))
        alt_ok = z3.BoolVal(True) if alt_path else z3.Not(a["alt"])
        return z3.And(alt_ok, z3.Or(options))

    def init(s: dict, p: dict) -> z3.BoolRef:
        return z3.And(s["cache"] == z3.K(I, False), s["credited"] == z3.K(I, False), s["n"] == 0,
                      s["watermark"] == p["F"], s["floor"] == p["F"], z3.Not(s["pending_keypad"]),
                      z3.Not(s["pending_alt"]))

    def inv(s: dict, p: dict) -> z3.BoolRef:
        if bad == "floor":  # the guard alone excludes it, provided check and credit are one step
            return z3.And(z3.Not(s["pending_keypad"]), z3.Not(s["pending_alt"]))
        return z3.And(z3.ForAll([z], z3.Implies(s["credited"][z], z3.Or(s["cache"][z], z <= s["watermark"]))),
                      z3.ForAll([z], z3.Implies(s["cache"][z], z > s["watermark"])),
                      z3.Implies(s["n"] < p["N"], s["watermark"] == s["floor"]), s["watermark"] >= s["floor"],
                      s["n"] >= 0, z3.Not(s["pending_keypad"]), z3.Not(s["pending_alt"]))

    def is_bad(s: dict, a: dict, p: dict) -> z3.BoolRef:
        credits = z3.Or(a["kind"] == ENTER, a["kind"] == FINISH)
        if bad == "floor":
            return z3.And(credits, a["c"] <= s["floor"])
        return z3.And(credits, s["credited"][a["c"]])

    return System(STATE, ACTION, init, trans, inv, is_bad, observe=("n", "floor", "watermark"),
                  params=PARAMS, assume=lambda p: z3.And(p["N"] == 0 if cache_size == 0 else p["N"] >= 1,
                                                         p["F"] >= 0))


def _steps(verdict: Verdict, paths: tuple[str, ...]) -> list[tuple[str, str, dict[str, Any]]]:
    """The z3 run as meter-level steps: which path entered which upper counter word, and when.

    Entries are the attacker's (it schedules them, on whichever path); a credential change is the
    Supplier's.
    """
    out: list[tuple[str, str, dict[str, Any]]] = []
    for row in verdict.steps:
        kind = KIND_NAMES[row["kind"]]
        if kind == "idle":
            continue
        if kind == "replace-credentials":
            out.append(("legit", kind, {"floor": row["new_floor"]}))
        else:
            out.append(("attacker", kind, {"path": paths[1] if row["alt"] else paths[0], "counter": row["c"]}))
    return out


def _trace(verdict: Verdict, policy: str, paths: tuple[str, ...], violation: str,
           flaws: frozenset[Flaw], prop: str) -> dict[str, Any]:
    return counterexample("utrn-cell", prop, _steps(verdict, paths),
                          assumptions={"utrn.cache_size": verdict.params["N"], "utrn.reconstruction": policy},
                          flaws=(f.name for f in flaws), method=verdict.method, policy=policy,
                          params={"utrn.cache_size": verdict.params["N"], "floor": verdict.params["F"]},
                          violation=violation)


def check_cell(paths: tuple[str, ...], bad: str, flaws: frozenset[Flaw] = frozenset(), depth: int = 4,
               cache_size: int | None = None) -> Finding:
    """Prove ``bad`` ('replay' or 'floor') unreachable under both policies on ``paths``, or return a trace.

    ``cache_size`` is the configured ``utrn.cache_size``; only 0 changes the encoding (see above).
    """
    for policy in POLICIES:
        verdict = prove(anti_replay_system(policy, paths, flaws, bad, cache_size), depth)
        if verdict.status == REFUTED:
            what = ("a UTRN counter is credited twice" if bad == "replay"
                    else "a UTRN counter at or below the floor is credited")
            prop = "utrn-anti-replay" if bad == "replay" else "utrn-floor"
            return Finding(REFUTED, _trace(verdict, policy, paths, what, flaws, prop), f"{policy}: {what}")
        if verdict.status == UNKNOWN:
            return Finding(UNKNOWN, None, f"{policy}: {verdict.method}")
    scope = "no cache (utrn.cache_size=0)" if cache_size == 0 else "any cache size >= 1"
    return Finding(PROVED, None, f"inductive invariant, both policies, {scope} and any floor")


# ------------------------------------------------------------------ availability (explicit cache)

def _sym_enter(entries: list[tuple[z3.BoolRef, z3.ArithRef]], u: z3.ArithRef, size: int, floor: int,
               policy: str) -> tuple[z3.BoolRef, list[tuple[z3.BoolRef, z3.ArithRef]]]:
    """Symbolic execution of one faithful keypad entry of issued counter ``u`` (utrn_cache.py rules)."""
    pool = [(v, x) for v, x in entries] + [(z3.BoolVal(True), z3.IntVal(floor))]
    anchor: z3.ArithRef = z3.IntVal(floor)
    for v, x in pool:
        better = x < anchor if policy == "above-min" else x > anchor
        anchor = z3.If(z3.And(v, better), x, anchor)
    c = rebuild(policy, u % WINDOW, anchor)
    count = z3.Sum([z3.If(v, 1, 0) for v, _ in entries]) if entries else z3.IntVal(0)
    low: z3.ArithRef = z3.IntVal(2 ** 62)
    for v, x in entries:
        low = z3.If(z3.And(v, x < low), x, low)
    dup = z3.Or([z3.And(v, x == c) for v, x in entries]) if entries else z3.BoolVal(False)
    ok = z3.And(c == u, z3.Not(dup), c > floor, z3.Or(count < size, c >= low))
    evict = z3.And(ok, count >= size)
    new = [(z3.And(v, z3.Not(z3.And(evict, x == low))), x) for v, x in entries] + [(ok, c)]
    return ok, new


def availability(policy: str, assumptions: Assumptions, max_issued: int = 3) -> Finding:
    """Issued, unused UTRNs accepted in issue order but not in some other order (shortest first).

    The search runs at the configured cache size first. A loss that needs the cache to overflow
    takes N+1 entries, too long to unroll at N=100, so the search then retries at the smallest cache
    sizes and says so in the trace: the same pattern (enter the newest N, then the oldest) loses the
    oldest UTRN at any N.
    """
    configured = int(assumptions["utrn.cache_size"])
    for size in dict.fromkeys((configured, 1, 2)):
        found = _availability_at(policy, size, max_issued)
        if found is not None:
            if size != configured:
                note = (f"found at utrn.cache_size={size}; at {configured} the same loss needs "
                        f"{configured + 1} entries: the newest {configured}, then the oldest")
                found.trace["evidence"]["note"] = note
                found.detail = f"{found.detail}; {note}"
            return found
    return Finding(PROVED, None, f"no order of up to {max_issued} issued UTRNs loses one (bounded)")


def _availability_at(policy: str, size: int, max_issued: int) -> Finding | None:
    floor = 0
    for k in range(2, max_issued + 1):
        for order in permutations(range(k)):
            if list(order) == sorted(order):
                continue
            us = [z3.Int(f"u{i}") for i in range(k)]
            s = z3.Optimize()
            s.add(us[0] > floor, *[us[i] < us[i + 1] for i in range(k - 1)], us[-1] < 2 ** 32)
            entries: list = []
            for u in us:
                ok, entries = _sym_enter(entries, u, size, floor, policy)
                s.add(ok)
            entries, oks = [], []
            for i in order:
                ok, entries = _sym_enter(entries, us[i], size, floor, policy)
                oks.append(ok)
            s.add(z3.Not(z3.And(oks)))
            s.minimize(us[-1])
            if s.check() == z3.sat:
                m = s.model()
                issued = [m.eval(u).as_long() for u in us]
                accepted = [z3.is_true(m.eval(o)) for o in oks]
                steps = [("legit", "enter", {"path": "keypad", "counter": issued[i], "accepted": acc})
                         for i, acc in zip(order, accepted)]
                lost = [issued[i] for i, acc in zip(order, accepted) if not acc]
                violation = f"issued, unused UTRN counter(s) {lost} rejected when entered out of order"
                trace = counterexample("utrn-availability", f"utrn-availability.{policy}", steps,
                                       assumptions={"utrn.cache_size": size, "utrn.reconstruction": policy},
                                       method=f"bounded-search {k} issued UTRNs", policy=policy,
                                       params={"utrn.cache_size": size, "floor": floor}, issued=issued,
                                       in_order_accepted=True, violation=violation)
                return Finding(REFUTED, trace, violation)
    return None


# ------------------------------------------------------------------ counter wrap (in-order entry)

def wrap(assumptions: Assumptions) -> Finding:
    """The first UTRN, issued and entered in order after a credential change, that the meter rejects.

    State after the in-order entries ``F+1 .. u-1`` (all accepted, each above the last): the cache
    holds the newest ``min(N, u-1-F)`` of them, so the reconstruction pool is
    ``{x : max(F, u-1-N) < x <= u-1} + {F}``. z3 looks for the least ``u`` the meter then rejects
    (rebuilt counter differs from the issued one, or the cache checks refuse it), with the cache size
    ``N >= 1`` and floor ``F >= 0`` symbolic.
    """
    policy = str(assumptions["utrn.reconstruction"])
    u, m, N, F, c10, z = z3.Ints("u anchor N F c10 z")
    in_cache = lambda v: z3.And(v <= u - 1, v > F, v > u - 1 - N)  # noqa: E731
    in_pool = lambda v: z3.Or(in_cache(v), v == F)  # noqa: E731
    extreme = (z3.ForAll([z], z3.Implies(in_pool(z), z >= m)) if policy == "above-min"
               else z3.ForAll([z], z3.Implies(in_pool(z), z <= m)))
    rebuilt = rebuild(policy, c10, m)
    full = u - 1 - F >= N
    low = z3.If(full, u - N, F + 1)  # smallest cached counter when the cache is full
    accepted = z3.And(rebuilt == u, z3.Not(in_cache(u)), u > F, z3.Or(z3.Not(full), u >= low))
    opt = z3.Optimize()
    opt.set("rlimit", RLIMIT)
    opt.add(N >= 1, F >= 0, u > F, u < 2 ** 32, c10 == u % WINDOW, in_pool(m), extreme, z3.Not(accepted))
    opt.minimize(u - F)
    opt.minimize(N)
    opt.minimize(F)
    r = opt.check()
    if r == z3.unsat:
        return Finding(PROVED, None, f"{policy}: every UTRN issued and entered in order is accepted, "
                                     "any cache size and floor")
    if r != z3.sat:
        return Finding(UNKNOWN, None, f"{policy}: solver gave up ({opt.reason_unknown()})")
    mdl = opt.model()
    floor, first = mdl.eval(F).as_long(), mdl.eval(u).as_long()
    size = int(assumptions["utrn.cache_size"])
    violation = (f"a consequence of the assumed reconstruction utrn.reconstruction={policy} (domain.md 1.5 "
                 f"[A]), not of GBCS: after {first - floor - 1} keypad UTRNs since the last credential change, "
                 f"the next issued UTRN (counter {first}) is rejected, and so is every later one")
    trace = counterexample("utrn-wrap", "utrn-availability.wrap",
                           [("legit", "enter-in-order", {"path": "keypad", "first": floor + 1, "last": first})],
                           assumptions={"utrn.cache_size": size, "utrn.reconstruction": policy},
                           method="z3 Optimize", policy=policy, params={"utrn.cache_size": size, "floor": floor},
                           violation=violation)
    return Finding(REFUTED, trace, violation)
