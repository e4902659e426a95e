"""A small transition-system prover on z3: inductive invariants first, bounded search for traces.

Why this shape: domain.md section 10 measured plain bounded model checking growing from 0.29 s at 6
steps to 32 s at 12, while an inductive invariant proved the UTRN cache rule for *unbounded* runs in
milliseconds. So every safety property here is stated as a :class:`System` (state, action, init,
transition, invariant, bad step) and proved by checking that the invariant holds initially, is
preserved by every transition, and excludes every bad step. Only when that fails do we unroll the
system from its initial states (a short bounded search) to find a *real* counterexample trace: a
counterexample to induction alone may start from an unreachable state and would not replay.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import z3

State = dict[str, z3.ExprRef]
Sorts = Mapping[str, z3.SortRef]

#: Per-query z3 resource limit (z3's ``rlimit``, a count of solver operations, not a time): running
#: out means "unknown", never a hang. A wall-clock timeout would make a verdict depend on how loaded
#: the machine is; the resource count is the same on every run. The packaged proofs need at most
#: about 0.12 M per query (measured); 10 M is some seconds of solving.
RLIMIT = 10_000_000


def fresh(sorts: Sorts, tag: str) -> State:
    """One copy of the variables ``sorts`` names, suffixed with ``tag`` (a step index)."""
    return {name: z3.Const(f"{name}@{tag}", sort) for name, sort in sorts.items()}


def valid(formula: z3.BoolRef, rlimit: int = RLIMIT) -> tuple[str, z3.ModelRef | None]:
    """('valid', None), ('invalid', model of the negation) or ('unknown', None)."""
    s = z3.Solver()
    s.set("rlimit", rlimit)
    s.add(z3.Not(formula))
    r = s.check()
    if r == z3.unsat:
        return "valid", None
    if r == z3.sat:
        return "invalid", s.model()
    return "unknown", None


@dataclass
class System:
    """A symbolic transition system with a safety property stated on single steps.

    ``bad(s, a)`` says that taking action ``a`` in state ``s`` violates the property (e.g. crediting
    a counter already credited); ``trans(s, a, t)`` relates a state, an action and the next state;
    ``inv`` is the inductive invariant that carries the proof. Every callback also receives the
    parameters ``p`` (symbolic constants such as the cache size, fixed for a run). ``observe`` lists the state variables
    worth showing in a trace (arrays are left out: the actions alone replay the run).
    """

    state: Sorts
    action: Sorts
    init: Callable[[State, State], z3.BoolRef]
    trans: Callable[[State, State, State, State], z3.BoolRef]
    inv: Callable[[State, State], z3.BoolRef]
    bad: Callable[[State, State, State], z3.BoolRef]
    observe: tuple[str, ...] = ()
    params: Sorts = field(default_factory=dict)
    assume: Callable[[State], z3.BoolRef] = lambda p: z3.BoolVal(True)


@dataclass
class Verdict:
    """Outcome of one proof attempt: status, the z3 trace if refuted, and how it was decided."""

    status: str  # proved | refuted | unknown
    method: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def _value(model: z3.ModelRef, expr: z3.ExprRef) -> Any:
    v = model.eval(expr, model_completion=True)
    if z3.is_int_value(v):
        return v.as_long()
    if z3.is_true(v) or z3.is_false(v):
        return z3.is_true(v)
    if z3.is_rational_value(v):
        f = v.as_fraction()
        return f.numerator if f.denominator == 1 else float(f)
    return str(v)


def prove(system: System, depth: int) -> Verdict:
    """Prove ``system`` safe for unbounded runs, or return the shortest trace (<= depth) breaking it."""
    p = fresh(system.params, "p")
    s0, a0, s1 = fresh(system.state, "0"), fresh(system.action, "0"), fresh(system.state, "1")
    ctx = system.assume(p)
    base = z3.Implies(z3.And(ctx, system.init(s0, p)), system.inv(s0, p))
    step = z3.Implies(z3.And(ctx, system.inv(s0, p), system.trans(s0, a0, s1, p)),
                      z3.And(system.inv(s1, p), z3.Not(system.bad(s0, a0, p))))
    b, _ = valid(base)
    st, _ = valid(step) if b == "valid" else (b, None)
    if b == "valid" and st == "valid":
        return Verdict("proved", "inductive-invariant")
    return search(system, depth, p)


def search(system: System, depth: int, p: State | None = None) -> Verdict:
    """Bounded search from the initial states: the shortest run whose last step is bad."""
    p = p if p is not None else fresh(system.params, "p")
    s = z3.Solver()
    s.set("rlimit", RLIMIT)
    s.add(system.assume(p))
    states = [fresh(system.state, "0")]
    actions: list[State] = []
    s.add(system.init(states[0], p))
    for k in range(depth):
        actions.append(fresh(system.action, str(k)))
        states.append(fresh(system.state, str(k + 1)))
        s.add(system.trans(states[k], actions[k], states[k + 1], p))
        s.push()
        s.add(system.bad(states[k], actions[k], p))
        r = s.check()
        if r == z3.sat:
            m = s.model()
            steps = []
            for i in range(k + 1):
                row = {name: _value(m, actions[i][name]) for name in sorted(system.action)}
                row["state"] = {name: _value(m, states[i][name]) for name in system.observe}
                steps.append(row)
            params = {name: _value(m, p[name]) for name in sorted(system.params)}
            return Verdict("refuted", f"bounded-search depth {k + 1}", steps, params)
        s.pop()
        if r == z3.unknown:
            return Verdict("unknown", f"solver gave up at depth {k + 1}")
    return Verdict("unknown", f"not inductive and no trace up to depth {depth}")
