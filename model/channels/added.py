"""Added risk: what a route adds over the premises it would serve, as that premises is today.

Why: the 2018 Working Group scoped the SECMP0038 risk assessment to the risk the proposal *adds*
(seed 004, domain.md 11.4): over a no-WAN premises that already tops up with keypad codes, and over
existing Wi-Fi displays. A route's own residual risk counts harms the premises already carries (a
keypad code guessed by brute force is a keypad risk, not a relay risk), so it cannot answer that.

The rule (docs/methodology.md section 8b). Every feasible (goal, attacker, scale) of a channel is a
point: the goal's impact ``kind`` (the harm, as ``model/data/risk.yaml`` scores it), a likelihood
and an impact. A route's point is *already exposed* when some baseline channel reaches the same kind
of harm at a likelihood and an impact at least as high; the premises carries that risk today. A
point reached only by withholding commands that no baseline channel carries is *not delivered today*
either: withholding what the premises never receives leaves it as it is. The added risk is the
worst route point that is neither, on the same scale and matrix. Goals
count only where the channel carries a command that enables them (``risk.active_goals``), so the
same rule answers "what if the route carried fewer command types".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from nowan.model.assumptions import Assumptions
from nowan.model.channels import catalogues
from nowan.model.channels.risk import WITHIN, active_goals, candidate_controls, evaluate, verdict
from nowan.model.channels.loader import WITHHOLD_RULE
from nowan.model.channels.types import Channel, Goal

if TYPE_CHECKING:
    from nowan.model.modifications import Modification


@dataclass(frozen=True)
class Point:
    """One harm a channel reaches: which goal, how likely, how bad, by whom and how wide."""

    channel: str
    goal: str
    title: str
    kind: str
    likelihood: int
    impact: int
    attacker: str
    scale: str

    @property
    def level(self) -> str:
        return catalogues.scales().level(self.likelihood, self.impact)

    @property
    def key(self) -> tuple[int, int, int]:
        return (catalogues.scales().rank(self.level), self.impact, self.likelihood)

    def covers(self, other: "Point") -> bool:
        """The same harm, at least as likely and at least as bad."""
        return self.kind == other.kind and self.likelihood >= other.likelihood and self.impact >= other.impact

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "goal": self.goal, "title": self.title, "kind": self.kind,
                "likelihood": self.likelihood, "impact": self.impact, "level": self.level,
                "attacker": self.attacker, "scale": self.scale}


def points(channel: Channel, assumptions: Assumptions | None = None, enabled: Iterable[str] | None = None,
           carried: Iterable[str] | None = None) -> list[Point]:
    """The channel's undominated points per goal, for the goals its (or the ``carried``) commands enable."""
    ev = evaluate(channel, assumptions, enabled, traced=False)
    goals = {g.id: g for g in channel.goals}
    active = set(active_goals(channel, carried=carried))
    seen: dict[tuple[str, int, int], Point] = {}
    for (gid, lk, im), (attacker, scale) in zip(ev.pairs, ev.origins):
        if gid in active and (gid, lk, im) not in seen:
            g = goals[gid]
            seen[gid, lk, im] = Point(channel.id, gid, g.title, g.kind, lk, im, attacker, scale)
    pts = list(seen.values())
    return [p for p in pts if not any(q is not p and q.goal == p.goal and q.covers(p) for q in pts)]


@dataclass
class Added:
    """The risk ``route`` adds over ``baseline`` (channel ids), with what it does and does not count."""

    route: str
    baseline: tuple[str, ...]
    carried: tuple[str, ...]
    added: list[Point]                                  # worst first
    covered: list[tuple[Point, Point]] = field(default_factory=list)   # (route point, baseline point)
    #: Points reached only by withholding commands the baseline premises never receives either.
    undelivered: list[Point] = field(default_factory=list)

    @property
    def worst(self) -> Point | None:
        return self.added[0] if self.added else None

    @property
    def level(self) -> str:
        sc = catalogues.scales()
        return self.worst.level if self.worst else sc.level(1, 1)

    @property
    def verdict(self) -> str:
        return verdict(self.level)

    def to_dict(self) -> dict[str, Any]:
        w = self.worst
        return {"route": self.route, "baseline": list(self.baseline), "carried": list(self.carried),
                "level": self.level, "verdict": self.verdict,
                "likelihood": w.likelihood if w else None, "impact": w.impact if w else None,
                "goal": w.goal if w else None, "title": w.title if w else None,
                "added": [p.to_dict() for p in self.added],
                "already_exposed": [{"route": r.to_dict(), "by": b.to_dict()} for r, b in self.covered],
                "not_delivered_today": [p.to_dict() for p in self.undelivered]}


def added_risk(route: Channel, baseline: Sequence[Channel], assumptions: Assumptions | None = None,
               enabled: Iterable[str] | None = None, carried: Iterable[str] | None = None) -> Added:
    """The risk ``route`` adds over a premises that has the ``baseline`` channels (their existing
    controls), with ``enabled`` controls on the route (default: its existing ones) and, if given,
    only the ``carried`` commands."""
    base = [p for ch in baseline for p in points(ch, assumptions)]
    delivered = {c for ch in baseline for c in ch.commands}
    goals = {g.id: g for g in route.goals}
    carried = tuple(route.commands if carried is None else (c for c in route.commands if c in set(carried)))
    added, covered, undelivered = [], [], []
    for p in points(route, assumptions, enabled, carried):
        if withheld_only(route, goals[p.goal]) and not delivered & set(goals[p.goal].commands):
            undelivered.append(p)
            continue
        by = max((b for b in base if b.covers(p)), key=lambda b: b.key, default=None)
        if by is None:
            added.append(p)
        else:
            covered.append((p, by))
    added.sort(key=lambda p: p.key, reverse=True)
    return Added(route.id, tuple(ch.id for ch in baseline), carried, added, covered, undelivered)


def withheld_only(channel: Channel, goal: Goal) -> bool:
    """The goal is reached only by withholding: every step it requires directly withholds commands.

    Why: withholding a command the baseline premises never receives (no-WAN, keypad codes carry
    credit only) leaves that premises where it is today; such a harm is not added. The commands a
    withholding goal names (``commands``, checked by the loader) say what is withheld."""
    return all(channel.step(s).rule.id == WITHHOLD_RULE for s in goal.requires.steps())


def cheapest_treatment(route: Channel, baseline: Sequence[Channel], assumptions: Assumptions | None = None,
                       carried: Iterable[str] | None = None) -> dict[str, Any]:
    """The cheapest set of the route's candidate controls that brings its added risk within
    appetite (exhaustive: the candidate sets of a route are small), in the shape of the
    ``best_controls`` entry the decisions read."""
    import itertools

    costs = candidate_controls(route, assumptions)
    best: tuple[tuple[str, ...], float, str] | None = None
    for r in range(len(costs) + 1):
        for combo in itertools.combinations(sorted(costs), r):
            cost = sum(costs[c] for c in combo)
            if best is not None and cost >= best[1]:
                continue
            a = added_risk(route, baseline, assumptions, route.existing_controls | set(combo), carried)
            if a.verdict == WITHIN:
                best = (combo, cost, a.level)
    if best is None:
        return {"status": "none-within-budget", "controls": [], "cost_gbp": 0, "residual": "",
                "detail": "no combination of the route's candidate controls brings its added risk within appetite"}
    return {"status": "found", "controls": list(best[0]), "cost_gbp": best[1], "residual": best[2], "detail": ""}


def _brief(a: Added) -> dict[str, Any]:
    w = a.worst
    return {"level": a.level, "verdict": a.verdict, "carried": list(a.carried), "goal": w.goal if w else None,
            "title": w.title if w else None, "likelihood": w.likelihood if w else None,
            "impact": w.impact if w else None}


def _worst(briefs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    sc = catalogues.scales()
    return max(briefs, key=lambda b: (sc.rank(b["level"]), b["impact"] or 0, b["likelihood"] or 0))


def modification_added(mod: "Modification", routes: Mapping[str, Channel], available: Mapping[str, Channel],
                       assumptions: Assumptions | None = None) -> dict[str, Any] | None:
    """The added-risk evidence of one modification: for each of its ``routes`` (the channels of this
    run) the risk added over its baseline, the cheapest treatment of that risk, the risk added over
    any further premises (``also_over``) and under each smaller command set (``fewer_commands``).
    ``available``: every channel the baselines may name. None when the modification has no baseline."""
    if mod.baseline is None:
        return None
    wanted = [*mod.baseline.channels, *(c for b in mod.also_over for c in b.channels)]
    missing = sorted({c for c in wanted if c not in available})
    out: dict[str, Any] = {"baseline": mod.baseline.to_dict(), "missing": missing, "routes": {},
                           "also_over": [], "fewer_commands": []}
    if missing:
        return out
    base = [available[c] for c in mod.baseline.channels]
    present = [routes[c] for c in mod.channels if c in routes]
    for ch in present:
        out["routes"][ch.id] = {**added_risk(ch, base, assumptions).to_dict(),
                                "treatment": cheapest_treatment(ch, base, assumptions)}
    for b in mod.also_over:
        over = [available[c] for c in b.channels]
        per = {ch.id: _brief(added_risk(ch, over, assumptions)) for ch in present}
        out["also_over"].append({**b.to_dict(), "routes": per, **({"worst": _worst(per.values())} if per else {})})
    cat = catalogues.commands()
    for r in mod.fewer_commands:
        per = {ch.id: _brief(added_risk(ch, base, assumptions, carried=[c for c in ch.commands if r.keeps(c, cat)]))
               for ch in present}
        out["fewer_commands"].append({**r.to_dict(), "routes": per, **({"worst": _worst(per.values())} if per else {})})
    return out
