"""The result of one replay and the scenario set-up every replayer shares."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw, Scenario


@dataclass
class Replay:
    """Whether the devices reproduced the trace's violation, and what they did step by step."""

    reproduced: bool
    observed: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""


def scenario(trace: dict[str, Any], overrides: dict[str, Any] | None = None) -> Scenario:
    """A fresh premises with the trace's assumptions (``assumptions``) and seeded flaws (``flaws``)."""
    values = {**dict(trace.get("assumptions", {})), **(overrides or {})}
    flaws: Iterable[Flaw] = (Flaw[name] for name in trace.get("flaws", ()))
    return Scenario.build(Assumptions(values), flaws)
