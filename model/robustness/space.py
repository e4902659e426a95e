"""The input space a channel's verdict is swept over: which inputs, and how a unit point maps to values.

Every sampler here (Latin hypercube for Monte Carlo, Morris trajectories) works on the unit cube;
this module maps a coordinate in [0, 1] to a value of the input's range, the same way for all:
discrete inputs take each value with equal weight, integers each whole number, and numbers a
uniform value, or a log-uniform one when the range spans two decades or more (``nowan.share``
0.07%-36%: uniform would put 99% of draws above 0.36%, as if the seeds said so).
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

from nowan.model.channels.inputs import inputs
from nowan.model.channels.types import Channel
from nowan.model.ranges import Input

#: A range whose ends differ by this factor or more is swept on a log scale.
LOG_SPAN = 100.0
#: Stand-in upper end for a range reaching ``inf`` (a removed limit): about 30 years in seconds.
FINITE_INF = 1e9


def relevant(channel: Channel, catalogue: dict[str, Input]) -> list[Input]:
    """Inputs that can move this channel's verdict: every assumption and shared calibration, and the
    channel's own calibrations (costs excluded: they rank candidate controls, not verdicts)."""
    return [i for i in catalogue.values() if i.affects_verdict and i.channel in (None, channel.id)]


def space(channels: Iterable[Channel]) -> dict[str, Input]:
    """All verdict-affecting inputs of the channels, in a fixed order (the sampling order)."""
    return {k: i for k, i in inputs(channels).items() if i.affects_verdict}


def is_log(inp: Input) -> bool:
    r = inp.range
    return not r.discrete and inp.type != "int" and r.lo > 0 and _hi(inp) / r.lo >= LOG_SPAN


def _hi(inp: Input) -> float:
    return FINITE_INF if math.isinf(inp.range.hi) else inp.range.hi


def from_unit(inp: Input, u: float) -> Any:
    """The value at unit coordinate ``u`` in [0, 1] (see the module note for the scales)."""
    u = min(max(float(u), 0.0), 1.0)
    r = inp.range
    if r.discrete:
        return r.values[min(int(u * len(r.values)), len(r.values) - 1)]
    if inp.type == "int":
        n = int(r.hi) - int(r.lo) + 1
        return int(r.lo) + min(int(u * n), n - 1)
    lo, hi = float(r.lo), _hi(inp)
    if is_log(inp):
        return math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    return lo + u * (hi - lo)


def to_unit(inp: Input, value: Any) -> float:
    """Inverse of :func:`from_unit` (the centre of a discrete value's cell), for charts and distances."""
    r = inp.range
    if r.discrete:
        return (r.values.index(value) + 0.5) / len(r.values)
    lo, hi = float(r.lo), _hi(inp)
    if hi == lo:
        return 0.5
    v = min(max(float(value), lo), hi)
    if is_log(inp):
        return (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return (v - lo) / (hi - lo)

