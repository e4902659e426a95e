"""The harness core: a premises (:class:`World`) that executes steps, and the Hypothesis machine.

Each channel defines a :class:`World`: the devices of one premises wired together, the legitimate
parties' intentions (what the supplier issued, what the consumer paid for) and the attacker's
knowledge (every message it has observed on the channel, as real bytes). A world executes
:class:`~model.traces.Step` records and reports which invariants are violated. The Hypothesis
machine (:class:`ChannelMachine`) only *chooses* steps; the world does the work. Because replay uses
the same :meth:`World.apply`, a stored trace reproduces exactly what the fuzzer saw.

Invariants come in two kinds (see :mod:`attacks.findings`); a machine is bound to one kind per run
so that an expected channel weakness cannot mask an implementation bug in the same channel.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, ClassVar, Iterable

from hypothesis.stateful import RuleBasedStateMachine

from nowan.attacks.findings import IMPLEMENTATION, WEAKNESS
from nowan.attacks.invariants import INVARIANTS
from nowan.model.traces import Step, Trace
from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw


class InvariantViolation(AssertionError):
    """Raised inside a harness when an invariant fails; carries the trace that led there."""

    def __init__(self, invariant_id: str, message: str, trace: Trace) -> None:
        super().__init__(f"{invariant_id}: {message}")
        self.invariant = invariant_id
        self.message = message
        self.trace = trace


class HarnessCrash(AssertionError):
    """A device raised on attacker input instead of returning an Outcome (a bug in the model)."""

    def __init__(self, message: str, trace: Trace) -> None:
        super().__init__(message)
        self.invariant = "no-crash"
        self.message = message
        self.trace = trace


class World:
    """One premises under attack. Subclasses define ``do_<action>`` methods, those the fuzzer may
    take declared with :func:`attacks.vocabulary.step`.

    ``world`` names the premises for channel models (their ``fuzz.world``): one world can serve
    several channels. ``check`` returns ``(invariant id, message)`` pairs for every invariant
    currently violated; the ids must be in :data:`attacks.invariants.INVARIANTS` and in ``checks``.
    """

    world: ClassVar[str] = ""
    checks: ClassVar[tuple[str, ...]] = ()
    #: Assumptions whose code this world exercises: a campaign also runs it under shrinking
    #: variants of these (attacks.variants).
    reads: ClassVar[tuple[str, ...]] = ()
    #: Longer bursts for worlds whose steps are cheap, so Hypothesis's per-rule overhead stays small.
    burst_factor: ClassVar[int] = 1

    def __init__(self, assumptions: Assumptions, flaws: frozenset[Flaw]) -> None:
        self.assumptions = assumptions
        self.flaws = flaws
        #: What the devices said, step by step, for a replay's report (worlds that keep one).
        self.log: list[dict[str, Any]] = []

    @classmethod
    def for_trace(cls, trace: Trace) -> "World":
        """A fresh premises built from the trace's assumptions and seeded flaws."""
        return cls(Assumptions(dict(trace.assumptions)), frozenset(Flaw[name] for name in trace.flaws))

    def apply(self, step: Step) -> None:
        handler = getattr(self, f"do_{step.action.replace('-', '_')}", None)
        if handler is None:
            raise ValueError(f"{self.world}: no such step {step.action!r}")
        handler(**step.args)

    def check(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def final(self) -> list[tuple[str, str]]:
        """Violations of whole-run properties, checked once after the last step (none by default).

        A fuzz world checks after every step; a proof's counterexample world may claim something
        only the complete run shows (the supply is off at the end, and would not be in issue order).
        """
        return []


def config_digest(channel: str, assumptions: Assumptions, flaws: Iterable[Flaw], kind: str) -> str:
    """A short, stable id of a harness configuration (names the example-database key)."""
    blob = json.dumps({"c": channel, "a": {k: str(v) for k, v in sorted(assumptions.overridden.items())},
                       "f": sorted(f.name for f in flaws), "k": kind}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


class ChannelMachine(RuleBasedStateMachine):
    """Base Hypothesis machine: records steps, runs them on the world, checks invariants.

    Subclasses add ``@rule`` methods that build a :class:`Step` and call :meth:`run`. Use
    :func:`bind` to fix the assumptions, flaws and invariant kind for one campaign.
    """

    world_class: ClassVar[type[World]] = World
    #: The channel this machine fuzzes (traces are named by it; the world may serve others too).
    channel: ClassVar[str] = ""
    assumptions: ClassVar[Assumptions]
    flaws: ClassVar[frozenset[Flaw]] = frozenset()
    kind: ClassVar[str] = IMPLEMENTATION
    #: Invariants already found in this campaign: not raised again, so the hunt moves on.
    ignore: ClassVar[frozenset[str]] = frozenset()
    #: Counters a campaign reads for its statistics (examples = machines built).
    stats: ClassVar[dict[str, int]]

    def __init__(self) -> None:
        super().__init__()
        cls = type(self)
        cls.stats["examples"] += 1
        self.world = cls.world_class(cls.assumptions, cls.flaws)
        self.steps: list[Step] = []

    def trace(self, invariant_id: str | None = None) -> Trace:
        cls = type(self)
        return Trace(cls.channel, tuple(self.steps),
                     {k: _jsonable(v) for k, v in cls.assumptions.overridden.items()},
                     tuple(sorted(f.name for f in cls.flaws)), invariant_id)

    def run(self, step: Step) -> None:
        """Execute one step, then check the invariants (after every step, also inside a burst).

        A device exception becomes a ``no-crash`` finding with its trace.
        """
        self.steps.append(step)
        type(self).stats["steps"] += 1
        try:
            self.world.apply(step)
        except Exception as exc:  # noqa: BLE001 - any escape is a finding, reported with its trace
            raise HarnessCrash(f"{type(exc).__name__}: {exc}", self.trace("no-crash")) from exc
        self.check()

    def check(self) -> None:
        cls = type(self)
        for inv_id, message in self.world.check():
            if INVARIANTS[inv_id].kind == cls.kind and inv_id not in cls.ignore:
                raise InvariantViolation(inv_id, message, self.trace(inv_id))


def bind(machine: type[ChannelMachine], assumptions: Assumptions, flaws: Iterable[Flaw] = (),
         kind: str = IMPLEMENTATION, ignore: Iterable[str] = ()) -> type[ChannelMachine]:
    """A subclass of ``machine`` fixed to one configuration, with its own example-database key."""
    if kind not in (IMPLEMENTATION, WEAKNESS):
        raise ValueError(f"kind must be {IMPLEMENTATION} or {WEAKNESS}")
    fl, ig = frozenset(flaws), frozenset(ignore)
    digest = config_digest(machine.channel, assumptions, fl, kind + "/" + ",".join(sorted(ig)))
    name = f"{machine.__name__}_{digest}"
    attrs: dict[str, Any] = {"assumptions": assumptions, "flaws": fl, "kind": kind, "ignore": ig,
                             "stats": {"examples": 0, "steps": 0}, "__qualname__": name,
                             "__module__": machine.__module__}
    return type(name, (machine,), attrs)


def _jsonable(v: Any) -> Any:
    return "inf" if v == float("inf") else v


def run_world(world_class: type[World], trace: Trace,
              on_step: Callable[[int, Step, World], None] | None = None) -> tuple[tuple[str, str, int] | None, World]:
    """Run a trace on a fresh world: the first violation as (invariant, message, step index), and the world.

    The one replay loop: fuzz findings, minimisation and proof counterexamples all go through it.
    Only violations of the trace's own ``invariant`` count (any, when the trace names none).
    """
    world = world_class.for_trace(trace)
    for i, step in enumerate(trace.steps):
        try:
            world.apply(step)
        except Exception as exc:  # noqa: BLE001 - same rule as the fuzzer
            return ("no-crash", f"{type(exc).__name__}: {exc}", i), world
        if on_step is not None:
            on_step(i, step, world)
        wanted = [v for v in world.check() if trace.invariant in (None, v[0])]
        if wanted:
            return (wanted[0][0], wanted[0][1], i), world
    wanted = [v for v in world.final() if trace.invariant in (None, v[0])]
    if wanted:
        return (wanted[0][0], wanted[0][1], len(trace.steps) - 1), world
    return None, world


def replay_world(world_class: type[World], trace: Trace,
                 on_step: Callable[[int, Step, World], None] | None = None) -> tuple[str, str, int] | None:
    """Run a trace on a fresh world; the first violation as (invariant, message, step index)."""
    return run_world(world_class, trace, on_step)[0]


def minimize_trace(world_class: type[World], trace: Trace, max_replays: int = 600,
                   valid: Callable[[Step], bool] | None = None) -> Trace:
    """Shrink a trace by replay until no single change below helps (or ``max_replays`` is spent).

    Used after Hypothesis's own shrinking, or instead of it where that would cost more than the
    finding is worth (channel weaknesses). Steps refer to earlier messages by position, so deleting
    one step can shift what a later one points at: besides deleting windows of steps (halves, then
    smaller, down to single steps) it deletes pairs and sets integer arguments to 0. Each candidate
    is one cheap replay, and each kept candidate is cut just after the step that violates.
    """
    hit = replay_world(world_class, trace)
    if hit is None or hit[0] != trace.invariant:
        return trace
    steps = list(trace.steps[:hit[2] + 1])
    replays = 0

    def attempt(candidate: list[Step]) -> list[Step] | None:
        nonlocal replays
        if valid is not None and not all(valid(st) for st in candidate):
            return None  # a step the channel's parties could not take: --replay would refuse it
        replays += 1
        got = replay_world(world_class, Trace(trace.channel, tuple(candidate), trace.assumptions, trace.flaws,
                                              trace.invariant))
        return candidate[:got[2] + 1] if got is not None and got[0] == trace.invariant else None

    def passes():
        k = len(steps) // 2
        while k >= 1:
            for i in range(len(steps) - k + 1):
                yield steps[:i] + steps[i + k:]
            k //= 2
        for i in range(len(steps)):
            for j in range(i + 1, len(steps)):
                yield steps[:i] + steps[i + 1:j] + steps[j + 1:]
        for i, step in enumerate(steps):
            for key, value in step.args.items():
                if isinstance(value, int) and not isinstance(value, bool) and value != 0:
                    yield steps[:i] + [Step(step.actor, step.action, {**step.args, key: 0})] + steps[i + 1:]

    improved = True
    while improved and replays < max_replays:
        improved = False
        for candidate in passes():
            if replays >= max_replays:
                break
            shorter = attempt(candidate)
            if shorter is not None:
                steps, improved = shorter, True
                break  # restart the passes on the smaller trace
    return Trace(trace.channel, tuple(steps), trace.assumptions, trace.flaws, trace.invariant)
