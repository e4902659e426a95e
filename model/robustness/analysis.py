"""The robustness of every verdict: one input at a time, then all at once, per channel.

Runs the three analyses as independent tasks on one executor and assembles, per channel, the
fields the command line and the report share: ``id``, ``verdict``, ``level``, ``robust`` (no
single input in its range flips the verdict), ``p_above`` and ``ci`` (Monte Carlo over all
ranges), ``flips`` (``{input, at, verdict, level, op}``), ``drivers`` (``{input, index}``, Morris),
``tornado`` (each input's swing over its range) and ``confidence`` (the words of the report's
summary column). Inputs overridden with ``--assume`` are pinned, never swept.
"""
from __future__ import annotations

from typing import Any

from nowan.model.channels.catalogues import scales
from nowan.model.channels.risk import ABOVE
from nowan.model.robustness import drivers as drivers_mod
from nowan.model.robustness import montecarlo
from nowan.model.robustness.executor import Executor, Local, chunks
from nowan.model.robustness.oat import Flip, current_value, sweep
from nowan.model.robustness.space import relevant, space
from nowan.model.robustness.subject import Subject, above, rank_of, score_samples
from nowan.model.channels.inputs import inputs

#: Default sample count of ``nowan robustness``; ``nowan assess`` uses fewer to stay fast.
SAMPLES = 2000
TRAJECTORIES = 10
TORNADO = 12            # bars per chart


def one_at_a_time(task: tuple[Subject, str]) -> dict[str, Any]:
    """Task: the channel's verdict, its flips (nearest first) and the tornado bars."""
    subject, cid = task
    channel = subject.load()[cid]
    pinned = {k for k, _ in subject.base}
    base = subject.assumptions({})
    rank = rank_of(channel, base)
    flips: list[Flip] = []
    swings = []
    for inp in relevant(channel, inputs([channel])):
        if inp.id in pinned:
            continue
        fl, sw = sweep(channel, subject, inp)
        flips.extend(fl)
        if sw.high > sw.low:
            swings.append(sw)
    flips.sort(key=lambda f: (f.distance, f.input))
    swings.sort(key=lambda s: (-(s.high - s.low), s.input))
    lv = scales().levels[rank]
    return {"level": lv, "verdict": ABOVE if above(rank) else "within-appetite",
            "flips": [f.to_dict() for f in flips], "tornado": [s.to_dict() for s in swings[:TORNADO]],
            "confidence": confidence(flips)}


def confidence(flips: list[Flip]) -> str:
    """The summary column: "robust", or the nearest flip in words."""
    if not flips:
        return "robust"
    f = flips[0]
    side = "above appetite" if f.verdict == ABOVE else "within appetite"
    return f"fragile: {side} if {f.condition}"


def analyse(subject: Subject, *, samples: int = SAMPLES, seed: int = 0, trajectories: int = TRAJECTORIES,
            executor: Executor | None = None) -> dict[str, Any]:
    """Robustness of every channel of ``subject``: same subject, samples and seed give the same result."""
    ex = executor or Local(1)
    channels = subject.load()
    ids = list(channels)
    pinned = {k for k, _ in subject.base}
    swept = [i for i in space(channels.values()).values() if i.id not in pinned]
    oat = ex.map(one_at_a_time, [(subject, cid) for cid in ids])
    # One design per channel (its own inputs, its own stream): a channel's share above appetite is
    # the same whichever channels are selected with it. All channels' chunks go out as one batch.
    tasks = [(subject, (cid,), c) for cid in ids
             for c in chunks(montecarlo.channel_design(channels[cid], pinned, samples, seed), ex.workers)]
    ranks: dict[str, list[int]] = {cid: [] for cid in ids}
    for (_, (cid,), _), part in zip(tasks, ex.map(score_samples, tasks)):
        ranks[cid].extend(r[0] for r in part)
    morris = ex.map(drivers_mod.morris, [(subject, cid, trajectories, seed) for cid in ids])
    out = []
    for j, cid in enumerate(ids):
        rows = ranks[cid]
        k = sum(1 for r in rows if above(r))
        p, ci = montecarlo.proportion(k, len(rows))
        o = oat[j]
        out.append({"id": cid, "verdict": o["verdict"], "level": o["level"], "robust": not o["flips"],
                    "p_above": p, "ci": ci, "flips": o["flips"], "drivers": morris[j], "tornado": o["tornado"],
                    "confidence": o["confidence"]})
    return {"appetite": scales().appetite, "seed": seed, "samples": max(samples, 0), "trajectories": trajectories,
            "confidence_level": montecarlo.CONFIDENCE, "swept": len(swept), "pinned": sorted(pinned),
            "channels": out}


__all__ = ["SAMPLES", "TRAJECTORIES", "analyse", "confidence", "current_value", "one_at_a_time", "relevant"]
