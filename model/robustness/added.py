"""How robust is an added-risk verdict (a SECMP0038 route judged over the premises as it is today)?

The same analyses as a channel's own verdict (``analysis.py``), scored on the risk the route adds
over its baseline (``model.channels.added``) instead of its own residual: one input at a time over
every verdict-affecting input of the route and of the baseline channels (a baseline input moves
which harms count as already carried), and a Monte Carlo sample over all of them at once. The
result has the fields the decisions read for a channel (``robust``, ``flips``, ``p_above``, ``ci``,
``confidence``), so a decision on added risk gets a confidence like any other. A route a modification
re-scores under its own no-WAN duration (``exposed_robustness``) gets the same sweeps on its residual.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from nowan.model.assumptions import Assumptions
from nowan.model.channels.added import added_risk
from nowan.model.channels.catalogues import scales
from nowan.model.channels.inputs import inputs
from nowan.model.channels.risk import ABOVE, WITHIN
from nowan.model.channels.types import Channel
from nowan.model.robustness import montecarlo
from nowan.model.robustness.analysis import confidence
from nowan.model.robustness.oat import Flip, sweep
from nowan.model.robustness.space import relevant
from nowan.model.robustness.subject import Subject, above, rank_of


def added_robustness(route: str, baseline: Sequence[str], models: str | None = None,
                     base: tuple[tuple[str, Any], ...] = (), *, samples: int = 200, seed: int = 0,
                     duration: str | None = None) -> dict[str, Any]:
    """One-at-a-time flips and the Monte Carlo share above appetite of ``route``'s added risk over
    ``baseline`` (channel ids in ``models``, or the packaged models); ``base`` overrides are pinned.
    ``duration`` scores the route under the no-WAN duration its modification declares (as the
    decision does), not its file's."""
    subject = Subject((route, *baseline), models, base)
    loaded = subject.load()
    over = [loaded[b] for b in baseline]
    rank_scale = scales().rank

    def rank(channel: Channel, a: Assumptions) -> int:
        return rank_scale(added_risk(channel, over, a).level)

    out = sweep_verdict(_exposed(loaded[route], duration), over, subject, rank, samples=samples, seed=seed)
    return {"id": route, "baseline": list(baseline), **out}


def exposed_robustness(route: str, duration: str, models: str | None = None,
                       base: tuple[tuple[str, Any], ...] = (), *, samples: int = 200, seed: int = 0) -> dict[str, Any]:
    """The same analyses on ``route``'s own residual risk, scored under the no-WAN ``duration`` a
    modification declares (MP094 Option 1: intermittent) instead of its file's: the confidence of a
    decision whose routes are re-scored under that duration."""
    subject = Subject((route,), models, base)
    out = sweep_verdict(_exposed(subject.load()[route], duration), [], subject, rank_of, samples=samples, seed=seed)
    return {"id": route, "duration": duration, **out}


def treated_robustness(route: str, controls: Sequence[str], models: str | None = None,
                       base: tuple[tuple[str, Any], ...] = (), *, samples: int = 200, seed: int = 0,
                       duration: str | None = None) -> dict[str, Any]:
    """The same analyses on ``route``'s residual risk with the candidate ``controls`` a decision sets
    as its conditions in force (with the existing ones): how sure the committee can be that the
    treated route stays within appetite, which a "support with conditions" rests on, not the
    untreated route's. ``duration`` as for :func:`exposed_robustness`."""
    from nowan.model.channels.risk import residual_with

    subject = Subject((route,), models, base)
    ch = _exposed(subject.load()[route], duration)
    rank_scale = scales().rank

    def rank(channel: Channel, a: Assumptions) -> int:
        return rank_scale(residual_with(channel, channel.existing_controls | set(controls), a).level)

    out = sweep_verdict(ch, [], subject, rank, samples=samples, seed=seed)
    return {"id": route, "controls": list(controls), **({"duration": duration} if duration else {}), **out}


def _exposed(ch: Channel, duration: str | None) -> Channel:
    from nowan.model.channels.risk import under_exposure

    return ch if duration is None else under_exposure(ch, duration, "the modification's declared exposure")


def sweep_verdict(ch: Channel, over: Sequence[Channel], subject: Subject, rank: Callable[[Channel, Assumptions], int],
                  *, samples: int, seed: int) -> dict[str, Any]:
    """One input at a time over every verdict-affecting input of ``ch`` and of ``over`` (the channels
    ``rank`` also reads), then a Monte Carlo sample over all of them, of the verdict ``rank`` scores."""
    pinned = {k for k, _ in subject.base}
    cat = inputs([ch, *over])
    swept = list({i.id: i for c in (ch, *over) for i in relevant(c, cat) if i.id not in pinned}.values())
    flips: list[Flip] = []
    for inp in swept:
        flips.extend(sweep(ch, subject, inp, rank)[0])
    flips.sort(key=lambda f: (f.distance, f.input))
    now = rank(ch, subject.assumptions({}))
    rows = [rank(ch, subject.assumptions(s)) for s in montecarlo.design(swept, samples, seed)]
    p, ci = montecarlo.proportion(sum(1 for r in rows if above(r)), len(rows))
    return {"level": scales().levels[now], "verdict": ABOVE if above(now) else WITHIN, "robust": not flips,
            "p_above": p, "ci": ci, "flips": [f.to_dict() for f in flips], "confidence": confidence(flips),
            "samples": len(rows), "swept": len(swept)}
