"""The concrete evaluation of a proof relation: encodings round-trip, and steps are judged by the relation."""
from __future__ import annotations

from fractions import Fraction

import z3

from nowan.proofs.conformance.concrete import ConcreteModel, Table, from_z3, to_z3
from nowan.proofs.engine import System

I, B = z3.IntSort(), z3.BoolSort()


def test_values_round_trip_through_z3() -> None:
    cases = [(I, 7), (B, True), (z3.RealSort(), Fraction(7, 2)), (z3.ArraySort(I, B), frozenset({1, 5})),
             (z3.ArraySort(I, I), Table.of(-1, {0: 3, 2: 9})),
             (z3.ArraySort(I, z3.ArraySort(I, B)), {0: frozenset({2}), 1: frozenset({1, 2})})]
    for sort, value in cases:
        x = z3.Const("x", sort)
        s = z3.Solver()
        s.add(x == to_z3(sort, value))
        assert s.check() == z3.sat
        assert from_z3(s.model(), sort, x, {0, 1, 2, 5}) == value


def counter_system() -> System:
    """A counter that accepts ``inc`` only below 2, with a ghost counting refusals-free steps."""
    def trans(s, a, t, p):  # noqa: ANN001, ANN202
        return z3.Or(z3.And(a["kind"] == 0, s["x"] < 2, t["x"] == s["x"] + 1, t["ghost"] == s["ghost"] + 10),
                     z3.And(a["kind"] == 1, t["x"] == s["x"], t["ghost"] == s["ghost"]))
    return System({"x": I, "ghost": I}, {"kind": I}, init=lambda s, p: z3.And(s["x"] == 0, s["ghost"] == 0),
                  trans=trans, inv=lambda s, p: z3.BoolVal(True), bad=lambda s, a, p: z3.BoolVal(False))


def test_steps_agree_only_when_the_relation_allows_them() -> None:
    m = ConcreteModel(counter_system(), {}, ("x",))
    assert m.start({"x": 0}).conforms
    assert m.step({"kind": 0}, True, {"x": 1}).conforms
    assert m.state == {"x": 1, "ghost": 10}           # the ghost comes from the relation
    wrong_state = m.step({"kind": 0}, True, {"x": 5})
    assert not wrong_state.conforms and "x=5" in wrong_state.why
    assert m.step({"kind": 0}, True, {"x": 2}).conforms
    over = m.step({"kind": 0}, True, {"x": 3})       # the relation has no inc from 2
    assert not over.conforms and over.why == "device accepted, model refuses"
    refused = m.step({"kind": 0}, False, {"x": 2}, idle={"kind": 1})
    assert refused.conforms
    assert not m.start({"x": 4}).conforms             # not an initial state


def test_refusing_what_the_model_accepts_diverges() -> None:
    m = ConcreteModel(counter_system(), {}, ("x",))
    m.start({"x": 0})
    out = m.step({"kind": 0}, False, {"x": 0}, idle={"kind": 1})
    assert not out.conforms and out.why == "device refused, model accepts"
