"""A-UTRN-CACHE: the meter's UTRN anti-replay state for one prepayment top-up cell (domain.md 1.5 [A]).

GBCS 14.3.x is not public, so this is the labelled modelling assumption, configurable so that both
plausible designs can be fuzzed and proved:

- ``floor``: the Supplier prepayment top-up floor sequence number set with the PP-KA credentials;
  ``floor_hi = floor >> 32``. Counters whose upper word is at or below it are spent.
- ``cache``: the upper words ``c = counter >> 32`` of the N most recently accepted UTRNs; on insert
  past N the *smallest* entry is evicted (so ``min(cache)`` only rises).
- Keypad/HAN UTRNs carry only ``c mod 1024``; the meter rebuilds ``c``:
  ``above-min`` takes the smallest ``c > min(cache ∪ {floor_hi})`` with the right low 10 bits;
  ``nearest-max`` takes the ``c`` with the right low 10 bits closest to ``max(cache ∪ {floor_hi})``.
- A candidate is refused if it is in the cache (duplicate), ``<= floor_hi``, or below ``min(cache)``
  when the cache is full. WAN UTRNs (CS01a/b) use the header counter and the same rules.
- ``size = 0`` (``--assume utrn.cache_size=0``) is the what-if "no cache": only the floor is left,
  so a spent UTRN above the floor is accepted again. It exists to show what the cache is worth.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nowan.model.devices.outcomes import Reason

POLICIES = ("above-min", "nearest-max")
WINDOW = 1024  # 10 truncated counter bits


@dataclass
class UtrnCounterCache:
    """Cache and floor of one PP-KA trust-anchor cell."""

    size: int
    policy: str = "above-min"
    floor: int = 0
    entries: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"utrn.reconstruction: expected one of {POLICIES}, got {self.policy!r}")
        if self.size < 0:
            raise ValueError("utrn.cache_size must be at least 0")

    @property
    def floor_hi(self) -> int:
        return self.floor >> 32

    def _anchor_min(self, use_floor: bool = True) -> int:
        base = {self.floor_hi} if use_floor else set()
        pool = self.entries | base
        return min(pool) if pool else 0

    def reconstruct(self, counter10: int, use_floor: bool = True) -> int:
        """The full upper counter word the meter assumes for a truncated 10-bit counter."""
        if not 0 <= counter10 < WINDOW:
            raise ValueError("truncated counter out of range")
        if self.policy == "above-min":
            m = self._anchor_min(use_floor)
            # smallest c > m with c % 1024 == counter10
            c = m + 1 + ((counter10 - (m + 1)) % WINDOW)
            return c
        pool = self.entries | ({self.floor_hi} if use_floor else set())
        top = max(pool) if pool else 0
        d = (counter10 - top) % WINDOW
        c = top + d if d <= WINDOW // 2 else top + d - WINDOW
        return c if c >= 0 else c + WINDOW

    def check(self, upper: int, *, duplicate_check: bool = True, floor_check: bool = True) -> Reason:
        """Whether an upper counter word may be credited (ACCEPTED) or why not. Does not record."""
        if duplicate_check and upper in self.entries:
            return Reason.DUPLICATE
        if floor_check and upper <= self.floor_hi:
            return Reason.BELOW_FLOOR
        if duplicate_check and self.entries and len(self.entries) >= self.size and upper < min(self.entries):
            return Reason.BELOW_CACHE_WINDOW
        return Reason.ACCEPTED

    def record(self, upper: int) -> None:
        """Remember an accepted counter, evicting the smallest entry past the cache size."""
        self.entries.add(upper)
        while len(self.entries) > self.size:
            self.entries.discard(min(self.entries))

    def snapshot(self) -> dict[str, object]:
        return {"floor": self.floor, "policy": self.policy, "size": self.size, "entries": sorted(self.entries)}
