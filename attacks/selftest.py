"""Self-test with seeded bugs: the campaign must kill every deliberately broken variant.

A fuzzer that never fails proves nothing. Each :class:`~model.devices.flaws.Flaw` weakens exactly
one check in the reference implementation; the self-test runs the campaign on the channels where
that check matters, with the flaw switched on, and records whether an implementation invariant
fell (a kill) and how long it took. The same budgets on the faithful implementation must give no
implementation finding. Flaws are switched on only here and in tests, never from the command line.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from nowan.attacks.campaign import run_harness
from nowan.attacks.findings import IMPLEMENTATION, Finding
from nowan.attacks.registry import harnesses
from nowan.model.assumptions import Assumptions
from nowan.model.channels.types import Channel
from nowan.model.devices.flaws import Flaw

#: Where each seeded bug should be caught: the attacker worlds whose steps reach the weakened check
#: (first world first). The channels hunted are those whose model names one of these worlds in its
#: ``fuzz`` section (:func:`hunting_grounds`), so no channel id is fixed here.
SEEDED: dict[Flaw, tuple[str, ...]] = {
    Flaw.NO_DUPLICATE_CHECK: ("keypad",),
    Flaw.COUNTER_EQUAL_ACCEPTED: ("wan",),
    Flaw.LOCKOUT_OFF: ("keypad",),
    Flaw.DEVICE_LOG_BYPASS: ("pairing",),
    Flaw.SHORT_MAC_COMPARE: ("keypad", "wan"),
    Flaw.CRITICAL_SIGNATURE_UNCHECKED: ("wan",),
    Flaw.NON_ATOMIC_UTRN_CHECK: ("keypad",),
    Flaw.NO_FLOOR_CHECK: ("keypad",),
    Flaw.MP169_ANY_SENDER: ("mp169",),
    Flaw.MP169_NOT_ENFORCED: ("mp169",),
    Flaw.MP169_CLEARED_ON_COS: ("mp169",),
}
BUDGET_S = 20.0


@dataclass
class FlawResult:
    """One seeded bug: caught or not, after how long, by which finding."""

    flaw: Flaw
    caught: bool
    seconds: float
    examples: int
    finding: Finding | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"flaw": self.flaw.name, "caught": self.caught, "seconds": round(self.seconds, 3),
                "examples": self.examples,
                "finding": None if self.finding is None else {"channel": self.finding.channel,
                                                              "invariant": self.finding.invariant,
                                                              "steps": len(self.finding.trace.steps)}}


@dataclass
class SelfTestResult:
    results: list[FlawResult] = field(default_factory=list)
    faithful_findings: list[Finding] = field(default_factory=list)

    @property
    def kill_rate(self) -> float:
        return sum(r.caught for r in self.results) / len(self.results) if self.results else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"kill_rate": self.kill_rate, "flaws": [r.to_dict() for r in self.results],
                "faithful_findings": [f.to_dict() for f in self.faithful_findings]}


def channels_of(worlds: Iterable[str], channels: Mapping[str, Channel] | None = None) -> tuple[str, ...]:
    """The channels (of ``channels``, default the packaged models) whose model names one of ``worlds``
    in its ``fuzz`` section, in the order of ``worlds``: how a check's hunters are found from the
    worlds that reach it, with no channel id fixed in code."""
    if channels is None:
        from nowan.model.channels import load_channels

        channels = load_channels()
    return tuple(cid for world in worlds for cid, ch in channels.items()
                 if ch.fuzz is not None and ch.fuzz.world == world)


def hunting_grounds(flaw: Flaw, channels: Mapping[str, Channel] | None = None) -> tuple[str, ...]:
    """The channels (of ``channels``, default the packaged models) whose fuzz world can catch ``flaw``,
    in the order of :data:`SEEDED`'s worlds."""
    return channels_of(SEEDED[flaw], channels)


def hunt(flaws: frozenset[Flaw], channels: Iterable[str], *, budget: float, seed: int,
         assumptions: Assumptions | None = None, models: Mapping[str, Channel] | None = None,
         clock: Callable[[], float] = time.monotonic) -> tuple[Finding | None, float, int]:
    """Run the channels (of ``models``, default the packaged ones) in turn until an implementation
    finding or the budget is spent."""
    a = assumptions or Assumptions()
    start = clock()
    examples = 0
    for h in harnesses(list(channels), channels=models):
        left = budget - (clock() - start)
        if left <= 0:
            break
        run = run_harness(h, budget=left, seed=seed, assumptions=a, flaws=flaws, kind=IMPLEMENTATION,
                          database=None, stop_on_first=True)
        examples += run.examples
        if run.findings:
            return run.findings[0], clock() - start, examples
    return None, clock() - start, examples


def run_selftest(flaws: Iterable[Flaw] | None = None, *, budget: float = BUDGET_S, seed: int = 0,
                 faithful: bool = True, faithful_budget: float | None = None,
                 models: Mapping[str, Channel] | None = None) -> SelfTestResult:
    """Kill each seeded bug within ``budget`` seconds; then each channel involved, faithful, for the same budget."""
    out = SelfTestResult()
    chosen = list(flaws) if flaws is not None else list(SEEDED)
    grounds = {flaw: hunting_grounds(flaw, models) for flaw in chosen}
    for flaw in chosen:
        finding, seconds, examples = hunt(frozenset({flaw}), grounds[flaw], budget=budget, seed=seed, models=models)
        out.results.append(FlawResult(flaw, finding is not None, seconds, examples, finding))
    if faithful:
        for cid in dict.fromkeys(c for flaw in chosen for c in grounds[flaw]):
            finding, _, _ = hunt(frozenset(), (cid,), budget=budget if faithful_budget is None else faithful_budget,
                                 seed=seed, models=models)
            if finding is not None:
                out.faithful_findings.append(finding)
    return out
