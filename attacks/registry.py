"""The harnesses a campaign can run, by channel id, behind one interface (see campaign.Harness).

The channels are the channel models (packaged, or a ``--models`` directory): a model's ``fuzz``
section names the attacker world it is (``attacks.worlds``), the assumption values that premises
runs under for it, and the world's steps it does not have; its ``parameters`` named like an
assumption pin it here as they do for the risk. So a changed model changes the fuzz evidence, and a
new model file with a ``fuzz`` section is fuzzed without touching code. A model without one is
not fuzzed, and :func:`not_fuzzed` says so for the reports.

``machine harnesses`` wrap a channel's Hypothesis state machine; the ``gbcs-envelope`` harness is
mutation fuzzing of the envelope parser and verifier. Both turn an invariant failure into an
:class:`~attacks.harness.InvariantViolation` carrying the minimal trace, and both replay traces.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from hypothesis import Phase, given, seed as hseed, settings, strategies as st
from hypothesis.stateful import run_state_machine_as_test

from nowan.attacks.envelope import EnvelopeTarget, Mutation, decode_mutant, mutant_stream
from nowan.attacks.findings import WEAKNESS
from nowan.attacks.harness import ChannelMachine, InvariantViolation, bind, minimize_trace, replay_world
from nowan.attacks.invariants import INVARIANTS
from nowan.attacks.machines import machine_for
from nowan.model.traces import Step, Trace, TraceError
from nowan.attacks.variants import variants
from nowan.attacks.vocabulary import vocabulary
from nowan.model.assumptions import Assumptions, catalogue
from nowan.model.channels.types import Channel
from nowan.model.devices.flaws import Flaw
from nowan.model.errors import InputError
from nowan.model.gbcs.verify import Verifier

ENVELOPE = "gbcs-envelope"


class MachineHarness:
    """A channel's state machine as a campaign harness: the channel model's world and values."""

    def __init__(self, channel: Channel) -> None:
        spec = channel.fuzz
        if spec is None:
            raise ValueError(f"{channel.id} declares no fuzz world")
        known = _worlds()
        world = known.get(spec.world)
        if world is None:
            raise InputError(f"unknown fuzz world '{spec.world}'; expected one of {', '.join(known)}",
                             where=f"{spec.origin} field 'fuzz.world'")
        self.machine = machine_for(world, channel.id, spec.omit)
        declared = {s.action for s in vocabulary(world)}
        for action in spec.omit:
            if action not in declared:
                raise InputError(f"'{action}' is not a step of the {spec.world} world; expected one of "
                                 f"{', '.join(sorted(declared))}", where=f"{spec.origin} field 'fuzz.omit'")
        self.channel = channel.id
        self.checks = tuple(world.checks)
        #: The values this channel's premises runs under unless --assume says otherwise: the model's
        #: parameters named like an assumption, then its fuzz.assumptions.
        self.model_values: dict[str, Any] = {k: v for k, v in channel.parameters.items() if k in catalogue()}
        self.model_values.update(spec.assumptions)
        self.under_test = world
        self._bound: dict[tuple[str, frozenset[Flaw], str, frozenset[str]], type[ChannelMachine]] = {}

    def bound(self, assumptions: Assumptions, flaws: frozenset[Flaw], kind: str,
              ignore: frozenset[str] = frozenset()) -> type[ChannelMachine]:
        key = (repr(sorted(assumptions.overridden.items())), flaws, kind, ignore)
        if key not in self._bound:
            self._bound[key] = bind(self.machine, assumptions, flaws, kind, ignore)
        return self._bound[key]

    def round(self, assumptions: Assumptions, flaws: frozenset[Flaw], kind: str, run_settings: settings,
              seed: int, ignore: frozenset[str] = frozenset()) -> tuple[int, int]:
        cls = self.bound(assumptions, flaws, kind, ignore)
        cls._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
        before = dict(cls.stats)
        if kind == WEAKNESS:  # evidence, not a bug: a replay-based minimisation is enough and bounded
            run_settings = settings(run_settings, phases=[p for p in run_settings.phases if p is not Phase.shrink])
        try:
            run_state_machine_as_test(cls, settings=run_settings)
        except AssertionError as exc:
            if hasattr(exc, "trace"):
                exc.stats = (cls.stats["examples"] - before["examples"],  # type: ignore[attr-defined]
                             cls.stats["steps"] - before["steps"])
                if exc.invariant != "no-crash":  # type: ignore[attr-defined]
                    _minimise(self.machine.world_class, exc, self._step_valid)
            raise
        return cls.stats["examples"] - before["examples"], cls.stats["steps"] - before["steps"]

    def variants(self, assumptions: Assumptions, kind: str) -> list[Assumptions]:
        """The assumption values rounds cycle through, the channel's own first (the model's values
        under the user's overrides); shrinking variants hunt bugs only."""
        base = Assumptions({**self.model_values, **assumptions.overridden})
        if kind == WEAKNESS:
            return [base]
        return variants(base, self.machine.world_class.reads)

    def _step_valid(self, step: Step) -> bool:
        spec = {s.action: s for s in self.machine.steps_spec}.get(step.action)  # type: ignore[attr-defined]
        return spec is not None and spec.problem(step) is None

    def check_trace(self, trace: Trace, source: str = "trace") -> None:
        """Raise TraceError naming ``steps[i]`` for a step this channel's attacker or parties cannot take."""
        specs = {s.action: s for s in self.machine.steps_spec}  # type: ignore[attr-defined]
        for i, step in enumerate(trace.steps):
            spec = specs.get(step.action)
            problem = (f"unknown action {step.action!r} on {self.channel}; expected one of {', '.join(specs)}"
                       if spec is None else spec.problem(step))
            if problem is not None:
                raise TraceError(problem, where=f"{source} steps[{i}]")

    def replay(self, trace: Trace) -> tuple[str, str, int] | None:
        self.check_trace(trace)
        return replay_world(self.machine.world_class, trace)


def _minimise(world_class: type, exc: AssertionError, valid=None) -> None:
    """Replace the violation's trace with a minimal one, and its message with what that trace shows.

    The message must describe the saved trace (the amounts and times in it), not the longer run the
    fuzzer happened to find first.
    """
    exc.trace = minimize_trace(world_class, exc.trace, valid=valid)  # type: ignore[attr-defined]
    hit = replay_world(world_class, exc.trace)  # type: ignore[attr-defined]
    if hit is not None and hit[0] == exc.invariant:  # type: ignore[attr-defined]
        exc.message = hit[1]  # type: ignore[attr-defined]
        exc.args = (f"{hit[0]}: {hit[1]}",)


class EnvelopeHarness:
    """Mutation fuzzing of the GBCS envelope parser and verifier over real seed frames."""

    channel = ENVELOPE
    checks = ("envelope-errors-documented", "mutated-never-verifies", "envelope-uncovered-fields")
    #: What a finding is about, for a report's source location: no channel model describes the
    #: envelope, so it is the verifier under test.
    under_test = Verifier
    #: Mutants checked per Hypothesis example, all derived from one drawn integer: Hypothesis's
    #: per-example and per-draw costs are paid once for the batch (bench/fuzz.py: ratio to a bare loop).
    batch = 64

    def __init__(self, target: EnvelopeTarget) -> None:
        self.target = target
        self.stats = {"examples": 0, "steps": 0}

    def _trace(self, seed_index: int, muts: Sequence[Mutation], mutant: bytes, inv: str) -> Trace:
        name = self.target.seeds[seed_index % len(self.target.seeds)].name
        return Trace(ENVELOPE, (Step("attacker", "mutate", {"seed": name,
                                                            "mutations": [m.to_dict() for m in muts],
                                                            "frame": mutant.hex()}),), invariant=inv)

    def round(self, assumptions: Assumptions, flaws: frozenset[Flaw], kind: str, run_settings: settings,
              seed: int, ignore: frozenset[str] = frozenset()) -> tuple[int, int]:
        wanted = {i for i in self.checks if INVARIANTS[i].kind == kind} - ignore
        if not wanted:
            return 0, 0
        before = dict(self.stats)
        n = len(self.target.seeds)

        @hseed(seed)
        @run_settings
        @given(st.integers(0, 2**63 - 1))
        def mutate(x: int) -> None:
            self.stats["examples"] += 1
            for packed in mutant_stream(x, self.batch):
                seed_index, muts = decode_mutant(packed, n)
                self.stats["steps"] += 1
                mutant, violation = self.target.run(seed_index, muts)
                if violation is not None and violation.invariant in wanted:
                    raise InvariantViolation(violation.invariant, violation.message,
                                             self._trace(seed_index, muts, mutant, violation.invariant))

        try:
            mutate()
        except InvariantViolation as exc:
            exc.stats = (self.stats["examples"] - before["examples"],  # type: ignore[attr-defined]
                         self.stats["steps"] - before["steps"])
            raise
        return self.stats["examples"] - before["examples"], self.stats["steps"] - before["steps"]

    def variants(self, assumptions: Assumptions, kind: str) -> list[Assumptions]:
        return [assumptions]

    def check_trace(self, trace: Trace, source: str = "trace") -> None:
        """Raise TraceError naming ``steps[i]`` unless every step mutates one of this target's seeds.

        A mutant of an RTDS message replayed against the built-in synthetic keys would not verify
        for the wrong reason, so a seed this target does not hold is a user mistake (give --seeds).
        """
        names = {s.name for s in self.target.seeds}
        for i, step in enumerate(trace.steps):
            if step.action != "mutate":
                raise TraceError(f"unknown action {step.action!r} on {ENVELOPE}; expected mutate",
                                 where=f"{source} steps[{i}]")
            if step.args.get("seed") not in names:
                raise TraceError(f"seed {step.args.get('seed')!r} is not among the envelope seeds; give the "
                                 "--seeds and --keystore it was found with", where=f"{source} steps[{i}] field 'seed'")
            frame = step.args.get("frame")
            try:
                bytes.fromhex(frame if isinstance(frame, str) else "-")
            except ValueError:
                raise TraceError("expected the mutant frame as hex", where=f"{source} steps[{i}] field 'frame'") \
                    from None

    def replay(self, trace: Trace) -> tuple[str, str, int] | None:
        from nowan.attacks.envelope import check_mutant

        self.check_trace(trace)
        for i, step in enumerate(trace.steps):
            raw = bytes.fromhex(str(step.args["frame"]))
            v = check_mutant(raw, self.target.verifier, self.target.originals, self.target.protected)
            if v is not None:
                return v.invariant, v.message, i
        return None


def _worlds() -> Mapping[str, type]:
    from nowan.attacks.worlds import worlds

    return worlds()


def _models(channels: Mapping[str, Channel] | None) -> Mapping[str, Channel]:
    if channels is not None:
        return channels
    from nowan.model.channels import load_channels

    return load_channels()


def channel_ids(channels: Mapping[str, Channel] | None = None) -> tuple[str, ...]:
    """Every harness id in a stable order: the fuzzed channels (model order), then the envelope."""
    return (*(cid for cid, ch in _models(channels).items() if ch.fuzz is not None), ENVELOPE)


def not_fuzzed(channels: Mapping[str, Channel] | None = None) -> dict[str, str]:
    """Channel id -> why it is not fuzzed, for every model that declares no attacker world."""
    return {cid: f"not fuzzed: {ch.file} declares no attacker world (fuzz.world)"
            for cid, ch in _models(channels).items() if ch.fuzz is None}


def harnesses(ids: Sequence[str] | None = None, *, envelope: EnvelopeTarget | None = None,
              channels: Mapping[str, Channel] | None = None) -> list:
    """The harnesses for ``ids`` (all when None) over the channel models ``channels`` (the packaged
    ones when None); an unknown or unfuzzed id raises InputError naming the fuzzed ones."""
    models = _models(channels)
    known = channel_ids(models)
    wanted = list(ids) if ids else list(known)
    for cid in wanted:
        if cid not in known:
            why = not_fuzzed(models).get(cid, "unknown channel")
            raise InputError(f"{cid!r}: {why}; expected one of {', '.join(known)}", where="--channels")
    out: list = []
    for cid in wanted:
        if cid == ENVELOPE:
            from nowan.attacks.synthetic import synthetic_target

            out.append(EnvelopeHarness(envelope or synthetic_target()))
        else:
            out.append(MachineHarness(models[cid]))
    return out
