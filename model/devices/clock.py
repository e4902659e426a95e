"""The simulated clock shared by every device of a scenario.

No device reads wall time: lockout windows, the inter-PAN window, joining windows and event
timestamps all come from one :class:`SimClock` that the scenario (or a proof replay, or a fuzzing
step) advances explicitly. Two runs with the same steps are therefore identical.
"""
from __future__ import annotations

import math


class SimClock:
    """Seconds since the start of the scenario, advanced only by :meth:`advance` / :meth:`set`."""

    def __init__(self, start: float = 0) -> None:
        self._now = start

    @property
    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward (never backwards: a meter's clock does not run back)."""
        if seconds < 0 or math.isnan(seconds):
            raise ValueError(f"cannot advance the clock by {seconds} s")
        self._now += seconds
        return self._now

    def set(self, t: float) -> float:
        """Jump to an absolute time at or after now."""
        return self.advance(t - self._now)

    def __repr__(self) -> str:
        return f"SimClock(now={self._now})"
