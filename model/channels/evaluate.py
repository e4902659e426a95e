"""Evaluate a channel's steps under assumptions and a set of enabled controls.

This is where controls act: a blocking control makes a step infeasible (difficulty ``inf``), a
hardening control adds to its difficulty. Both only ever make steps harder, which is what makes
the risk engine monotone (adding a control never raises risk; removing one never lowers it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from nowan.model import ranges
from nowan.model.assumptions import Assumptions
from nowan.model.channels import bruteforce, catalogues, exprs
from nowan.model.channels.types import Channel, Control, MacGuess, Step
from nowan.model.errors import ModelError

SECONDS_PER_YEAR = 365 * 86400


def environment(channel: Channel, assumptions: Assumptions) -> dict[str, Any]:
    """Names an expression may read: assumptions, then the channel's pinned parameters.

    A channel parameter named like an assumption pins it for that channel (e.g. the relay channel
    pins what it carries), unless the user overrode that assumption explicitly with --assume.
    Calibration overrides (``calibration.<id>``) ride along for the engine to read where the
    calibrated number is used (see :func:`calibrated`).
    """
    env = {k: assumptions[k] for k in assumptions}
    for k, v in channel.parameters.items():
        if k not in assumptions.overridden:
            env[k] = v
    env.update(assumptions.calibrations)
    return env


def calibrated(env: Mapping[str, Any], id_: str, value: Any) -> Any:
    """A model number, or its ``--assume calibration.<id>=V`` override (model/ranges.py ids)."""
    return env.get(id_, value)


def _num(channel: Channel, value: Any, env: Mapping[str, Any], where: str) -> float:
    try:
        return float(exprs.number(value, env))
    except exprs.ExprError as exc:
        raise ModelError(str(exc), where=where) from None


def control_effective(channel: Channel, control: Control, env: Mapping[str, Any]) -> bool:
    """Whether a control acts under these assumptions (e.g. A-60MIN needs a finite window)."""
    if control.effective is True or control.effective is None:
        return True
    if control.effective is False:
        return False
    try:
        return bool(exprs.parse(str(control.effective)).evaluate(env))
    except exprs.ExprError as exc:
        raise ModelError(str(exc), where=f"{control.origin} field 'effective'") from None


def enabled_from_delta(channel: Channel, delta: Iterable[str] = ()) -> frozenset[str]:
    """Existing controls, adjusted by ``+ID`` (add) and ``-ID`` (remove) items."""
    enabled = set(channel.existing_controls)
    known = {c.id for c in channel.controls}
    for item in delta:
        sign, cid = item[:1], item[1:]
        if sign not in "+-" or not cid:
            raise ModelError("expected +ID or -ID", where=f"--control {item}")
        if cid not in known:
            continue  # a control of another channel: not applicable here
        (enabled.add if sign == "+" else enabled.discard)(cid)
    return frozenset(enabled)


@dataclass(frozen=True)
class MacGuessResult:
    attempts_per_year: float
    probability_per_year: float
    expected_per_premises_year: float
    lockout_applies: bool


def mac_guess(d: MacGuess, env: Mapping[str, Any], lockout_on: bool, channel: Channel, where: str) -> MacGuessResult:
    """Guessing a ``mac_bits`` MAC online at one meter for a year (A-LOCKOUT).

    The attempt rate is the closed form of :mod:`model.channels.bruteforce` (shared with the z3
    bound in ``proofs``). It gives the chance of one forged UTRN per meter-year (what the bound
    compares with ``bruteforce.max_probability``) and the expected forged UTRNs per premises a year,
    from which the risk engine takes the likelihood (times the premises reached, banded by
    risk.yaml ``forged_codes``) and the harm of a ``per_success_of`` goal.
    """
    attempt_s = _num(channel, d.attempt_s, env, where)
    applies = lockout_on and (not d.han or bool(env["lockout.covers_han"]))
    attempts = bruteforce.attempts_in(SECONDS_PER_YEAR, attempt_s, float(env["lockout.max_failures"]),
                                      float(env["lockout.window_s"]), float(env["lockout.lock_s"]), applies)
    return MacGuessResult(attempts, bruteforce.success_probability(attempts, d.mac_bits),
                          bruteforce.expected_successes(attempts, d.mac_bits), applies)


@dataclass
class StepValue:
    """A step's evaluated difficulty with the reasons (for traces)."""

    base: float
    difficulty: float
    blocked_by: list[str] = field(default_factory=list)
    hardened_by: list[tuple[str, float]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def evaluate_steps(channel: Channel, assumptions: Assumptions, enabled: Iterable[str],
                   env: Mapping[str, Any] | None = None) -> dict[str, StepValue]:
    """Every step's difficulty under ``assumptions`` with exactly the ``enabled`` controls on
    (``env``: the channel's :func:`environment`, when the caller has built it already)."""
    env = environment(channel, assumptions) if env is None else env
    enabled = frozenset(enabled)
    active = {c.id: c for c in channel.controls if c.id in enabled and control_effective(channel, c, env)}
    out: dict[str, StepValue] = {}
    for s in channel.steps:
        out[s.id] = _evaluate_step(channel, s, env, active)
    return out


def _evaluate_step(channel: Channel, s: Step, env: Mapping[str, Any], active: Mapping[str, Control]) -> StepValue:
    where = f"{s.origin} field 'difficulty'"
    detail: dict[str, Any] = {}
    if isinstance(s.difficulty, MacGuess):
        lc = s.difficulty.lockout_control
        r = mac_guess(s.difficulty, env, lc is not None and lc in active, channel, where)
        # Guessing needs no skill beyond its prerequisites (the rig, the scripted app): its own
        # difficulty is what controls harden it by; its likelihood comes from the forged codes.
        base = 0.0
        bound = float(env["bruteforce.max_probability"])
        detail = {"attempts_per_year": r.attempts_per_year, "probability_per_year": r.probability_per_year,
                  "expected_per_premises_year": r.expected_per_premises_year,
                  "bound": bound, "bound_exceeded": r.probability_per_year > bound,
                  "lockout_applies": r.lockout_applies, "mac_bits": s.difficulty.mac_bits}
    else:
        base = _num(channel, s.difficulty, env, where)
        base = float(calibrated(env, ranges.step_difficulty(channel.id, s.id), base))
    sv = StepValue(base=base, difficulty=base, detail=detail)
    for c in active.values():
        if s.id in c.blocks:
            sv.blocked_by.append(c.id)
        for sid, amount in c.hardens:
            if sid == s.id:
                value = _num(channel, amount, env, f"{c.origin} field 'hardens.{sid}'")
                value = float(calibrated(env, ranges.hardening(channel.id, c.id, sid), value))
                if value < 0:
                    raise ModelError("a control must not make a step easier (negative hardening)",
                                     where=f"{c.origin} field 'hardens.{sid}'")
                sv.hardened_by.append((c.id, value))
    if sv.blocked_by:
        sv.difficulty = math.inf
    else:
        sv.difficulty = base + sum(v for _, v in sv.hardened_by)
    return sv
