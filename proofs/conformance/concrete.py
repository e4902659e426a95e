"""A proof's transition relation evaluated on concrete states: the model half of conformance.

Conformance must check the *very* relation the proof uses (``engine.System.trans``), not a second
copy written for testing. So this module never re-implements a family's rules: it substitutes
concrete values for the current state and the action, and asks z3 which steps the relation allows.

- Values are plain Python data, chosen per sort: ``int``/``bool``/``Fraction`` for scalars, a
  ``frozenset`` of keys for an ``Int -> Bool`` array (a set), a :class:`Table` for ``Int -> Int``
  and a ``dict`` of key -> ``frozenset`` for ``Int -> (Int -> Bool)`` (one set per cell).
- A state variable is *observed* when the family's abstraction function computes it from the
  devices; the others are *ghosts* that exist only in the model (the UTRN watermark, the pending
  entries of a split check, a cell's floor). Observed values come from the devices after each step;
  ghosts come from the z3 model of the step, so the model's run continues from exactly the state
  the devices are in.
- The outcome of a step is either *enabledness* (the faithful UTRN meter has no ``enter`` step for
  a refused counter: a refusal is the ``idle`` step) or a predicate over ``(s, a, t)`` that the
  family states next to its relation (``System.accepts``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping

import z3

from nowan.proofs.engine import RLIMIT, System, fresh

Values = dict[str, Any]
Outcome = Callable[[dict, dict, dict, dict], z3.BoolRef]


@dataclass(frozen=True)
class Table:
    """A concrete ``Int -> Int`` array: a default and the keys that differ from it."""

    default: int
    entries: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, default: int, entries: Mapping[int, int]) -> "Table":
        return cls(default, tuple(sorted((k, v) for k, v in entries.items() if v != default)))

    def __getitem__(self, key: int) -> int:
        return dict(self.entries).get(key, self.default)


def to_z3(sort: z3.SortRef, value: Any) -> z3.ExprRef:
    """The z3 literal of a concrete value of ``sort`` (see the module docstring for the shapes)."""
    if sort == z3.IntSort():
        return z3.IntVal(int(value))
    if sort == z3.BoolSort():
        return z3.BoolVal(bool(value))
    if sort == z3.RealSort():
        return z3.RealVal(str(Fraction(value)))
    if isinstance(sort, z3.ArraySortRef) and sort.range() == z3.BoolSort():
        arr: z3.ExprRef = z3.K(sort.domain(), z3.BoolVal(False))
        for k in sorted(value):
            arr = z3.Store(arr, z3.IntVal(k), z3.BoolVal(True))
        return arr
    if isinstance(sort, z3.ArraySortRef) and sort.range() == z3.IntSort():
        arr = z3.K(sort.domain(), z3.IntVal(value.default))
        for k, v in value.entries:
            arr = z3.Store(arr, z3.IntVal(k), z3.IntVal(v))
        return arr
    if isinstance(sort, z3.ArraySortRef) and isinstance(sort.range(), z3.ArraySortRef):
        arr = z3.K(sort.domain(), to_z3(sort.range(), frozenset()))
        for k in sorted(value):
            arr = z3.Store(arr, z3.IntVal(k), to_z3(sort.range(), value[k]))
        return arr
    raise TypeError(f"no concrete encoding for sort {sort}")


def from_z3(model: z3.ModelRef, sort: z3.SortRef, expr: z3.ExprRef, keys: Iterable[int]) -> Any:
    """Read a value of ``sort`` back from ``model``; arrays are read at ``keys`` (their known domain)."""
    def ev(e: z3.ExprRef) -> z3.ExprRef:
        return model.eval(e, model_completion=True)
    if sort == z3.IntSort():
        return ev(expr).as_long()
    if sort == z3.BoolSort():
        return z3.is_true(ev(expr))
    if sort == z3.RealSort():
        return Fraction(ev(expr).as_fraction())
    keys = sorted(set(keys))
    if isinstance(sort, z3.ArraySortRef) and sort.range() == z3.BoolSort():
        return frozenset(k for k in keys if z3.is_true(ev(expr[k])))
    if isinstance(sort, z3.ArraySortRef) and sort.range() == z3.IntSort():
        outside = max(keys, default=0) + 1_000_003  # a key no step uses: the array's default
        return Table.of(ev(expr[outside]).as_long(), {k: ev(expr[k]).as_long() for k in keys})
    if isinstance(sort, z3.ArraySortRef) and isinstance(sort.range(), z3.ArraySortRef):
        return {k: v for k in keys if (v := from_z3(model, sort.range(), expr[k], keys))}
    raise TypeError(f"no concrete reading for sort {sort}")


@dataclass
class StepCheck:
    """What the model allowed for one device step, and the state it continues from."""

    conforms: bool
    why: str = ""
    state: Values = field(default_factory=dict)


class ConcreteModel:
    """One run of a :class:`System` on concrete values, kept in step with the devices.

    ``params``: concrete parameter values (e.g. the cache size). ``observed``: the state variables
    the abstraction function computes; all others are ghosts. ``keys``: the array keys the run can
    touch (counters, cells), used only to read ghost arrays back.
    """

    def __init__(self, system: System, params: Mapping[str, Any], observed: Iterable[str]) -> None:
        self.system = system
        self.params = {n: to_z3(system.params[n], params[n]) for n in system.params}
        self.observed = tuple(observed)
        unknown = set(self.observed) - set(system.state)
        if unknown:
            raise ValueError(f"observed variables not in the model state: {sorted(unknown)}")
        self.ghosts = tuple(n for n in system.state if n not in self.observed)
        self.state: Values = {}
        self.keys: set[int] = set()

    def _solver(self) -> z3.Solver:
        s = z3.Solver()
        s.set("rlimit", RLIMIT)
        s.add(self.system.assume(self.params))
        return s

    def _pin(self, variables: dict, values: Values, names: Iterable[str]) -> list[z3.BoolRef]:
        return [variables[n] == to_z3(self.system.state[n], values[n]) for n in names]

    def _ghosts(self, model: z3.ModelRef, t: dict) -> Values:
        return {n: from_z3(model, self.system.state[n], t[n], self.keys) for n in self.ghosts}

    def start(self, device: Values) -> StepCheck:
        """The initial state: the devices' abstraction must be one the model's ``init`` allows."""
        s0 = fresh(self.system.state, "c0")
        solver = self._solver()
        solver.add(self.system.init(s0, self.params), *self._pin(s0, device, self.observed))
        if solver.check() != z3.sat:
            return StepCheck(False, f"initial device state {_show(device)} is not an initial model state")
        self.keys |= _keys(device)
        self.state = {**device, **self._ghosts(solver.model(), s0)}
        # The relation is built once (its z3 terms cost more than solving a concrete step) and every
        # step pins its pre-state, action and post-state inside push/pop scopes.
        self._s, self._a, self._t = (fresh(self.system.state, "cs"), fresh(self.system.action, "ca"),
                                     fresh(self.system.state, "ct"))
        self._rel = self._solver()
        self._rel.add(self.system.trans(self._s, self._a, self._t, self.params))
        return StepCheck(True, state=self.state)

    def _check(self, act: Mapping[str, Any], extra: Iterable[z3.BoolRef]) -> z3.ModelRef | None:
        """A model of the relation from the pinned pre-state with action fields ``act`` and ``extra``."""
        self._rel.push()
        try:
            self._rel.add(*[self._a[k] == to_z3(self.system.action[k], v) for k, v in act.items()], *extra)
            return self._rel.model() if self._rel.check() == z3.sat else None
        finally:
            self._rel.pop()

    def step(self, fields: Mapping[str, Any], device_accepted: bool, device_after: Values,
             outcome: Outcome | None = None, idle: Mapping[str, Any] | None = None) -> StepCheck:
        """Check one device step against the relation from the current model state.

        ``fields``: the concrete action fields (the others are left to z3, e.g. the anchor a
        reconstruction picks). ``outcome``: the model's accept predicate; ``None`` means the step is
        accepted iff the relation has a transition with ``fields``, and a refusal is the ``idle``
        action, or (``idle`` None, a relation without one) no step at all: the state stays. Conformance: the outcomes the model allows are exactly the
        device's, and the device's state after the step is one the model can reach with it.
        """
        self.keys |= _keys(fields) | _keys(device_after)
        s, t = self._s, self._t
        said = "accepted" if device_accepted else "refused"
        self._rel.push()
        try:
            self._rel.add(*self._pin(s, self.state, self.system.state))
            pinned = self._pin(t, device_after, self.observed)
            if outcome is None:
                if not device_accepted and self._check(fields, []) is not None:
                    return StepCheck(False, "device refused, model accepts")
                if not device_accepted and idle is None:  # no step: the state must stay as it was
                    before = {n: self.state[n] for n in self.observed}
                    if device_after != before:
                        return StepCheck(False, f"device refused but its state moved from {_show(before)} "
                                                f"to {_show(device_after)}")
                    return StepCheck(True, state=self.state)
                taken, extra = (fields if device_accepted else dict(idle)), []
            else:
                acc = outcome(s, self._a, t, self.params)
                if self._check(fields, [acc == (not device_accepted)]) is not None:
                    return StepCheck(False, f"device {said}, model {'refuses' if device_accepted else 'accepts'}"
                                            + ("" if self._check(fields, [acc == device_accepted]) is None
                                               else " or accepts (nondeterministic)"))
                taken, extra = fields, [acc == device_accepted]
            model = self._check(taken, extra + pinned)
            if model is None:
                expected = self._check(taken, extra)
                if expected is None:
                    return StepCheck(False, f"device {said}, model {'refuses' if device_accepted else 'allows no step'}")
                shown = _show({n: from_z3(expected, self.system.state[n], t[n], self.keys) for n in self.observed})
                return StepCheck(False, f"device state after the step {_show(device_after)} is not the model's {shown}")
            self.state = {**device_after, **self._ghosts(model, t)}
            return StepCheck(True, state=self.state)
        finally:
            self._rel.pop()


def _keys(values: Mapping[str, Any]) -> set[int]:
    """Every integer a step or a state mentions: the array keys worth reading back."""
    out: set[int] = set()
    for v in values.values():
        if isinstance(v, bool):
            continue
        if isinstance(v, int):
            out.add(v)
        elif isinstance(v, frozenset):
            out |= set(v)
        elif isinstance(v, Table):
            out |= {k for k, _ in v.entries}
        elif isinstance(v, dict):
            out |= set(v) | {k for x in v.values() for k in x}
    return out


def _show(values: Mapping[str, Any]) -> str:
    def one(v: Any) -> str:
        if isinstance(v, frozenset):
            return "{" + ",".join(map(str, sorted(v))) + "}"
        if isinstance(v, Table):
            return "{" + ",".join(f"{k}:{x}" for k, x in v.entries) + f"; else {v.default}}}"
        if isinstance(v, dict):
            return "{" + ",".join(f"{k}:{one(x)}" for k, x in sorted(v.items())) + "}"
        if isinstance(v, Fraction):
            return str(v.numerator) if v.denominator == 1 else f"{float(v):g}"
        return str(v)
    return "(" + ", ".join(f"{k}={one(v)}" for k, v in values.items()) + ")"
