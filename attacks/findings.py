"""Findings and campaign results: what a fuzz campaign hands to the reports.

Two kinds of finding must never be confused in an SSC report:

- ``implementation-invariant``: the reference implementation broke a rule it is meant to keep
  (credit applied twice, an unsigned Critical command executed). On the faithful model under the
  default assumptions there must be none; one is a bug, and ``nowan fuzz`` exits 1.
- ``channel-weakness``: the faithful model behaves as specified, and the channel's design still
  lets an attacker do harm (a PPMID relay withholds a top-up; a rogue device joins when the
  inter-PAN window is removed). That is evidence for the risk assessment, not a bug.

Both carry the minimal trace that reproduces them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nowan.model.traces import Trace

IMPLEMENTATION = "implementation-invariant"
WEAKNESS = "channel-weakness"
KINDS = (IMPLEMENTATION, WEAKNESS)


@dataclass(frozen=True)
class Finding:
    """One violated invariant with the minimal trace that reproduces it."""

    channel: str
    invariant: str
    kind: str
    message: str
    trace: Trace

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"finding kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def rule_id(self) -> str:
        """Stable synthetic id (Threagile style): ``invariant@channel``."""
        return f"{self.invariant}@{self.channel}"

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "invariant": self.invariant, "kind": self.kind,
                "message": self.message, "trace": self.trace.to_dict()}


@dataclass
class ChannelRun:
    """What one harness did in a campaign: examples, steps, time and findings."""

    channel: str
    examples: int = 0
    steps: int = 0
    seconds: float = 0.0
    rounds: int = 0
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "examples": self.examples, "steps": self.steps,
                "seconds": round(self.seconds, 3), "rounds": self.rounds,
                "findings": len(self.findings)}


@dataclass
class CampaignResult:
    """The whole campaign: the ``nowan fuzz --json`` shape plus per-channel detail."""

    seed: int
    budget: float
    runs: list[ChannelRun] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.runs for f in r.findings]

    @property
    def examples(self) -> int:
        return sum(r.examples for r in self.runs)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)

    def implementation_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == IMPLEMENTATION]

    def weakness_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == WEAKNESS]

    def to_dict(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 3), "examples": self.examples,
                "findings": [f.to_dict() for f in self.findings],
                "seed": self.seed, "budget": self.budget,
                "channels": [r.to_dict() for r in self.runs]}
