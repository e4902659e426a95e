"""Family 3: how many MAC guesses the lockout allows in a year, and the chance of one forged UTRN.

Symbolic tools treat the MAC as perfect (domain.md 10), so this bound is computed here. A UTRN
carries a 32-bit MAC: each guess succeeds with probability 2^-32. The attacker's best schedule under
A-LOCKOUT (``lockout.max_failures`` f in a sliding ``lockout.window_s`` w, then ``lockout.lock_s`` l)
is a mix of two periodic moves: f-1 failures per window (staying just under the lock) or f failures
then the full lock. z3 ``Optimize`` maximises the guesses over a one-year horizon as an integer
program over how many of each move the attacker makes, each guess also taking the entry time of its
path. A path the lockout does not cover (HAN with ``lockout.covers_han=false``) is limited only by
that entry time. The property holds if ``1-(1-2^-32)^G <= bruteforce.max_probability``.

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

from model.assumptions import Assumptions
from model.channels.evaluate import control_effective, environment
from model.channels.exprs import number
from model.channels.types import Channel
from model.devices.flaws import Flaw
from proofs.applicability import Guess
from proofs.result import PROVED, REFUTED, UNKNOWN, Finding

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


def max_guesses(lock: Lockout, horizon_s: int = YEAR_S) -> tuple[int, dict[str, Any]]:
    """The most failed guesses in ``horizon_s`` and the schedule that achieves it (z3 Optimize)."""
    f, w = lock.max_failures, lock.window_s
    opt = z3.Optimize()
    under, locked, free = z3.Ints("under locked free")
    opt.add(under >= 0, locked >= 0, free >= 0)
    d = z3.RealVal(str(lock.entry_s))
    if lock.covers_path:
        opt.add(free == 0)
        # move 1: f-1 failures, then wait until the first leaves the window; move 2: f failures + lock
        time = (under * z3.If(d * (f - 1) > w, d * (f - 1), z3.RealVal(str(w)))
                + locked * (d * f + z3.RealVal(str(lock.lock_s))))
    else:
        opt.add(under == 0, locked == 0)
        time = free * d
    opt.add(time <= horizon_s)
    guesses = (f - 1) * under + f * locked + free
    opt.maximize(guesses)
    if opt.check() != z3.sat:
        return -1, {}
    m = opt.model()
    g = m.eval(guesses).as_long()
    return g, {"lockout_covers_path": lock.covers_path, "entry_s": lock.entry_s,
               "under_lock_bursts": m.eval(under).as_long(), "lock_cycles": m.eval(locked).as_long(),
               "unthrottled_guesses": m.eval(free).as_long()}


def forgery_probability(guesses: int) -> float:
    """1 - (1 - 2^-32)^G, computed without cancellation."""
    return -math.expm1(guesses * math.log1p(-(2.0 ** -MAC_BITS)))


def check(channel: Channel, guess: Guess, a: Assumptions, flaws: frozenset[Flaw] = frozenset()) -> Finding:
    """The bound for one ``mac-guess`` step of ``channel`` under assumptions ``a``."""
    lock = lockout_for(channel, guess, a, flaws)
    path = guess.path
    g, schedule = max_guesses(lock)
    if g < 0:
        return Finding(UNKNOWN, None, "optimisation failed")
    p = forgery_probability(g)
    bound = float(a["bruteforce.max_probability"])
    detail = f"{g} guesses a year on the {path} path; P(one forged UTRN) = {p:.3g} (bound {bound:g})"
    if p <= bound:
        return Finding(PROVED, None, detail)
    f, w = lock.max_failures, lock.window_s
    per_burst = f - 1 if schedule["under_lock_bursts"] else f
    burst = [{"action": "guess", "path": path, "count": per_burst if lock.covers_path else f + 1}]
    steps = burst + ([{"action": "advance", "seconds": w}] + burst if lock.covers_path else [])
    trace = {"kind": "bruteforce", "property": "bruteforce-bound", "channel": channel.id, "step": guess.step,
             "method": "z3 Optimize", "flaws": sorted(x.name for x in flaws),
             "assumptions": {"lockout.max_failures": f, "lockout.window_s": w, "lockout.lock_s": lock.lock_s,
                             "lockout.covers_han": bool(a["lockout.covers_han"]) and lock.covers_path},
             "guesses_per_year": g, "probability": p, "bound": bound, "schedule": schedule, "steps": steps,
             "violation": f"P(one forged UTRN in a year) = {p:.3g} > {bound:g}"}
    return Finding(REFUTED, trace, detail)
