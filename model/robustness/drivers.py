"""Which inputs drive a channel's chance of being above appetite: Morris screening (SALib).

Morris elementary effects suit this engine: the verdict is a step function of many inputs, most
of which never matter for a given channel, and Morris ranks inputs at a cost linear in their
number (trajectories x (inputs + 1) scorings), where Sobol indices would need thousands per input.
The output screened is the channel's above-appetite indicator, and ``index`` is mu* (the mean
absolute elementary effect) times the Morris step (2/3 of the unit-scaled range with 4 levels):
the share of the trajectories' one-input jumps, of two thirds of its range, that changed the
verdict (0..1).
"""
from __future__ import annotations

import warnings
import zlib
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from nowan.model.channels.inputs import inputs
from nowan.model.robustness.space import from_unit, relevant
from nowan.model.robustness.subject import Subject, above, rank_of

LEVELS = 4                  # grid levels of a Morris trajectory
TOP = 10                    # drivers reported per channel


def morris(task: tuple[Subject, str, int, int]) -> list[dict[str, Any]]:
    """Task: the channel's drivers, ``[{input, index}]`` with index > 0, strongest first."""
    subject, cid, trajectories, seed = task
    if trajectories <= 0:
        return []
    channel = subject.load()[cid]
    pinned = {k for k, _ in subject.base}
    swept = [i for i in relevant(channel, inputs([channel])) if i.id not in pinned]
    if not swept:
        return []
    problem = {"num_vars": len(swept), "names": [i.id for i in swept], "bounds": [[0.0, 1.0]] * len(swept)}
    channel_seed = int(np.random.SeedSequence([seed, zlib.crc32(cid.encode())]).generate_state(1)[0])
    x = morris_sample.sample(problem, N=trajectories, num_levels=LEVELS, seed=channel_seed)
    y = np.array([1.0 if above(rank_of(channel, subject.assumptions(
        {i.id: from_unit(i, u) for i, u in zip(swept, row)}))) else 0.0 for row in x])
    with warnings.catch_warnings():   # one trajectory has no spread (sigma); mu* is still defined
        warnings.simplefilter("ignore", RuntimeWarning)
        si = morris_analyze.analyze(problem, x, y, num_levels=LEVELS, seed=channel_seed)
    step = LEVELS / (2 * (LEVELS - 1))
    ranked = sorted(((float(m) * step, n) for n, m in zip(problem["names"], si["mu_star"]) if float(m) > 0),
                    key=lambda t: (-t[0], t[1]))
    return [{"input": n, "index": round(m, 4)} for m, n in ranked[:TOP]]
