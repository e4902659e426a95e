"""The plain, serialisable result of one property check, and the counterexample trace it carries.

Every family returns :class:`PropertyResult` records with a stable id ``<property>@<channel>`` (the
Threagile-style synthetic id the reports and risk tracking key on), a status ``proved`` |
``refuted`` | ``unknown``, the seconds it took (measured, never asserted by tests) and a trace made
only of model-level data (steps, parameters, the violation), so that ``nowan prove --json`` and the
report are a pure function of these records.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from nowan.model.traces import Step, Trace

PROVED, REFUTED, UNKNOWN = "proved", "refuted", "unknown"
STATUSES = (PROVED, REFUTED, UNKNOWN)



@dataclass
class PropertyResult:
    """One property on one channel: what was decided and the evidence."""

    property: str
    channel: str
    status: str
    seconds: float = 0.0
    trace: dict[str, Any] | None = None
    detail: str = ""
    #: The conformance evidence of the property's family (``Evidence.to_dict()``), or
    #: ``{"status": "not-applicable", "reason": ...}`` for a property decided on the code's own data.
    conformance: dict[str, Any] | None = None
    #: For a refuted property: whether its trace reproduced the violation on the devices at run time.
    reproduced: bool | None = None

    @property
    def id(self) -> str:
        return f"{self.property}@{self.channel}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of design.md: id, channel, status, seconds, trace (plus a one-line detail),
        the conformance evidence, and ``reproduced`` for a refuted property."""
        d = {"id": self.id, "channel": self.channel, "status": self.status,
             "seconds": round(self.seconds, 4), "trace": self.trace, "detail": self.detail,
             "conformance": self.conformance}
        if self.status == REFUTED:
            d["reproduced"] = self.reproduced
        return d


def counterexample(world: str, prop: str, steps: Iterable[tuple[str, str, Mapping[str, Any]]], *,
                   channel: str = "", assumptions: Mapping[str, Any] | None = None, flaws: Iterable[str] = (),
                   **evidence: Any) -> dict[str, Any]:
    """A refutation as a trace in the one trace format (:mod:`nowan.model.traces`), as plain data.

    ``steps`` are ``(actor, action, args)``; ``world`` names the premises in ``nowan.attacks`` that
    replays them (``nowan fuzz --replay FILE`` runs it); ``evidence`` is what the proof adds (method,
    parameters, the violation in words). The runner fills in ``channel`` where a family does not know it.
    """
    return Trace(channel, tuple(Step(actor, action, dict(args)) for actor, action, args in steps),
                 dict(assumptions or {}), tuple(sorted(flaws)), prop, world, evidence).to_dict()


@dataclass
class Finding:
    """What a family's check returns before the runner adds the id and the time taken."""

    status: str
    trace: dict[str, Any] | None = None
    detail: str = ""
