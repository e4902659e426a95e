"""Family 3: how many MAC guesses the lockout allows in a year, and the chance of one forged UTRN.

Symbolic tools treat the MAC as perfect (domain.md 10), so this bound is computed here. A UTRN
carries a 32-bit MAC: each guess succeeds with probability 2^-32. The attacker's best schedule under
A-LOCKOUT (``lockout.max_failures`` f in a sliding ``lockout.window_s`` w, then ``lockout.lock_s`` l)
is a mix of two periodic moves: f-1 failures per window (staying just under the lock) or f failures
then the full lock. z3 ``Optimize`` maximises the guesses over a one-year horizon as an integer
program over how many of each move the attacker makes, each guess also taking the entry time of its
path. A path the lockout does not cover (HAN with ``lockout.covers_han=false``) is limited only by
that entry time. The property holds if ``1-(1-2^-32)^G <= bruteforce.max_probability``.

Applies to every channel through which a guessed UTRN reaches the meter: ``utrn-keypad``,
``utrn-extended`` (keypad), ``wifi-ppmid-utrn``, ``nfc``, ``usb`` (HAN-fed) and ``wan``' keypad.
``wifi-ppmid-relay`` frames carry a 12-byte GCM MAC, out of reach of guessing.

The time per guess is the risk model's own: the ``attempt_s`` of the channel model's ``mac-guess``
step (an expression over ``bruteforce.keypad_attempt_s`` / ``bruteforce.han_attempt_s``), or, for a
channel whose model has no such step, the assumption for its path. One number serves both the risk
score and this bound, so they cannot disagree about the attacker's speed.
"""
from __future__ import annotations

import math
from typing import Any

import z3

from model.assumptions import Assumptions
from model.devices.flaws import Flaw
from proofs.result import PROVED, REFUTED, UNKNOWN, Finding

CHANNEL_PATHS = {"utrn-keypad": "keypad", "utrn-extended": "keypad", "wan": "keypad",
                 "wifi-ppmid-utrn": "han", "nfc": "han", "usb": "han"}
CHANNELS = tuple(sorted(CHANNEL_PATHS))
YEAR_S = 365 * 86400
MAC_BITS = 32
PATH_ASSUMPTION = {"keypad": "bruteforce.keypad_attempt_s", "han": "bruteforce.han_attempt_s"}


def entry_seconds(path: str, a: Assumptions, channel: str | None = None) -> float:
    """Seconds per guess on ``path``: the channel model's mac-guess ``attempt_s`` where it has one."""
    if channel is not None:
        from model.channels import load_channels
        from model.channels.evaluate import environment
        from model.channels.exprs import number
        from model.channels.types import MacGuess

        ch = load_channels([channel])[channel]
        for step in ch.steps:
            if isinstance(step.difficulty, MacGuess) and step.difficulty.han == (path == "han"):
                return float(number(step.difficulty.attempt_s, environment(ch, a)))
    return float(a[PATH_ASSUMPTION[path]])


def max_guesses(path: str, a: Assumptions, flaws: frozenset[Flaw] = frozenset(),
                horizon_s: int = YEAR_S, channel: str | None = None) -> tuple[int, dict[str, Any]]:
    """The most failed guesses in ``horizon_s`` and the schedule that achieves it (z3 Optimize)."""
    f, w, lock = int(a["lockout.max_failures"]), int(a["lockout.window_s"]), int(a["lockout.lock_s"])
    delta = entry_seconds(path, a, channel)
    covered = Flaw.LOCKOUT_OFF not in flaws and (path == "keypad" or bool(a["lockout.covers_han"])) and f > 0
    opt = z3.Optimize()
    under, locked, free = z3.Ints("under locked free")
    opt.add(under >= 0, locked >= 0, free >= 0)
    d = z3.RealVal(str(delta))
    if covered:
        opt.add(free == 0)
        # move 1: f-1 failures, then wait until the first leaves the window; move 2: f failures + lock
        time = under * z3.If(d * (f - 1) > w, d * (f - 1), z3.RealVal(w)) + locked * (d * f + lock)
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
    return g, {"lockout_covers_path": covered, "entry_s": delta,
               "under_lock_bursts": m.eval(under).as_long(), "lock_cycles": m.eval(locked).as_long(),
               "unthrottled_guesses": m.eval(free).as_long()}


def forgery_probability(guesses: int) -> float:
    """1 - (1 - 2^-32)^G, computed without cancellation."""
    return -math.expm1(guesses * math.log1p(-(2.0 ** -MAC_BITS)))


def check(channel: str, a: Assumptions, flaws: frozenset[Flaw] = frozenset()) -> Finding:
    path = CHANNEL_PATHS[channel]
    g, schedule = max_guesses(path, a, flaws, channel=channel)
    if g < 0:
        return Finding(UNKNOWN, None, "optimisation failed")
    p = forgery_probability(g)
    bound = float(a["bruteforce.max_probability"])
    detail = f"{g} guesses a year on the {path} path; P(one forged UTRN) = {p:.3g} (bound {bound:g})"
    if p <= bound:
        return Finding(PROVED, None, detail)
    f, w = int(a["lockout.max_failures"]), int(a["lockout.window_s"])
    per_burst = f - 1 if schedule["under_lock_bursts"] else f
    burst = [{"action": "guess", "path": path, "count": per_burst if schedule["lockout_covers_path"] else f + 1}]
    steps = burst + ([{"action": "advance", "seconds": w}] + burst if schedule["lockout_covers_path"] else [])
    trace = {"kind": "bruteforce", "property": "bruteforce-bound", "channel": channel, "method": "z3 Optimize",
             "flaws": sorted(x.name for x in flaws),
             "assumptions": {k: a[k] for k in ("lockout.max_failures", "lockout.window_s", "lockout.lock_s",
                                               "lockout.covers_han")},
             "guesses_per_year": g, "probability": p, "bound": bound, "schedule": schedule, "steps": steps,
             "violation": f"P(one forged UTRN in a year) = {p:.3g} > {bound:g}"}
    return Finding(REFUTED, trace, detail)
