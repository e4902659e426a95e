"""What every proof counterexample world shares: the trace's premises and a whole-run verdict.

A z3 counterexample is a trace in the one trace format (:mod:`nowan.model.traces`) whose ``world``
names one of these premises. Each executes the solver's model-level moves with real UTRNs and GBCS
frames on a :class:`~nowan.model.devices.scenario.Scenario` built with the trace's assumptions and
seeded flaws, and then says whether the devices' own state shows the violation the proof claims.
They run through the same loop as the fuzz worlds (:func:`nowan.attacks.harness.run_world`), so
``nowan fuzz --replay FILE`` reproduces a proof's trace as it does a fuzz finding.
"""
from __future__ import annotations

from typing import Any, ClassVar, Mapping

from nowan.attacks.counterexamples.args import Matches, Record
from nowan.attacks.harness import World
from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw
from nowan.model.devices.scenario import Scenario
from nowan.model.traces import Trace
from nowan.model.values import NumberSpec

#: Step argument domains the worlds share (see :mod:`nowan.attacks.counterexamples.args`).
#: Clock moves: finite, never backwards, at most a century (a proof's horizon is a year).
SECONDS = NumberSpec(minimum=0, maximum=100 * 365 * 86400)
#: The upper 32-bit word of a UTRN counter.
UTRN_COUNTER = NumberSpec(minimum=0, maximum=2**32 - 1, integer=True)
#: An originator counter (64-bit).
COUNTER64 = NumberSpec(minimum=0, maximum=2**64 - 1, integer=True)
#: What one UTRN can carry: 8191 pennies, or 8191 pounds.
PENCE = NumberSpec(minimum=1, maximum=819_100, integer=True)
#: Consumption in one step.
KWH = NumberSpec(minimum=0, maximum=100_000, integer=True)
#: Positions in a short list of frames or entries a proof's run issued.
INDEX = NumberSpec(minimum=0, maximum=10_000, integer=True)
#: A model id (a control, a threat).
MODEL_ID = Matches(r"[A-Za-z0-9][A-Za-z0-9-]*", "an id (letters, digits and hyphens)")


class CounterexampleWorld(World):
    """A proof family's premises: the trace's devices, its evidence, and a verdict after the last step."""

    #: False for a world that re-scores a model rather than running devices (no scenario to build).
    devices: ClassVar[bool] = True
    #: The evidence fields this world reads, checked before it is built (None: it reads none).
    reads: ClassVar[Record | None] = None

    def __init__(self, trace: Trace) -> None:
        a = Assumptions(dict(trace.assumptions))
        flaws = frozenset(Flaw[name] for name in trace.flaws)
        super().__init__(a, flaws)
        self.trace = trace
        self.evidence: Mapping[str, Any] = trace.evidence
        self.detail = ""
        if self.devices:
            self.sc = Scenario.build(a, flaws)

    @classmethod
    def for_trace(cls, trace: Trace) -> "CounterexampleWorld":
        return cls(trace)

    def check(self) -> list[tuple[str, str]]:
        return []  # a proof's claim is about the whole run: see final()

    def verdict(self) -> tuple[bool, str]:
        """Whether the devices showed the claimed violation, and what they did, in one line."""
        raise NotImplementedError

    def final(self) -> list[tuple[str, str]]:
        shown, self.detail = self.verdict()
        return [(self.trace.invariant or "", self.detail)] if shown else []

    def rerun(self, **kw: Any) -> "CounterexampleWorld":
        """The same trace on a fresh premises built with ``kw`` (a reference run to compare with)."""
        world = type(self)(self.trace, **kw)
        for step in self.trace.steps:
            world.apply(step)
        return world
