"""A-LOCKOUT: UTRN entry suspension after repeated failures (domain.md 1.7 [A]).

``lockout.max_failures`` failed entries inside a sliding window of ``lockout.window_s`` seconds
suspend UTRN entry for ``lockout.lock_s`` seconds (alert 0x81C4 on engaging; 0x81C5 for each entry
refused while locked). The meter decides which paths it covers (keypad always, HAN iff
``lockout.covers_han``). Time comes from the shared SimClock, so the window is exact and replayable.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class Lockout:
    """Sliding-window failure counter with a timed lock."""

    max_failures: int
    window_s: float
    lock_s: float
    enabled: bool = True
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = float("-inf")
    engagements: int = 0

    def locked(self, now: float) -> bool:
        return self.enabled and now < self.locked_until

    def _trim(self, now: float) -> None:
        while self.failures and self.failures[0] <= now - self.window_s:
            self.failures.popleft()

    def record_failure(self, now: float) -> bool:
        """Count a failure; True if this failure engaged the lock."""
        if not self.enabled:
            return False
        self._trim(now)
        self.failures.append(now)
        if self.max_failures > 0 and len(self.failures) >= self.max_failures:
            self.locked_until = now + self.lock_s
            self.failures.clear()
            self.engagements += 1
            return True
        return False

    def snapshot(self, now: float) -> dict[str, object]:
        self._trim(now)
        return {"locked": self.locked(now), "locked_until": self.locked_until if self.locked(now) else None,
                "recent_failures": len(self.failures), "engagements": self.engagements}
