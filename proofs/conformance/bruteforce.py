"""Conformance of family 3 (``bruteforce-bound``) with the meter's UTRN lockout.

Family 3 has no transition system: its model is an integer program over the attacker's schedules
(:func:`proofs.bruteforce.max_guesses`, with the lockout the channel model implies,
:func:`proofs.bruteforce.lockout_for`). Its claim about the code is that no run of the meter lets
more wrong-MAC guesses reach the MAC check within a time T than that program's optimum for horizon
T, plus the one burst the program leaves out at the end of a horizon (the tolerance the proof itself
states). So the machine makes guesses on the step's path (each taking the model's time per guess)
and waits, and after every step compares the guesses the meter checked (refused as not authentic,
not as locked out) with the program's optimum for the time elapsed.
"""
from __future__ import annotations

import math
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw, Scenario
from nowan.model.devices.outcomes import Reason
from nowan.proofs.bruteforce import Lockout, max_guesses
from nowan.proofs.conformance.machine import Budget, ConformanceMachine, Divergence, Evidence, run
from nowan.model.gbcs.utrn import decode_utrn, utrn_from_ptut


def wrong_mac(utrn: str, guess: int) -> str:
    """The same UTRN fields with guess number ``guess`` at the MAC (never the right one)."""
    ptut = decode_utrn(utrn)
    return utrn_from_ptut((ptut.high32 << 32) | ((ptut.mac + 1 + guess) & 0xFFFFFFFF))


class LockoutMachine(ConformanceMachine):
    """The ESME's lockout against the schedule program for one ``Lockout`` and path."""

    lock: ClassVar[Lockout]
    path: ClassVar[str] = "keypad"
    covers_han: ClassVar[bool] = True

    @initialize()
    def build(self) -> None:
        lock = self.lock
        self.sc = Scenario.build(Assumptions({"lockout.max_failures": lock.max_failures,
                                              "lockout.window_s": lock.window_s, "lockout.lock_s": lock.lock_s,
                                              "lockout.covers_han": self.covers_han}), self.device_flaws)
        self.target = self.sc.mint("esme", 1000)
        self.checked = self.tries = 0
        self.bounds: dict[int, int] = {}
        self.history = []
        self.tally.examples += 1

    def _bound(self, horizon: int) -> int:
        if horizon not in self.bounds:
            self.bounds[horizon] = max_guesses(self.lock, horizon)[0]
        return self.bounds[horizon]

    def _compare(self, label: str) -> None:
        self.history.append(label)
        self.tally.steps += 1
        horizon = math.ceil(self.sc.clock.now)
        burst = max(self.lock.max_failures, 1) if self.lock.covers_path else 1
        bound = self._bound(horizon) + burst
        if self.checked > bound:
            raise Divergence(f"step {len(self.history)} ({label}): the meter checked {self.checked} wrong MACs in "
                             f"{horizon} s, the schedule model allows at most {bound} [run: {'; '.join(self.history)}]")

    @rule(count=st.integers(1, 6))
    def guess(self, count: int) -> None:
        for _ in range(count):
            utrn = wrong_mac(self.target, self.tries)
            self.tries += 1
            out = (self.sc.esme.enter_utrn(utrn, "keypad") if self.path == "keypad"
                   else self.sc.ppmid.top_up(self.sc.esme.eui, "esme", utrn))
            self.checked += out.reason is Reason.NOT_AUTHENTIC
            self.sc.clock.advance(self.lock.entry_s)
        self._compare(f"{count} guesses on the {self.path}")

    @rule(data=st.data())
    def wait(self, data: st.DataObject) -> None:
        seconds = data.draw(st.sampled_from([self.lock.window_s - 1, self.lock.window_s, self.lock.lock_s,
                                             self.lock.lock_s + 1]))
        self.sc.clock.advance(max(float(seconds), 1.0))
        self._compare(f"wait {seconds:g} s")


def check(lock: Lockout, path: str, covers_han: bool, budget: Budget,
          flaws: frozenset[Flaw] = frozenset()) -> Evidence:
    machine = type("Lockout", (LockoutMachine,), {"lock": lock, "path": path, "covers_han": covers_han,
                                                   "device_flaws": flaws})
    return run(machine, f"lockout[{path}]", budget)
