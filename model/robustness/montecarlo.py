"""All inputs at once: seeded Monte Carlo over every range, P(above appetite) with its interval.

The design is a Latin hypercube (scipy.stats.qmc) over the unit cube of all swept inputs, mapped
to values by :mod:`model.robustness.space`; each row is one sample, scored on every channel. The
interval is Wilson's score interval for a binomial proportion (scipy.stats.binomtest), which
stays inside [0, 1] and is honest at 0 or N successes, where the normal approximation is not.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy.stats import binomtest, qmc

from nowan.model.ranges import Input
from nowan.model.robustness.space import from_unit

CONFIDENCE = 0.95


def rng(seed: int, stream: str) -> np.random.Generator:
    """An independent generator per use (``stream``) from the run's seed: same seed, same draws."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream.encode()]))


def design(inputs: Sequence[Input], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` samples over the inputs' ranges (Latin hypercube, seeded)."""
    if n <= 0 or not inputs:
        return [{} for _ in range(max(n, 0))]
    unit = qmc.LatinHypercube(d=len(inputs), rng=rng(seed, "monte-carlo")).random(n)
    return [{inp.id: from_unit(inp, u) for inp, u in zip(inputs, row)} for row in unit]


def proportion(k: int, n: int) -> tuple[float | None, list[float] | None]:
    """P(above) = k/n and its Wilson interval at :data:`CONFIDENCE` (None without samples)."""
    if n <= 0:
        return None, None
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return round(k / n, 6), [round(float(ci.low), 6), round(float(ci.high), 6)]
