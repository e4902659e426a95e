"""Family 4: the hub's inter-PAN pairing window (A-60MIN, SECMP0037).

Applies to every channel whose model has a ``rogue-join`` step or a ``pairing-window`` control
(:mod:`proofs.applicability`); today that is ``pairing-no-timeout``. The window comes from the
model too: it is ``pairing.window_s`` only if ``A-60MIN`` is an *existing* control and effective
under the assumptions; on ``pairing-no-timeout`` it is a candidate (SECMP0037 removes it), so the
window is infinite and the proof is refuted with a trace. The HAN-fed channel models (PPMID, NFC,
USB) have no rogue-join step, so the pairing window is not stated for them.

``pairing-window``: no rogue device joins the device log except within the A-60MIN window (the
``pairing.window_s`` default, 3600 s, when the channel removes it) after a hub power-on, and the hub
forwards no HAN traffic from a device that is not on its log. Real time, so the proof is over reals:
inductive invariant ``rogue on log -> it joined at most W s after a power-on``. Weakened with the
window removed or with ``Flaw.DEVICE_LOG_BYPASS``, the same encoding finds the trace.
"""
from __future__ import annotations

import math
from typing import Any

import z3

from nowan.model.assumptions import Assumptions, catalogue
from nowan.model.channels.evaluate import control_effective, environment
from nowan.model.channels.types import Channel
from nowan.model.devices.flaws import Flaw
from nowan.proofs.engine import System, prove
from nowan.proofs.applicability import PAIRING_MECHANISM
from nowan.proofs.result import REFUTED, Finding, counterexample

ADVANCE, POWER_CYCLE, JOIN, SEND = 0, 1, 2, 3
R, B, I = z3.RealSort(), z3.BoolSort(), z3.IntSort()
STATE = {"now": R, "powered_on_at": R, "on_log": B, "join_gap": R}
ACTION = {"kind": I, "seconds": R}


def window_for(channel: Channel, a: Assumptions) -> float:
    """The hub's window as the channel model has it: ``pairing.window_s`` if a ``pairing-window``
    control (A-60MIN) is in force, else inf."""
    env = environment(channel, a)
    for control in channel.controls:
        if control.mechanism == PAIRING_MECHANISM and control.id in channel.existing_controls:
            return float(env["pairing.window_s"]) if control_effective(channel, control, env) else math.inf
    return math.inf


def claim_window(a: Assumptions) -> float:
    """The window the property is stated against: the assumption, or its default when removed."""
    w = float(a["pairing.window_s"])
    return w if math.isfinite(w) else float(catalogue()["pairing.window_s"].default)


def system(window: float, claim: float, flaws: frozenset[Flaw] = frozenset()) -> System:
    bypass = Flaw.DEVICE_LOG_BYPASS in flaws
    removed = not math.isfinite(window)

    def open_(s: dict) -> z3.BoolRef:
        return z3.BoolVal(True) if removed else s["now"] - s["powered_on_at"] <= window

    def trans(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
        k = a["kind"]
        same = lambda *names: z3.And([t[n] == s[n] for n in names])  # noqa: E731
        return z3.Or(
            z3.And(k == ADVANCE, a["seconds"] > 0, t["now"] == s["now"] + a["seconds"],
                   same("powered_on_at", "on_log", "join_gap")),
            z3.And(k == POWER_CYCLE, t["powered_on_at"] == s["now"], same("now", "on_log", "join_gap")),
            z3.And(k == JOIN, open_(s), t["on_log"], t["join_gap"] == s["now"] - s["powered_on_at"],
                   same("now", "powered_on_at")),
            z3.And(k == SEND, z3.Or(bypass, s["on_log"]), same("now", "powered_on_at", "on_log", "join_gap")))

    def bad(s: dict, a: dict, p: dict) -> z3.BoolRef:
        return z3.Or(z3.And(a["kind"] == JOIN, open_(s), s["now"] - s["powered_on_at"] > claim),
                     z3.And(a["kind"] == SEND, z3.Or(bypass, s["on_log"]), z3.Not(s["on_log"])))

    return System(STATE, ACTION,
                  init=lambda s, p: z3.And(s["now"] == 0, s["powered_on_at"] == 0, z3.Not(s["on_log"])),
                  trans=trans,
                  inv=lambda s, p: z3.And(s["now"] >= s["powered_on_at"],
                                          z3.Implies(s["on_log"], s["join_gap"] <= claim)),
                  bad=bad, observe=("now", "powered_on_at"))


def check(channel: str, a: Assumptions, flaws: frozenset[Flaw] = frozenset(),
          window: float | None = None) -> Finding:
    """``window``: the hub's window in seconds (the runner passes :func:`window_for` of the model)."""
    w = float(a["pairing.window_s"]) if window is None else window
    claim = claim_window(a)
    verdict = prove(system(w, claim, flaws), depth=3)
    if verdict.status != REFUTED:
        return Finding(verdict.status, None, f"{verdict.method}; window {w} s")
    names = {ADVANCE: "advance", POWER_CYCLE: "power-cycle", JOIN: "rogue-join", SEND: "rogue-send"}
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("env", "advance", {"seconds": row["seconds"]}) if row["kind"] == ADVANCE else
        ("attacker", names[row["kind"]], {}) for row in verdict.steps]
    violation = (f"a rogue device joins more than {claim:g} s after the last hub power-on"
                 if steps[-1][1] == "rogue-join" else "the hub forwards HAN traffic from a device not on its log")
    trace = counterexample("pairing", "pairing-window", steps, channel=channel, flaws=(f.name for f in flaws),
                           assumptions={"pairing.window_s": "inf" if math.isinf(w) else w},
                           method=verdict.method, claim_window_s=claim, violation=violation)
    return Finding(REFUTED, trace, violation)
