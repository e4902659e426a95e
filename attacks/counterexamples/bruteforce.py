"""Brute-force counterexamples: wrong-MAC UTRNs entered as the optimal schedule says.

Reproduced if every scheduled guess reaches the MAC check (refused as not authentic, never as
locked out): the devices then allow at least the rate the optimisation counted.
"""
from __future__ import annotations

from nowan.attacks.counterexamples.args import Record, takes
from nowan.attacks.counterexamples.base import SECONDS, CounterexampleWorld
from nowan.model.gbcs.utrn import decode_utrn, utrn_from_ptut
from nowan.model.traces import Trace
from nowan.model.values import NumberSpec

#: Guesses in one burst: a burst is one lockout window's failures (``lockout.max_failures`` + 1
#: at most); 100,000 replay in about 4 s.
GUESSES = NumberSpec(minimum=1, maximum=100_000, integer=True)


def wrong_mac(utrn: str, guess: int) -> str:
    """The same UTRN fields with a guessed MAC (a forgery attempt)."""
    ptut = decode_utrn(utrn)
    mac = (ptut.mac + 1 + guess) & 0xFFFFFFFF
    return utrn_from_ptut((ptut.high32 << 32) | mac)


class BruteforceWorld(CounterexampleWorld):
    reads = Record({"schedule": Record({"entry_s": SECONDS})})

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.entry_s = float(self.evidence["schedule"]["entry_s"])
        self.target = self.sc.mint("esme", 1000)
        self.guesses = 0

    @takes(seconds=SECONDS)
    def do_advance(self, seconds: float) -> None:
        self.sc.clock.advance(float(seconds))

    @takes(path=("keypad", "han"), count=GUESSES)
    def do_guess(self, path: str, count: int) -> None:
        sc = self.sc
        for _ in range(int(count)):
            guess = wrong_mac(self.target, self.guesses)
            self.guesses += 1
            out = (sc.esme.enter_utrn(guess, "keypad") if path == "keypad"
                   else sc.ppmid.top_up(sc.esme.eui, "esme", guess))
            self.log.append({"t": sc.clock.now, "path": path, "reason": out.reason.value})
            sc.clock.advance(self.entry_s)

    def verdict(self) -> tuple[bool, str]:
        shown = all(o["reason"] == "not-authentic" for o in self.log)
        return shown, f"{len(self.log)} guesses reached the MAC check, none locked out"
