"""Family 3: how many MAC guesses the lockout allows in a year, and the chance of one forged UTRN.

Symbolic tools treat the MAC as perfect (domain.md 10), so this bound is computed here. A UTRN
carries a 32-bit MAC: each guess succeeds with probability 2^-32. The attacker's best schedule under
A-LOCKOUT (``lockout.max_failures`` f in a sliding ``lockout.window_s`` w, then ``lockout.lock_s`` l)
is a mix of two periodic moves: f-1 failures per window (staying just under the lock) or f failures
then the full lock. z3 ``Optimize`` maximises the guesses over a one-year horizon as an integer
program over how many of each move the attacker makes, each guess also taking the entry time of its
path. A path the lockout does not cover (HAN with ``lockout.covers_han=false``) is limited only by
that entry time.

One computation, checked two ways: the risk engine's closed form
(:mod:`model.channels.bruteforce`, the long-run rate times the horizon) must bound every schedule
z3 can build (a second query: no schedule makes more guesses than the closed form, ``unsat``) and be
reached by the optimum to within one burst (the tail of the horizon too short for a whole move). If
either fails the property is ``unknown`` with both numbers, never a silent disagreement. The number
reported is the z3 optimum G, and the probability is the model's own union bound ``G * 2^-32``
(``model.channels.bruteforce.success_probability``); the property holds if it is at most
``bruteforce.max_probability``.

Reconciled with the channel's verdict in the model, not in prose: the risk engine scores the same
attempts a year (the closed form this proof checks) as expected forged UTRNs a year across the
premises an attack reaches, banded into the likelihood of the goal priced per forged UTRN
(``per_success_of``). The finding states that scored figure (forged UTRNs a year, their GBP value,
the likelihood) beside the bound, so a refuted bound reads together with the risk it amounts to.

Applies to every ``mac-guess`` step of a channel model (:mod:`proofs.applicability`): today
``utrn-keypad`` and ``utrn-extended`` (keypad), ``wifi-ppmid-utrn`` and ``nfc`` (HAN). Channels
that carry whole GBCS commands (``wan``, ``usb``, ``wifi-ppmid-relay``) have no such step: their
frames carry a 12-byte GCM MAC, out of reach of guessing.

Everything is the model's own: the path (the step's ``han`` flag), the time per guess (its
``attempt_s``, an expression over ``bruteforce.keypad_attempt_s`` / ``bruteforce.han_attempt_s``),
whether the lockout applies (its ``lockout_control`` is an existing, effective control), and the
lockout parameters as the channel's environment pins them. The caller's ``Channel`` is used as
given, never reloaded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import z3

from nowan.model.assumptions import Assumptions
from nowan.model.channels.bruteforce import attempts_in, success_probability
from nowan.model.channels.evaluate import control_effective, environment
from nowan.model.channels.exprs import number
from nowan.model.channels.risk import evaluate
from nowan.model.channels.types import Channel
from nowan.model.devices.flaws import Flaw
from nowan.proofs.applicability import Guess
from nowan.proofs.result import PROVED, REFUTED, UNKNOWN, Finding, counterexample

YEAR_S = 365 * 86400
MAC_BITS = 32


@dataclass(frozen=True)
class Lockout:
    """A-LOCKOUT as it acts on one guessing path: f failures in a sliding w seconds lock for l."""

    max_failures: int
    window_s: float
    lock_s: float
    entry_s: float
    covers_path: bool


def lockout_for(channel: Channel, guess: Guess, a: Assumptions, flaws: frozenset[Flaw] = frozenset()) -> Lockout:
    """The lockout the channel model says applies to ``guess`` (its lockout control, path and speed)."""
    env = environment(channel, a)
    on = guess.lockout_control is not None and guess.lockout_control in channel.existing_controls and any(
        c.id == guess.lockout_control and control_effective(channel, c, env) for c in channel.controls)
    covered = (on and Flaw.LOCKOUT_OFF not in flaws and int(env["lockout.max_failures"]) > 0
               and (guess.path == "keypad" or bool(env["lockout.covers_han"])))
    return Lockout(int(env["lockout.max_failures"]), float(env["lockout.window_s"]), float(env["lockout.lock_s"]),
                   float(number(guess.attempt_s, env)), covered)


def _schedules(lock: Lockout, horizon_s: int) -> tuple[list[z3.BoolRef], z3.ArithRef, dict[str, z3.ArithRef]]:
    """Every schedule the attacker can fit in ``horizon_s`` and the guesses it makes (integer program)."""
    f, w = lock.max_failures, lock.window_s
    under, locked, free = z3.Ints("under locked free")
    facts = [under >= 0, locked >= 0, free >= 0]
    d = z3.RealVal(str(lock.entry_s))
    if lock.covers_path:
        facts.append(free == 0)
        # move 1: f-1 failures, then wait until the first leaves the window; move 2: f failures + lock
        time = (under * z3.If(d * (f - 1) > w, d * (f - 1), z3.RealVal(str(w)))
                + locked * (d * f + z3.RealVal(str(lock.lock_s))))
    else:
        facts += [under == 0, locked == 0]
        time = free * d
    facts.append(time <= horizon_s)
    return facts, (f - 1) * under + f * locked + free, {"under": under, "locked": locked, "free": free}


def max_guesses(lock: Lockout, horizon_s: int = YEAR_S) -> tuple[int, dict[str, Any]]:
    """The most failed guesses in ``horizon_s`` and the schedule that achieves it (z3 Optimize)."""
    facts, guesses, v = _schedules(lock, horizon_s)
    opt = z3.Optimize()
    opt.add(*facts)
    opt.maximize(guesses)
    if opt.check() != z3.sat:
        return -1, {}
    m = opt.model()
    g = m.eval(guesses).as_long()
    return g, {"lockout_covers_path": lock.covers_path, "entry_s": lock.entry_s,
               "under_lock_bursts": m.eval(v["under"]).as_long(), "lock_cycles": m.eval(v["locked"]).as_long(),
               "unthrottled_guesses": m.eval(v["free"]).as_long()}


def closed_form(lock: Lockout, horizon_s: int = YEAR_S) -> float:
    """The risk engine's figure for the same lockout and horizon."""
    return attempts_in(horizon_s, lock.entry_s, lock.max_failures, lock.window_s, lock.lock_s, lock.covers_path)


def closed_form_disagrees(lock: Lockout, optimum: int, horizon_s: int = YEAR_S) -> str | None:
    """Why the closed form is not a tight bound of the z3 optimum, or None when it is.

    Bound: z3 shows no schedule beats it (``unsat``). Tight: the optimum is within one burst (f
    guesses, or one when the lockout does not cover the path) of it.
    """
    cf = closed_form(lock, horizon_s)
    if not math.isfinite(cf):
        return f"closed form is {cf:g}, the z3 optimum {optimum}"
    facts, guesses, _ = _schedules(lock, horizon_s)
    s = z3.Solver()
    s.add(*facts, guesses > z3.RealVal(str(cf)))
    beaten = s.check()
    if beaten == z3.sat:
        return f"a schedule makes {s.model().eval(guesses)} guesses, above the closed form {cf:g}"
    if beaten != z3.unsat:
        return "solver gave up checking the closed form"
    burst = max(lock.max_failures, 1) if lock.covers_path else 1
    if cf - optimum >= burst:
        return f"closed form {cf:g} exceeds the z3 optimum {optimum} by a burst or more"
    return None


def scored(channel: Channel, guess: Guess, a: Assumptions, flaws: frozenset[Flaw] = frozenset()) -> dict[str, Any] | None:
    """What the risk engine makes of the same guessing: the goal priced per forged UTRN of this step
    (its worst reach), its expected forged UTRNs a year across the premises reached, their GBP value
    and the likelihood (``forged_a_year`` None: the goal is unreachable), or None when no goal
    counts this step's successes. With ``LOCKOUT_OFF`` the step's lockout control is taken out, as
    the proof's meter has none."""
    goal = next((g for g in channel.goals if g.per_success_of == guess.step), None)
    if goal is None:
        return None
    enabled = channel.existing_controls
    if Flaw.LOCKOUT_OFF in flaws and guess.lockout_control is not None:
        enabled = enabled - {guess.lockout_control}
    ev = evaluate(channel, a, enabled)
    found = ev.goals.get(goal.id)
    if found is None:    # every path to it blocked: nothing forged in the risk score
        return {"goal": goal.id, "forged_a_year": None}
    lk = next(t for t in found.trace if t["what"] == "likelihood")
    im = next(t for t in found.trace if t["what"] == "impact")
    forged = lk.get("forged_codes") or {}
    return {"goal": goal.id, "attacker": found.attacker, "scale": found.scale, "premises": im["premises"],
            "attempts_per_year": ev.steps[guess.step].detail["attempts_per_year"],
            "forged_a_year": forged.get("forged_a_year"), "gbp_a_year": im.get("total"),
            "likelihood": found.likelihood, "likelihood_by_forged": forged.get("likelihood"),
            "margin_likelihood": forged.get("margin_likelihood"), "impact": found.impact, "level": found.level}


def scored_text(s: dict[str, Any] | None) -> str:
    """The risk engine's figure for the report's brute-force line."""
    if s is None:
        return "; no goal of this channel counts its forged UTRNs (per_success_of), so the risk score prices none"
    if s["forged_a_year"] is None:
        return f"; the risk score reaches no forged UTRN: goal {s['goal']} is unreachable"
    return (f"; scored: {s['forged_a_year']:.3g} forged UTRNs a year across {s['premises']:,.0f} premises reached "
            f"(GBP {s['gbp_a_year']:,.2f} a year), likelihood {s['likelihood']}, goal {s['goal']} {s['level']}")


def check(channel: Channel, guess: Guess, a: Assumptions, flaws: frozenset[Flaw] = frozenset()) -> Finding:
    """The bound for one ``mac-guess`` step of ``channel`` under assumptions ``a``."""
    lock = lockout_for(channel, guess, a, flaws)
    path = guess.path
    g, schedule = max_guesses(lock)
    if g < 0:
        return Finding(UNKNOWN, None, "optimisation failed")
    disagreement = closed_form_disagrees(lock, g)
    if disagreement is not None:
        return Finding(UNKNOWN, None, f"risk engine's closed form and z3 disagree: {disagreement}")
    p = success_probability(g, MAC_BITS)
    bound = float(a["bruteforce.max_probability"])
    cf = closed_form(lock)
    agree = "= the risk engine's closed form" if cf == g else f"closed form {cf:.6g} bounds it within one burst"
    risk = scored(channel, guess, a, flaws)
    detail = (f"{g} guesses a year on the {path} path ({agree}); P(one forged UTRN) = {p:.3g} "
              f"(bound {bound:g}){scored_text(risk)}")
    if p <= bound:
        return Finding(PROVED, None, detail)
    f, w = lock.max_failures, lock.window_s
    per_burst = f - 1 if schedule["under_lock_bursts"] else f
    burst = [("attacker", "guess", {"path": path, "count": per_burst if lock.covers_path else f + 1})]
    steps = burst + ([("env", "advance", {"seconds": w})] + burst if lock.covers_path else [])
    trace = counterexample("bruteforce", "bruteforce-bound", steps, channel=channel.id,
                           flaws=(x.name for x in flaws),
                           assumptions={"lockout.max_failures": f, "lockout.window_s": w, "lockout.lock_s": lock.lock_s,
                                        "lockout.covers_han": bool(a["lockout.covers_han"]) and lock.covers_path},
                           method="z3 Optimize", step=guess.step, guesses_per_year=g, closed_form_guesses=cf,
                           probability=p, bound=bound, schedule=schedule, scored=risk,
                           violation=f"P(one forged UTRN in a year) = {p:.3g} > {bound:g}")
    return Finding(REFUTED, trace, detail)
