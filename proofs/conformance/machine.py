"""The Hypothesis side of conformance: a state machine per family, run bounded and seeded.

Each family subclasses :class:`ConformanceMachine`: an ``@initialize`` rule builds a premises
(``model.devices.Scenario``) and the family's proof system on concrete parameters, and each
``@rule`` performs one action on the devices and calls :meth:`ConformanceMachine.check` with the
same action in the model's terms. The first step whose outcome or abstracted state the model does
not allow raises :class:`Divergence`, whose message names the step and the run leading to it.

:func:`run` drives a machine with a fixed seed and a small budget, so ``nowan prove`` gets the same
evidence on every run and machine; the test suite drives the same machines longer under the
Hypothesis ``ci`` profile.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping

import z3
from hypothesis import HealthCheck, Phase, Verbosity, seed as hyp_seed, settings
from hypothesis.errors import FlakyFailure
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from nowan.model.devices.flaws import Flaw
from nowan.model.seeding import pinned_constants
from nowan.proofs.conformance.concrete import ConcreteModel, Outcome, Values

CONFORMS, DIVERGES = "conforms", "diverges"


def ALWAYS(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:  # noqa: N802 - an outcome constant
    """Outcome of a step the model always accepts (e.g. a credential change within its precondition)."""
    return z3.BoolVal(True)


def NEVER(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:  # noqa: N802 - an outcome constant
    """Outcome of a step the model never accepts (e.g. a forgery: the ``idle`` step, refused)."""
    return z3.BoolVal(False)


class Divergence(AssertionError):
    """The devices took a step the proof's model does not allow."""


@dataclass(frozen=True)
class Budget:
    """How long a conformance run is: examples (fresh premises) x steps per example, and the seed."""

    examples: int = 6
    steps: int = 12
    seed: int = 0
    shrink: bool = False

    def widened(self, factor: float, extra_steps: int) -> "Budget":
        """A longer run for a family whose steps are cheap and whose bugs need longer runs."""
        return Budget(max(1, round(self.examples * factor)), self.steps + extra_steps, self.seed, self.shrink)


#: The bounded smoke run of ``nowan prove`` and ``assess``: a few seconds over every family.
SMOKE = Budget()


@dataclass
class Evidence:
    """The outcome of one family's conformance run, as ``nowan prove --json`` shows it."""

    family: str
    status: str
    steps: int
    examples: int
    seed: int
    divergence: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"family": self.family, "status": self.status, "checked_steps": self.steps,
                             "examples": self.examples, "seed": self.seed}
        if self.divergence:
            d["first_divergence"] = self.divergence
        return d


@dataclass
class Tally:
    """Counts shared by every example of one run (Hypothesis builds a fresh machine per example)."""

    steps: int = 0
    examples: int = 0
    labels: list[str] = field(default_factory=list)


class ConformanceMachine(RuleBasedStateMachine):
    """Base of every family's machine: holds the concrete model and the abstraction function."""

    tally: ClassVar[Tally] = Tally()
    #: Seeded device flaws (``model.devices.Flaw``) for the table test; the model stays faithful.
    device_flaws: ClassVar[frozenset[Flaw]] = frozenset()

    def begin(self, model: ConcreteModel, abstraction: Callable[[], Values]) -> None:
        """Start a run: the devices' initial abstraction must be an initial state of the model."""
        self.model, self.abstraction = model, abstraction
        self.history: list[str] = []
        self.tally.examples += 1
        started = model.start(abstraction())
        if not started.conforms:
            raise Divergence(f"initial state: {started.why}")

    def check(self, label: str, fields: Mapping[str, Any], accepted: bool, outcome: Outcome | None = None,
              idle: Mapping[str, Any] | None = None) -> None:
        """One step: the same action, in the model's terms, must allow the devices' outcome and state."""
        self.history.append(f"{label} -> {'accepted' if accepted else 'refused'}")
        result = self.model.step(fields, accepted, self.abstraction(), outcome, idle)
        self.tally.steps += 1
        if not result.conforms:
            run = "; ".join(self.history)
            raise Divergence(f"step {len(self.history)} ({label}): {result.why} [run: {run}]")


def run(machine: type[ConformanceMachine], family: str, budget: Budget = SMOKE) -> Evidence:
    """Run ``machine`` under ``budget``; the first divergence (if any) is the evidence against the model."""
    tally = Tally()
    cls = hyp_seed(budget.seed)(type(machine.__name__, (machine,), {"tally": tally}))
    phases = (Phase.explicit, Phase.generate) + ((Phase.shrink,) if budget.shrink else ())
    s = settings(max_examples=budget.examples, stateful_step_count=budget.steps, database=None, deadline=None,
                 derandomize=False, phases=phases, suppress_health_check=list(HealthCheck),
                 verbosity=Verbosity.quiet, print_blob=False, report_multiple_bugs=False)
    try:
        with pinned_constants():  # the evidence is a function of the seed alone
            run_state_machine_as_test(cls, settings=s)
    except Divergence as exc:
        return Evidence(family, DIVERGES, tally.steps, tally.examples, budget.seed, str(exc))
    except FlakyFailure as exc:  # the devices did not behave the same on a re-run: not conforming either
        return Evidence(family, DIVERGES, tally.steps, tally.examples, budget.seed, f"flaky: {exc}")
    except Exception as exc:  # noqa: BLE001 - a device crashing on an allowed action is a divergence
        return Evidence(family, DIVERGES, tally.steps, tally.examples, budget.seed,
                        f"the devices raised {type(exc).__name__}: {exc}")
    return Evidence(family, CONFORMS, tally.steps, tally.examples, budget.seed)


def run_variants(variants: list[tuple[type[ConformanceMachine], str]], family: str, budget: Budget) -> Evidence:
    """Run each (machine, name) variant of one family; the first divergence wins, steps add up."""
    steps = examples = 0
    for machine, name in variants:
        ev = run(machine, name, budget)
        steps, examples = steps + ev.steps, examples + ev.examples
        if ev.status != CONFORMS:
            ev.steps, ev.examples = steps, examples
            return ev
    return Evidence(family, CONFORMS, steps, examples, budget.seed)
