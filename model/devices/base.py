"""What every simulated device shares: a name, an EUI, the clock, seeded flaws and an event log."""
from __future__ import annotations

from typing import Any, Iterable

from nowan.model.devices.clock import SimClock
from nowan.model.devices.flaws import Flaw, as_flaws
from nowan.model.devices.outcomes import Event


class Device:
    """Base of the device state machines."""

    def __init__(self, name: str, eui: bytes, clock: SimClock, flaws: Iterable[Flaw] | Flaw | None = None) -> None:
        self.name, self.eui, self.clock = name, eui, clock
        self.flaws = as_flaws(flaws)
        self.events: list[Event] = []

    def has(self, flaw: Flaw) -> bool:
        return flaw in self.flaws

    def log(self, name: str, code: int | None = None, **data: Any) -> Event:
        ev = Event(self.clock.now, self.name, name, code, data)
        self.events.append(ev)
        return ev

    def events_named(self, name: str) -> list[Event]:
        return [e for e in self.events if e.name == name]
