"""Analyses over a channel's attack graph: paths, cheapest path, reach, and control what-ifs.

Cheapest path uses the DP in :mod:`model.channels.dag` (linear); listing paths enumerates simple
paths only up to a cap, for display.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Iterable

import networkx as nx

from nowan.model.assumptions import Assumptions
from nowan.model.channels import dag as dagmod
from nowan.model.channels.evaluate import environment, evaluate_steps
from nowan.model.channels.exprs import number, parse
from nowan.model.channels.risk import _dag, active_goals, evaluate, population, premises_at, verdict
from nowan.model.channels.types import SCALES, Channel, Control

METRICS = {"cost": ("cost_gbp", "sum"), "skill": (None, "max"), "time": ("time_hours", "sum")}


def paths_to(g: nx.DiGraph, goal: str, limit: int = 20) -> list[list[str]]:
    """Up to ``limit`` simple paths from an entry point (or a source step) to ``goal:ID``."""
    target = goal if goal.startswith("goal:") else f"goal:{goal}"
    h = g.edge_subgraph((u, v) for u, v, r in g.edges(data="relation") if r in ("requires", "entry")).copy()
    if target not in h:
        return []
    sources = sorted(n for n in h if h.in_degree(n) == 0)
    out: list[list[str]] = []
    for s in sources:
        for p in nx.all_simple_paths(h, s, target):
            out.append(p)
            if len(out) >= limit:
                return out
    return out


@dataclass(frozen=True)
class Cheapest:
    goal: str
    metric: str
    value: float
    steps: tuple[str, ...]        # stable ids of the steps on the chosen AND/OR sub-graph

    def to_dict(self) -> dict[str, Any]:
        return {"goal": self.goal, "metric": self.metric, "value": None if math.isinf(self.value) else self.value,
                "steps": list(self.steps)}


def cheapest_path(channel: Channel, goal: str, metric: str = "skill", assumptions: Assumptions | None = None,
                  enabled: Iterable[str] | None = None, attacker: str | None = None) -> Cheapest:
    """Cheapest way to ``goal`` by ``cost`` (GBP, summed), ``skill`` (hardest step) or ``time`` (hours, summed).

    Blocked steps are infeasible for every metric; ``attacker`` restricts entry points to theirs.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}")
    assumptions = assumptions or Assumptions()
    enabled = channel.existing_controls if enabled is None else frozenset(enabled)
    values = evaluate_steps(channel, assumptions, enabled)
    env = environment(channel, assumptions)
    attr, combine = METRICS[metric]
    own = {}
    for s in channel.steps:
        v = values[s.id].difficulty
        own[f"step:{s.id}"] = v if attr is None or math.isinf(v) else float(number(getattr(s, attr), env))
    allowed = None
    if attacker is not None:
        ok = {f"entry:{e.id}" for e in channel.entry_points if attacker in e.attackers}
        allowed = ok.__contains__
    d = _dag(channel)
    val, choice = dagmod.solve(d, own, combine, allowed)
    node = f"goal:{goal}"
    steps = tuple(channel.step(n[5:]).stable_id for n in dagmod.witness(d, choice, node) if n.startswith("step:")) \
        if not math.isinf(val[node]) else ()
    return Cheapest(goal, metric, val[node], steps)


def premises_reachable(channel: Channel, assumptions: Assumptions | None = None,
                       enabled: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per goal: the widest scale any attacker reaches, and how many premises that is."""
    assumptions = assumptions or Assumptions()
    ev = evaluate(channel, assumptions, enabled)
    pop = population(channel, environment(channel, assumptions))
    widest: dict[str, str | None] = {g.id: None for g in channel.goals}
    d = _dag(channel)
    for attacker in channel.attackers:
        allowed = {f"entry:{e.id}" for e in channel.entry_points if attacker in e.attackers}
        for si, scale in enumerate(SCALES):
            own = {f"step:{s.id}": (ev.steps[s.id].difficulty if SCALES.index(s.scale) >= si else math.inf)
                   for s in channel.steps}
            val, _ = dagmod.solve(d, own, "max", allowed.__contains__)
            for g in channel.goals:
                if SCALES.index(g.scale) >= si and not math.isinf(val[f"goal:{g.id}"]):
                    cur = widest[g.id]
                    if cur is None or SCALES.index(cur) < si:
                        widest[g.id] = scale
    return {gid: {"scale": s, "premises": 0 if s is None else round(premises_at(s, pop))} for gid, s in widest.items()}


def what_if(channel: Channel, delta: Iterable[str], assumptions: Assumptions | None = None) -> dict[str, Any]:
    """Residual risk before and after adding (+ID) or removing (-ID) controls."""
    from nowan.model.channels.evaluate import enabled_from_delta

    assumptions = assumptions or Assumptions()
    goals = active_goals(channel)
    before = evaluate(channel, assumptions).worst(goals)
    after = evaluate(channel, assumptions, enabled_from_delta(channel, delta)).worst(goals)
    return {"channel": channel.id, "delta": list(delta),
            "before": {"level": before.level, "verdict": verdict(before.level)},
            "after": {"level": after.level, "verdict": verdict(after.level)}}


def cheapest_control_set(channel: Channel, assumptions: Assumptions | None = None) -> tuple[frozenset[str], float] | None:
    """Brute-force reference for small candidate sets: the cheapest set that brings the channel
    within appetite (None if none does). The proofs package does the same search with z3."""
    from nowan.model.channels.risk import candidate_controls, residual_with

    costs = candidate_controls(channel, assumptions)
    base = channel.existing_controls
    best: tuple[frozenset[str], float] | None = None
    for r in range(len(costs) + 1):
        for combo in itertools.combinations(sorted(costs), r):
            cost = sum(costs[c] for c in combo)
            if best is not None and cost >= best[1]:
                continue
            if verdict(residual_with(channel, base | set(combo), assumptions).level) == "within-appetite":
                best = (frozenset(combo), cost)
    return best


def ineffective_assumptions(channels: Iterable[Channel], assumptions: Assumptions,
                            delta: Iterable[str] = ()) -> dict[str, str]:
    """Overridden assumptions that change nothing in the selected channels' results, with a hint.

    Why: a what-if that silently does nothing reads as "the verdict is robust to this input" when
    the input was simply not used (``--assume pairing.window_s=...`` only matters for
    ``pairing-no-timeout`` together with ``--control +A-60MIN``, the control whose ``effective``
    and ``hardens`` expressions read it). Decided by scoring with and without each override (exact, not a guess
    from the names an expression reads); the hint names the disabled controls that would read it.
    """
    from nowan.model.channels.evaluate import enabled_from_delta
    from nowan.model.channels.risk import score

    chs, delta = list(channels), tuple(delta)
    base = [score(ch, assumptions, delta).to_dict(graph=False) for ch in chs]
    out: dict[str, str] = {}
    for key in assumptions.overridden:
        without = Assumptions({k: v for k, v in assumptions.overridden.items() if k != key})
        if any(score(ch, without, delta).to_dict(graph=False) != b for ch, b in zip(chs, base)):
            continue
        waiting = sorted({f"--control +{c.id} ({ch.id})" for ch in chs for c in ch.controls
                          if key in _reads(c) and c.id not in enabled_from_delta(ch, delta)})
        if key in assumptions.calibrations:
            out[key] = "no selected channel's result depends on it"
        elif without[key] == assumptions[key]:
            out[key] = "it is the default value"
        else:
            out[key] = f"read only with {', '.join(waiting)}" if waiting else "no selected channel's result depends on it"
    return out


def _reads(control: Control) -> frozenset[str]:
    """Names a control's own expressions read (``effective``, ``hardens``, ``cost_gbp``)."""
    texts = [control.effective, control.cost_gbp, *(amount for _, amount in control.hardens)]
    return frozenset().union(*(parse(t).names for t in texts if isinstance(t, str)))
