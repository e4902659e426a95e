"""All inputs at once: seeded Monte Carlo over every range, P(above appetite) with its interval.

Each channel has its own design: a Latin hypercube (scipy.stats.qmc) over the unit cube of that
channel's swept inputs, seeded with the stream ``monte-carlo/<channel id>`` and mapped to values by
:mod:`model.robustness.space`. A channel's ``p_above`` then depends only on the seed, the channel
and its own inputs, never on which other channels were selected: ``nowan robustness --channels X``
gives the figure the full report gives for X (one hypercube over every selected channel's inputs
did not: adding a channel added columns and reshuffled every draw). The interval is Wilson's score interval for a binomial proportion (scipy.stats.binomtest), which
stays inside [0, 1] and is honest at 0 or N successes, where the normal approximation is not.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
from scipy.stats import binomtest, qmc

from nowan.model.channels.inputs import inputs
from nowan.model.channels.types import Channel
from nowan.model.ranges import Input
from nowan.model.robustness.space import from_unit, relevant

CONFIDENCE = 0.95


def rng(seed: int, stream: str) -> np.random.Generator:
    """An independent generator per use (``stream``) from the run's seed: same seed, same draws."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream.encode()]))


def design(inputs: Sequence[Input], n: int, seed: int, stream: str = "monte-carlo") -> list[dict[str, Any]]:
    """``n`` samples over the inputs' ranges (Latin hypercube, seeded with ``stream``)."""
    if n <= 0 or not inputs:
        return [{} for _ in range(max(n, 0))]
    unit = qmc.LatinHypercube(d=len(inputs), rng=rng(seed, stream)).random(n)
    return [{inp.id: from_unit(inp, u) for inp, u in zip(inputs, row)} for row in unit]


def channel_design(channel: Channel, pinned: Iterable[str], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` samples over the inputs that can move ``channel``'s verdict (``pinned`` ones left out),
    from the stream of that channel alone: the same whatever else is being swept."""
    fixed = set(pinned)
    own = [i for i in relevant(channel, inputs([channel])) if i.id not in fixed]
    return design(own, n, seed, f"monte-carlo/{channel.id}")


def proportion(k: int, n: int) -> tuple[float | None, list[float] | None]:
    """P(above) = k/n and its Wilson interval at :data:`CONFIDENCE` (None without samples)."""
    if n <= 0:
        return None, None
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return round(k / n, 6), [round(float(ci.low), 6), round(float(ci.high), 6)]
