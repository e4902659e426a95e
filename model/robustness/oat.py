"""One input at a time: does any value in an input's range flip a channel's verdict, and where?

The verdict is piecewise constant in each input: the engine compares numbers with thresholds
(margins, band edges, tolerance multiples). So a discrete input (a choice, a flag, a scale, a
whole number on the 1-5 scales, any integer range of up to :data:`ENUMERATE` values) is tried at
every value: exact. A continuous input is scanned on a grid (log-spaced where the range spans two
decades) and every change between two grid points is located by bisection to the last bit
worth reporting. Every flip reported is re-scored at the reported value before it is reported,
so it is real; a flip between two grid points that changes back before the next one would be
missed, which the engine's monotone use of each number rules out (see
``tests/model/robustness/test_oat.py``, which also checks the result against ``nowan risk``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from nowan.model.assumptions import Assumptions
from nowan.model.channels.catalogues import scales
from nowan.model.channels.evaluate import environment
from nowan.model.channels.risk import ABOVE, WITHIN
from nowan.model.channels.types import Channel
from nowan.model.ranges import Input, json_value, text
from nowan.model.robustness.space import from_unit, to_unit
from nowan.model.robustness.subject import Subject, above, rank_of

#: Integer ranges with at most this many values are tried at every value.
ENUMERATE = 64
#: Grid points over a continuous range (plus both ends and the current value).
GRID = 16
#: Bisection steps on the unit interval: 2**-44 of the range, below any figure worth quoting.
BISECT = 44


@dataclass(frozen=True)
class Flip:
    """A value of one input, the others held, at which the channel's verdict flips.

    ``op`` says which values flip: ``>=`` every value from ``at`` up to the range's top, ``<=``
    every value down to its bottom, ``=`` this value (others beyond it may not).
    """

    input: str
    at: Any
    verdict: str
    level: str
    op: str
    distance: float            # from the current value, as a share of the range (0..1)
    now: Any = None            # the value the verdict uses now
    range: str = ""            # the declared range, as text
    source: str = ""           # the range's source
    calibration: bool = False  # the input is a calibration (the model authors' figure), not a sourced one
    title: str = ""            # what the input is, in words (its catalogue title)
    unit: str = ""             # what its value counts (``Input.unit``)
    span: tuple[Any, ...] = ()  # the declared range as values: (lo, hi), or every value of a discrete input

    @property
    def condition(self) -> str:
        """The flip in words: ``nowan.share ≥ 0.109``."""
        return f"{self.input} {OP_WORDS[self.op]} {text(self.at)}"

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "at": json_value(self.at), "verdict": self.verdict, "level": self.level,
                "op": self.op, "condition": self.condition, "now": json_value(self.now), "range": self.range,
                "source": self.source, "calibration": self.calibration, "title": self.title, "unit": self.unit,
                "distance": self.distance, "span": [json_value(v) for v in self.span]}


OP_WORDS = {">=": "≥", "<=": "≤", "=": "="}


@dataclass(frozen=True)
class Swing:
    """The residual levels an input reaches over its range (one bar of the tornado chart)."""

    input: str
    current: Any
    low: int                   # lowest rank reached
    high: int                  # highest rank reached
    at_bottom: int             # rank at the bottom of the range
    at_top: int                # rank at the top of the range

    def to_dict(self) -> dict[str, Any]:
        lv = scales().levels
        return {"input": self.input, "current": json_value(self.current), "lowest": lv[self.low], "highest": lv[self.high],
                "at_bottom": lv[self.at_bottom], "at_top": lv[self.at_top]}


def current_value(channel: Channel, subject: Subject, inp: Input) -> Any:
    """The value this channel's verdict uses now: an --assume override, a channel parameter, or the default."""
    base = dict(subject.base)
    if inp.id in base:
        return inp.parse(base[inp.id]) if inp.kind == "calibration" else subject.assumptions({})[inp.id]
    if inp.kind == "assumption":
        return environment(channel, subject.assumptions({}))[inp.id]
    return inp.default


def sweep(channel: Channel, subject: Subject, inp: Input,
          rank: Callable[[Channel, Assumptions], int] = rank_of) -> tuple[list[Flip], Swing]:
    """The flips of one input over its range (nearest one on each side), and its swing. ``rank``
    scores the verdict swept: the channel's own residual by default (the added risk of a route
    over its baseline for ``model.robustness.added``)."""
    cache: dict[Any, int] = {}

    def f(v: Any) -> int:
        if v not in cache:
            cache[v] = rank(channel, subject.assumptions({inp.id: v}))
        return cache[v]

    cur = current_value(channel, subject, inp)
    base_above = above(f(cur))
    r = inp.range
    if r.discrete or (inp.type == "int" and r.hi - r.lo < ENUMERATE):
        flips = _discrete(inp, cur, f, base_above)
    else:
        flips = _continuous(inp, cur, f, base_above)
    bottom = r.values[0] if r.discrete else r.lo
    top = r.values[-1] if r.discrete else r.hi
    f(bottom), f(top)
    ranks = list(cache.values())
    return flips, Swing(inp.id, cur, min(ranks), max(ranks), f(bottom), f(top))


def _flip(inp: Input, at: Any, rank: int, op: str, cur: Any) -> Flip:
    lv = scales().levels[rank]
    dist = abs(to_unit(inp, at) - (to_unit(inp, cur) if inp.range.contains(cur) or not inp.range.discrete else 0.5))
    return Flip(inp.id, at, ABOVE if above(rank) else WITHIN, lv, op, round(dist, 12), cur, inp.range.text(),
                inp.range.source, inp.range.calibration, " ".join(inp.title.split()), inp.unit,
                tuple(inp.range.values) if inp.range.discrete else (inp.range.lo, inp.range.hi))


def _discrete(inp: Input, cur: Any, f: Callable[[Any], int], base_above: bool) -> list[Flip]:
    r = inp.range
    vals = list(r.values) if r.discrete else list(range(int(r.lo), int(r.hi) + 1))
    flipped = [v for v in vals if above(f(v)) != base_above]
    if inp.type in ("bool", "choice"):
        return [_flip(inp, v, f(v), "=", cur) for v in flipped]
    order = {v: i for i, v in enumerate(vals)}
    pos = order.get(cur, _insertion(vals, cur))
    out = []
    up = [v for v in flipped if order[v] > pos]
    if up:
        at = up[0]
        op = ">=" if all(above(f(v)) != base_above for v in vals[order[at]:]) else "="
        out.append(_flip(inp, at, f(at), op, cur))
    down = [v for v in flipped if order[v] < pos]
    if down:
        at = down[-1]
        op = "<=" if all(above(f(v)) != base_above for v in vals[:order[at] + 1]) else "="
        out.append(_flip(inp, at, f(at), op, cur))
    return out


def _insertion(vals: list[Any], cur: Any) -> float:
    """Position of a current value that is not itself in the range (e.g. a pinned parameter)."""
    if isinstance(cur, str):
        return -0.5
    return sum(1 for v in vals if v < cur) - 0.5


def _continuous(inp: Input, cur: Any, f: Callable[[Any], int], base_above: bool) -> list[Flip]:
    integer = inp.type == "int"
    us = sorted({i / GRID for i in range(GRID + 1)})
    pts = sorted({*(from_unit(inp, u) for u in us), *([cur] if inp.range.contains(cur) else [])})
    out = []
    upper = [p for p in pts if p > cur]
    lower = [p for p in reversed(pts) if p < cur]
    for side, op in ((upper, ">="), (lower, "<=")):
        prev = cur
        for p in side:
            if above(f(p)) != base_above:
                at = _bisect(inp, prev, p, f, base_above, integer)
                at = _nice(inp, at, prev, f, base_above)
                beyond = [q for q in side if (q >= at if op == ">=" else q <= at)]
                op_ = op if all(above(f(q)) != base_above for q in beyond) else "="
                out.append(_flip(inp, at, f(at), op_, cur))
                break
            prev = p
    return out


def _bisect(inp: Input, same: Any, diff: Any, f: Callable[[Any], int], base_above: bool, integer: bool) -> Any:
    """The flipped-side end of the boundary between ``same`` (base verdict) and ``diff`` (flipped)."""
    if integer:
        a, b = int(same), int(diff)
        while abs(b - a) > 1:
            m = (a + b) // 2
            a, b = (a, m) if above(f(m)) != base_above else (m, b)
        return b
    ua, ub = to_unit(inp, same), to_unit(inp, diff)
    va, vb = same, diff
    for _ in range(BISECT):
        um = (ua + ub) / 2
        vm = from_unit(inp, um)
        if vm in (va, vb):
            break
        if above(f(vm)) != base_above:
            ub, vb = um, vm
        else:
            ua, va = um, vm
    return vb


def _nice(inp: Input, at: Any, same: Any, f: Callable[[Any], int], base_above: bool) -> Any:
    """``at`` rounded away from the boundary to three significant digits (more if needed), where it
    still flips: the figure a reviewer types, on the flipped side of the threshold."""
    if isinstance(at, int) or not math.isfinite(at) or at == 0:
        return at
    up = at > same
    for digits in range(3, 16):
        q = 10.0 ** (math.floor(math.log10(abs(at))) - digits + 1)
        cand = float(f"{(math.ceil(at / q) if up else math.floor(at / q)) * q:.{digits}g}")
        if inp.range.contains(cand) and above(f(cand)) != base_above:
            return cand
    return at
