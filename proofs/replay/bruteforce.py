"""Replay of a brute-force schedule: wrong-MAC UTRNs entered as the optimal schedule says.

Reproduced if every scheduled guess reaches the MAC check (refused as not authentic, never as
locked out): the devices then allow at least the rate the optimisation counted.
"""
from __future__ import annotations

from typing import Any

from nowan.model.gbcs.utrn import decode_utrn, utrn_from_ptut
from nowan.proofs.replay import register
from nowan.proofs.replay.base import Replay, scenario


def wrong_mac(utrn: str, guess: int) -> str:
    """The same UTRN fields with a guessed MAC (a forgery attempt)."""
    ptut = decode_utrn(utrn)
    mac = (ptut.mac + 1 + guess) & 0xFFFFFFFF
    return utrn_from_ptut((ptut.high32 << 32) | mac)


@register("bruteforce")
def replay_schedule(trace: dict[str, Any]) -> Replay:
    sc = scenario(trace)
    target = sc.mint("esme", 1000)
    observed, n = [], 0
    for step in trace["steps"]:
        if step["action"] == "advance":
            sc.clock.advance(float(step["seconds"]))
            continue
        for _ in range(int(step["count"])):
            guess = wrong_mac(target, n)
            n += 1
            out = (sc.esme.enter_utrn(guess, "keypad") if step["path"] == "keypad"
                   else sc.ppmid.top_up(sc.esme.eui, "esme", guess))
            observed.append({"t": sc.clock.now, "path": step["path"], "reason": out.reason.value})
            sc.clock.advance(float(trace["schedule"]["entry_s"]))
    ok = all(o["reason"] == "not-authentic" for o in observed)
    return Replay(ok, observed, f"{len(observed)} guesses reached the MAC check, none locked out")
