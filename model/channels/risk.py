"""The risk engine: likelihood x impact -> level, inherent and residual, verdict against appetite.

Method (docs/methodology.md): for every goal, attacker and scale, the easiest path's difficulty
(the hardest step on it, after controls) is set against the attacker's capability; the margin
gives a likelihood, adjusted by exposure (premises-years, A-SCALE). A path through a ``mac-guess``
step takes the lower of that and the likelihood of the expected forged codes a year across the
premises the attack reaches (risk.yaml ``forged_codes``). The goal's kind and scale give the impact. The 5x5 matrix (A-RISK) gives the level; the channel's risk is its worst goal.
Inherent risk: no controls. Residual risk: existing controls (plus any what-if delta).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Iterable, Mapping

from nowan.model import ranges
from nowan.model.assumptions import Assumptions
from nowan.model.channels import bruteforce, catalogues, dag as dagmod
from nowan.model.channels.evaluate import StepValue, calibrated, enabled_from_delta, environment, evaluate_steps
from nowan.model.channels.graph import compile_graph, graph_to_data
from nowan.model.channels.types import SCALES, Channel, Goal, MacGuess

WITHIN, ABOVE = "within-appetite", "above-appetite"


@lru_cache(maxsize=64)
def _dag(channel: Channel) -> dagmod.Dag:
    return dagmod.Dag.of(compile_graph(channel))


def _src(origin: Any) -> str:
    return str(origin)


HOURS_PER_YEAR = 8760.0
POPULATION_KEYS = {"nowan": ("nowan.share", "nowan.smart_ppm_meters"), "smart-ppm": ("nowan.smart_ppm_meters",),
                   "smets2": ("nowan.smets2_meters",)}


def population(channel: Channel, env: Mapping[str, Any]) -> float:
    """Premises exposed (a count): no-WAN share x smart prepayment meters, every smart prepayment
    meter (every hub), or every SMETS2 meter (MP169, seed 001)."""
    return math.prod(float(env[k]) for k in POPULATION_KEYS[channel.exposure_population])


def exposed_years(channel: Channel, env: Mapping[str, Any]) -> float:
    """Years each exposed premises is exposed, per year: an intermittent outage lasts
    ``nowan.outage_hours`` (MP094 Option 1, domain.md 11.3); permanent no-WAN or a change on every
    hub lasts the whole year."""
    if channel.exposure_duration == "intermittent":
        return min(HOURS_PER_YEAR, float(env["nowan.outage_hours"])) / HOURS_PER_YEAR
    return 1.0


def under_exposure(channel: Channel, duration: str, source: str) -> Channel:
    """The channel scored as if its premises were without WAN for ``duration``: a modification may
    fix the duration its routes run under (MP094 Option 1 intermittent, Option 2 permanent), while
    one channel file serves several modifications. The channel itself when it already says so."""
    if duration == channel.exposure_duration:
        return channel
    return replace(channel, exposure_duration=duration, exposure_source=source)


def exposure(channel: Channel, env: Mapping[str, Any]) -> tuple[float, int, list[dict[str, Any]]]:
    """Premises-years exposed a year (premises x years each) and the likelihood adjustment."""
    sc = catalogues.scales()
    pop = population(channel, env)
    years = exposed_years(channel, env)
    py = pop * years
    edges = [calibrated(env, ranges.exposure_band(i), b) if not math.isinf(b) else b
             for i, (b, _) in enumerate(sc.exposure)]
    adjust = catalogues.band_below(tuple(zip(edges, (a for _, a in sc.exposure))), py)
    where = channel.exposure_source or f"{channel.file} field 'exposure'"
    keys = list(POPULATION_KEYS[channel.exposure_population]) + \
        (["nowan.outage_hours"] if channel.exposure_duration == "intermittent" else [])
    trace = [{"what": "exposure", "value": round(py, 1), "unit": "premises-years", "premises": round(pop, 1),
              "years_each": round(years, 6), "duration": channel.exposure_duration, "adjust": adjust,
              "assumptions": keys, "source": f"{where}; {_src(sc.origin('likelihood', 'exposure'))}"}]
    return py, adjust, trace


def premises_at(scale: str, pop: float, fleet_share: float | None = None) -> float:
    """Premises affected at a scale: one, one Supplier's fleet (fleet_share), or all exposed."""
    share = catalogues.scales().fleet_share if fleet_share is None else fleet_share
    return {"premises": 1.0, "fleet": pop * share, "national": pop}[scale]


#: The pseudo-scale of an attack that needs presence, repeated at ``repeat`` premises a year.
REPEATED = "repeated"


def repeats(attacker: str, env: Mapping[str, Any]) -> tuple[float, float]:
    """(attempts a year, count) of ``attacker``'s profile when an attack needs presence (risk.yaml
    ``attackers.ID.presence``, or their ``--assume calibration.attacker.ID...`` overrides).

    Why per profile: a consumer at their own premises reaches one premises a year, a kit sold by an
    organised group reaches many, a state actor sends few agents; one headcount for every profile
    would count a state actor as a hundred kit users taking emergency credit (issue 10, Scale)."""
    spec = catalogues.scales().attackers[attacker]["presence"]
    return (float(calibrated(env, ranges.attempts_a_year(attacker), spec["attempts_a_year"])),
            float(calibrated(env, ranges.attacker_count(attacker), spec["count"])))


def presence_reach(channel: Channel, attacker: str, env: Mapping[str, Any]) -> tuple[set[str], float]:
    """The presence entries ``attacker`` uses and the premises a year its repeated attack reaches
    (its profile's attempts a year x count), or (empty, 0)."""
    ents = {f"entry:{e.id}" for e in channel.entry_points if e.presence and attacker in e.attackers}
    if not ents:
        return set(), 0.0
    return ents, math.prod(repeats(attacker, env))


def repeated_premises(goal_scale: str, repeat: float, pop: float, share: float) -> tuple[float, str]:
    """Premises a repeated presence attack reaches (at most the goal's widest scale), and the scale
    whose impact applies to that many premises (premises, fleet once a Supplier's fleet is reached,
    national once every exposed premises is)."""
    n = max(1.0, min(repeat, premises_at(goal_scale, pop, share)))
    return n, "national" if n >= pop else "fleet" if n >= pop * share else "premises"


def expected_successes(goal: Goal, values: Mapping[str, StepValue] | None) -> float | None:
    """Expected successes per premises a year of the goal's ``per_success_of`` mac-guess step
    (attempts a year x 2^-mac_bits, :func:`model.channels.bruteforce.expected_successes`), or None."""
    if goal.per_success_of is None or values is None:
        return None
    return float(values[goal.per_success_of].detail["expected_per_premises_year"])


def reached(goal: Goal, scale: str, env: Mapping[str, Any], pop: float, channel_id: str = "",
            repeat: float | None = None) -> tuple[float, str, float]:
    """Premises one attack on ``goal`` reaches at ``scale``, the scale whose impact row applies, and
    the fleet share used: the scale rule, shared by the impact and the MAC-guessing likelihood."""
    share = float(calibrated(env, ranges.FLEET_SHARE, catalogues.scales().fleet_share))
    if scale == REPEATED:
        widest = calibrated(env, ranges.goal_scale(channel_id, goal.id), goal.scale)
        n, band_scale = repeated_premises(widest, float(repeat or 1.0), pop, share)
        return n, band_scale, share
    return premises_at(scale, pop, share), scale, share


def forged_bands(env: Mapping[str, Any]) -> tuple[tuple[float, int], ...]:
    """risk.yaml's ``forged_codes`` bands with any ``calibration.forged.<i>`` override."""
    return tuple((calibrated(env, ranges.forged_band(i), edge) if not math.isinf(edge) else edge, lk)
                 for i, (edge, lk) in enumerate(catalogues.scales().forged))


def margin_likelihood(capability: float, difficulty: float, adjust: int) -> int:
    """Likelihood 1-5 from capability minus the path's difficulty, adjusted by exposure."""
    return min(5, max(1, catalogues.margin_likelihood(catalogues.scales().margin, capability - difficulty) + adjust))


@dataclass(frozen=True)
class Guessing:
    """A ``mac-guess`` step as the likelihood sees it: its DAG node and forged codes per premises-year."""

    index: int
    step: str
    per_premises: float


def guessing_steps(channel: Channel, dag: dagmod.Dag, values: Mapping[str, StepValue]) -> list[Guessing]:
    return [Guessing(dag.index[f"step:{s.id}"], s.id, float(values[s.id].detail["expected_per_premises_year"]))
            for s in channel.steps if isinstance(s.difficulty, MacGuess)]


def solves(dag: dagmod.Dag, own: list[float], guesses: list[Guessing], allowed: Any) -> list[tuple[Any, Any]]:
    """The easiest paths with no guessing step (first), then through each guessing step in turn (the
    others off): a path through a guessing step is scored on its forged codes, not on difficulty
    alone, so the two kinds of path are solved apart and compared by likelihood."""
    plain = list(own)
    for g in guesses:
        plain[g.index] = math.inf
    out = [dagmod.solve(dag, plain, "max", allowed)]
    for g in guesses:
        through = list(plain)
        through[g.index] = own[g.index]
        out.append(dagmod.solve(dag, through, "max", allowed))
    return out


def path_likelihood(d: float, guess: Guessing | None, premises: float, lk_of: Any,
                    bands: tuple[tuple[float, int], ...]) -> tuple[int, dict[str, Any] | None]:
    """A path's likelihood: the margin's (``lk_of(d)``), and through a guessing step at most the band
    of the expected forged codes a year across ``premises``; with what it came from."""
    lk = lk_of(d)
    if guess is None:
        return lk, None
    forged = bruteforce.forged_a_year(guess.per_premises, premises)
    by_forged = catalogues.band_below(bands, forged)
    return min(lk, by_forged), {"step": guess.step, "per_premises_year": guess.per_premises,
                                "premises": premises, "forged_a_year": forged,
                                "likelihood": by_forged, "margin_likelihood": lk}


def impact(goal: Goal, scale: str, env: Mapping[str, Any], pop: float, channel_id: str = "",
           traced: bool = True, repeat: float | None = None,
           values: Mapping[str, StepValue] | None = None, attacker: str | None = None) -> tuple[int, dict[str, Any]]:
    """Impact 1-5 for a goal reached at a scale, with what it was computed from. At the
    ``repeated`` scale, ``repeat`` premises a year (``attacker``'s presence attack done again and
    again)."""
    from nowan.model.channels.exprs import number

    sc = catalogues.scales()
    spec = sc.impact_kinds[goal.kind]
    n, band_scale, share = reached(goal, scale, env, pop, channel_id, repeat)
    info: dict[str, Any] = {}
    if traced:
        info = {"kind": goal.kind, "scale": scale, "premises": round(n, 1),
                "source": f"{_src(goal.origin)}; {_src(sc.origin('impact', 'kinds', goal.kind))}"}
        if scale == REPEATED:
            info["repeat"] = {"premises_a_year": round(n, 1), "impact_scale": band_scale}
            if attacker is not None:
                attempts, count = repeats(attacker, env)
                info["repeat"].update({
                    "attacker": attacker, "attempts_a_year": attempts, "count": count,
                    "assumptions": [ranges.attempts_a_year(attacker), ranges.attacker_count(attacker)],
                    "source": f"attempts a year x count of attacker '{attacker}': "
                              f"{_src(sc.origin('attackers', attacker, 'presence'))}"})
        if band_scale == "fleet" or scale == REPEATED:  # one Supplier's share of the exposed premises [A]
            info["fleet_share"] = share
            info["fleet_share_source"] = _src(sc.origin("impact", "fleet_share"))
    if "by_scale" in spec:
        value = int(calibrated(env, ranges.impact_value(goal.kind, band_scale), spec["by_scale"][band_scale]))
    else:
        m = "gbp" if spec["measure"] == "gbp" else "hours"
        per = float(number(goal.gbp if m == "gbp" else goal.hours, env))
        per = float(calibrated(env, ranges.goal_measure(channel_id, goal.id, m), per))
        successes = expected_successes(goal, values)
        measure = per * n * (1.0 if successes is None else successes)
        if traced and successes is not None:   # forged UTRNs a year x their value (brute force)
            info["expected_successes_per_premises_year"] = successes
            info["expected_successes_a_year"] = successes * n
        bands = [calibrated(env, ranges.impact_band(goal.kind, i), b) for i, b in enumerate(spec["bands"])]
        value = next((i + 1 for i, b in enumerate(bands) if measure <= b), 5)
        uplift = int(calibrated(env, ranges.impact_uplift(goal.kind), spec.get("vulnerable_add", 0))) \
            if goal.vulnerable else 0   # vulnerable customers affected
        if not traced:
            return min(5, value + uplift), info
        info["band"] = value
        if uplift:
            value = min(5, value + uplift)
            info["vulnerable_add"] = uplift
        info.update({"measure": spec["measure"], "per_premises": per, "total": round(measure, 2),
                     "expression": str(goal.gbp if spec["measure"] == "gbp" else goal.hours)})
    return value, info


@dataclass
class Score:
    """One risk figure: likelihood, impact, level, and where each came from."""

    likelihood: int
    impact: int
    level: str
    goal: str | None = None
    attacker: str | None = None
    scale: str | None = None
    difficulty: float | None = None
    steps: list[str] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return catalogues.scales().rank(self.level)

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.rank, self.impact, self.likelihood)

    def to_dict(self) -> dict[str, Any]:
        return {"likelihood": self.likelihood, "impact": self.impact, "level": self.level, "goal": self.goal,
                "attacker": self.attacker, "scale": self.scale,
                "difficulty": None if self.difficulty is None or math.isinf(self.difficulty) else self.difficulty,
                "path": self.steps, "trace": self.trace}


def _none_score() -> Score:
    sc = catalogues.scales()
    return Score(1, 1, sc.level(1, 1), trace=[{"what": "no feasible path to any goal"}])


@dataclass
class Evaluation:
    """The full evaluation of one channel under one control set: per-goal worst scores."""

    channel: Channel
    enabled: frozenset[str]
    steps: dict[str, StepValue]
    goals: dict[str, Score]
    pairs: list[tuple[str, int, int]]     # (goal, likelihood, impact) for every feasible attacker/scale
    #: (attacker, scale) of each entry of ``pairs``, in the same order: who reaches that point, how wide.
    origins: list[tuple[str, str]] = field(default_factory=list)

    def worst(self, goal_ids: Iterable[str] | None = None) -> Score:
        ids = list(self.goals) if goal_ids is None else list(goal_ids)
        scores = [self.goals[g] for g in ids if g in self.goals]
        return max(scores, key=lambda s: s.key) if scores else _none_score()

    def risk_number(self, goal_ids: Iterable[str] | None = None) -> int:
        """Max likelihood x impact over every feasible (goal, attacker, scale): monotone in controls."""
        ids = set(self.goals if goal_ids is None else goal_ids)
        return max((lk * im for g, lk, im in self.pairs if g in ids), default=0)


def active_goals(channel: Channel, command: str | None = None, carried: Iterable[str] | None = None) -> list[str]:
    """Goals in force: channel-wide ones, and those for commands the channel carries (or only
    ``command``, or only the ``carried`` ones: the same rule answers "what if it carried fewer")."""
    if command is not None:
        carried = {command}
    carried = set(channel.commands if carried is None else carried)
    return [g.id for g in channel.goals if not g.commands or carried & set(g.commands)]


def evaluate(channel: Channel, assumptions: Assumptions | None = None,
             enabled: Iterable[str] | None = None, *, traced: bool = True) -> Evaluation:
    """Score every goal of ``channel`` with exactly ``enabled`` controls (default: existing ones).

    ``traced=False`` skips the witness paths and traces (the levels are the same): the robustness
    sweeps score a channel thousands of times and read only the level.
    """
    assumptions = assumptions or Assumptions()
    enabled = frozenset(channel.existing_controls if enabled is None else enabled)
    sc = catalogues.scales()
    env = environment(channel, assumptions)
    values = evaluate_steps(channel, assumptions, enabled, env)
    dag = _dag(channel)
    nodes = [(dag.index[f"step:{s.id}"], s.id) for s in channel.steps]
    guesses = guessing_steps(channel, dag, values)
    bands = forged_bands(env)
    impacts: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}   # per goal and scale, not attacker
    pop = population(channel, env)
    _, adjust, exp_trace = exposure(channel, env)
    goals: dict[str, Score] = {}
    pairs: list[tuple[str, int, int]] = []
    origins: list[tuple[str, str]] = []
    cal = assumptions.calibrations
    step_scale = {s.id: SCALES.index(calibrated(cal, ranges.step_scale(channel.id, s.id), s.scale) if cal else s.scale)
                  for s in channel.steps}
    goal_scale = {g.id: SCALES.index(calibrated(cal, ranges.goal_scale(channel.id, g.id), g.scale) if cal else g.scale)
                  for g in channel.goals}
    for attacker in channel.attackers:
        prof = sc.attackers[attacker]
        cap = calibrated(cal, ranges.capability(attacker), prof["capability"])
        capability = float(cap)
        allowed = {f"entry:{e.id}" for e in channel.entry_points if attacker in e.attackers}

        def lk_of(d: float) -> int:
            return margin_likelihood(capability, d, adjust)

        def consider(goal: Any, scale: str, solved: list[tuple[Any, Any]], scored: tuple[int, Any],
                     repeat: float | None = None) -> None:
            """Score one (goal, scale) reach of this attacker, by its likeliest path (with no guessing
            step, or through one), and keep it if it is the goal's worst."""
            best: tuple[int, float, Any, dict[str, Any] | None] | None = None
            for k, (val, choice) in enumerate(solved):
                d = val[f"goal:{goal.id}"]
                if math.isinf(d):
                    continue
                n = reached(goal, scale, env, pop, channel.id, repeat)[0] if k else 0.0
                lk, forged = path_likelihood(d, guesses[k - 1] if k else None, n, lk_of, bands)
                if best is None or lk > best[0]:
                    best = (lk, d, choice, forged)
            if best is None:
                return
            lk, d, choice, forged = best
            im, im_info = scored
            pairs.append((goal.id, lk, im))
            origins.append((attacker, scale))
            level = sc.level(lk, im)
            cand = Score(lk, im, level, goal.id, attacker, scale, d)
            if goal.id in goals and goals[goal.id].key >= cand.key:
                return
            if traced:
                path = dagmod.witness(dag, choice, f"goal:{goal.id}")
                cand.steps = [channel.step(n[5:]).stable_id for n in path if n.startswith("step:")]
                cand.trace = _trace(channel, values, path, attacker, {**prof, "capability": cap}, capability - d, lk,
                                    adjust, exp_trace, im, im_info, level, forged)
            goals[goal.id] = cand

        def reachable(goal: Any, solved: list[tuple[Any, Any]]) -> bool:
            return any(not math.isinf(val[f"goal:{goal.id}"]) for val, _ in solved)

        for si, scale in enumerate(SCALES):
            own = [0.0] * len(dag.order)
            for i, sid in nodes:
                own[i] = values[sid].difficulty if step_scale[sid] >= si else math.inf
            solved = solves(dag, own, guesses, allowed.__contains__)
            for goal in channel.goals:
                if goal_scale[goal.id] < si or not reachable(goal, solved):
                    continue
                if (goal.id, scale) not in impacts:
                    impacts[goal.id, scale] = impact(goal, scale, env, pop, channel.id, traced, values=values)
                consider(goal, scale, solved, impacts[goal.id, scale])
        on_site, repeat = presence_reach(channel, attacker, env)
        if not on_site:
            continue
        # The same attack done at premises after premises: only presence entries, every step.
        own = [0.0] * len(dag.order)
        for i, sid in nodes:
            own[i] = values[sid].difficulty
        solved = solves(dag, own, guesses, on_site.__contains__)
        for goal in channel.goals:
            if reachable(goal, solved):
                consider(goal, REPEATED, solved,
                         impact(goal, REPEATED, env, pop, channel.id, traced, repeat, values, attacker), repeat)
    return Evaluation(channel, enabled, values, goals, pairs, origins)


def residual_rank(channel: Channel, assumptions: Assumptions) -> int:
    """Rank of the residual level (0 very-low .. 4 very-high) with the existing controls.

    The same numbers as ``evaluate(...).worst(active_goals(channel))``, computed for the level
    alone (no Score records, witnesses or traces): robustness sweeps ask this question millions of
    times. ``tests/model/robustness/test_subject.py`` checks the two agree.
    """
    sc = catalogues.scales()
    env = environment(channel, assumptions)
    values = evaluate_steps(channel, assumptions, channel.existing_controls, env)
    dag = _dag(channel)
    guesses = guessing_steps(channel, dag, values)
    bands = forged_bands(env)
    pop = population(channel, env)
    _, adjust, _ = exposure(channel, env)
    cal = assumptions.calibrations
    active = set(active_goals(channel))
    goals = [(g, dag.index[f"goal:{g.id}"],
              SCALES.index(calibrated(cal, ranges.goal_scale(channel.id, g.id), g.scale) if cal else g.scale))
             for g in channel.goals if g.id in active]
    nodes = [(dag.index[f"step:{s.id}"], values[s.id].difficulty,
              SCALES.index(calibrated(cal, ranges.step_scale(channel.id, s.id), s.scale) if cal else s.scale))
             for s in channel.steps]
    widest = max((gs for _, _, gs in goals), default=-1)
    impacts: dict[tuple[str, str], int] = {}
    best = -1
    for attacker in channel.attackers:
        capability = float(calibrated(cal, ranges.capability(attacker), sc.attackers[attacker]["capability"]))
        allowed = {f"entry:{e.id}" for e in channel.entry_points if attacker in e.attackers}

        def lk_of(d: float) -> int:
            return margin_likelihood(capability, d, adjust)

        def likeliest(goal: Goal, gi: int, scale: str, solved: list[Any], repeat: float | None = None) -> int:
            """The goal's likelihood by its likeliest path (0: unreachable), as ``evaluate`` scores it."""
            lk = 0
            for k, (val, _) in enumerate(solved):
                d = val._values[gi]
                if not math.isinf(d):
                    n = reached(goal, scale, env, pop, channel.id, repeat)[0] if k else 0.0
                    lk = max(lk, path_likelihood(d, guesses[k - 1] if k else None, n, lk_of, bands)[0])
            return lk

        for si, scale in enumerate(SCALES[:widest + 1]):
            own = [0.0] * len(dag.order)
            for i, d, ss in nodes:
                own[i] = d if ss >= si else math.inf
            solved = solves(dag, own, guesses, allowed.__contains__)
            for goal, gi, gs in goals:
                lk = likeliest(goal, gi, scale, solved) if gs >= si else 0
                if not lk:
                    continue
                if (goal.id, scale) not in impacts:
                    impacts[goal.id, scale] = impact(goal, scale, env, pop, channel.id, traced=False, values=values)[0]
                best = max(best, sc.rank(sc.level(lk, impacts[goal.id, scale])))
        on_site, repeat = presence_reach(channel, attacker, env)
        if not on_site:
            continue
        own = [0.0] * len(dag.order)
        for i, d, _ in nodes:
            own[i] = d
        solved = solves(dag, own, guesses, on_site.__contains__)
        for goal, gi, _ in goals:
            lk = likeliest(goal, gi, REPEATED, solved, repeat)
            if lk:
                im = impact(goal, REPEATED, env, pop, channel.id, traced=False, repeat=repeat, values=values)[0]
                best = max(best, sc.rank(sc.level(lk, im)))
    return best if best >= 0 else sc.rank(_none_score().level)


def _trace(channel: Channel, values: Mapping[str, StepValue], path: list[str], attacker: str, prof: Mapping[str, Any],
           margin: float, lk: int, adjust: int, exp_trace: list[dict[str, Any]], im: int, im_info: dict[str, Any],
           level: str, forged: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    sc = catalogues.scales()
    out: list[dict[str, Any]] = [{"what": "attacker", "id": attacker, "capability": prof["capability"],
                                  "source": _src(sc.origin("attackers", attacker))}]
    for n in path:
        if not n.startswith("step:"):
            continue
        s = channel.step(n[5:])
        v = values[s.id]
        item = {"what": "step", "id": s.stable_id, "difficulty": v.difficulty, "base": v.base,
                "hardened_by": [{"control": c, "by": a, "source": _src(channel.control(c).origin)} for c, a in v.hardened_by],
                "source": _src(s.origin)}
        if v.detail:
            item["computed"] = v.detail
        out.append(item)
    item: dict[str, Any] = {"what": "likelihood", "margin": margin, "value": lk, "exposure_adjust": adjust,
                            "source": _src(sc.origin("likelihood", "margin"))}
    if forged is not None:   # through a guessing step: the lower of the margin's and the forged codes'
        step = values[forged["step"]].detail
        item["forged_codes"] = {
            **forged, "step": channel.step(forged["step"]).stable_id,
            "bound": {"probability_per_meter_year": step["probability_per_year"], "max_probability": step["bound"],
                      "exceeded": step["bound_exceeded"], "proof": "bruteforce-bound"},
            "source": _src(sc.origin("likelihood", "forged_codes"))}
    out.append(item)
    out.extend(exp_trace)
    out.append({"what": "impact", "value": im, **im_info})
    out.append({"what": "level", "value": level, "source": _src(sc.origin("matrix"))})
    return out


def verdict(level: str) -> str:
    sc = catalogues.scales()
    return WITHIN if sc.rank(level) <= sc.rank(sc.appetite) else ABOVE


@dataclass
class ChannelRisk:
    """Inherent and residual risk of one channel, its threats and its command matrix row."""

    channel: Channel
    assumptions: Assumptions
    inherent: Score
    residual: Score
    residual_eval: Evaluation
    inherent_eval: Evaluation
    commands: dict[str, str]          # command -> level of the harms it enables, or "not-carried"
    route: str = ""                   # level of the channel-wide harms, whatever is carried

    @property
    def verdict(self) -> str:
        return verdict(self.residual.level)

    @property
    def commands_within_appetite(self) -> list[str]:
        return [c for c, lvl in self.commands.items() if lvl != "not-carried" and verdict(lvl) == WITHIN]

    def threats(self) -> list[dict[str, Any]]:
        out = []
        for s in self.channel.steps:
            r, i = self.residual_eval.steps[s.id], self.inherent_eval.steps[s.id]
            out.append({
                "id": s.stable_id, "rule": s.rule.id, "title": s.title, "stride": list(s.stride), "cwe": s.cwe,
                "mitigation": s.mitigation, "false_positive": s.rule.false_positive, "scale": s.scale,
                "entry": list(s.entry),
                "difficulty": {"inherent": _fin(i.difficulty), "residual": _fin(r.difficulty)},
                "blocked_by": r.blocked_by, "hardened_by": [c for c, _ in r.hardened_by],
                "source": _src(s.origin)})
            if "expected_per_premises_year" in r.detail:   # guessing: scored by its forged codes
                out[-1]["forged_per_premises_year"] = {"inherent": i.detail["expected_per_premises_year"],
                                                       "residual": r.detail["expected_per_premises_year"]}
        return out

    def to_dict(self, *, graph: bool = True) -> dict[str, Any]:
        """The channel entry of docs/methodology.md section 10 (goals, controls, matrix row, graph)."""
        ch = self.channel
        goals = {g: self.residual_eval.goals.get(g) for g in active_goals(ch)}
        out: dict[str, Any] = {
            "id": ch.id, "title": ch.title, "source": ch.file, "model_hash": ch.content_hash,
            "inherent": self.inherent.to_dict(), "residual": self.residual.to_dict(), "verdict": self.verdict,
            "threats": self.threats(),
            "proofs": [], "fuzz": None,
            "commands_within_appetite": self.commands_within_appetite,
            "commands": self.commands,
            "route_harms": self.route,
            "goals": [{"id": g.id, "kind": g.kind, "title": g.title, "scale": g.scale, "source": _src(g.origin),
                       "residual": goals[g.id].to_dict() if goals.get(g.id) else None,
                       "verdict": verdict(goals[g.id].level) if goals.get(g.id) else WITHIN}
                      for g in ch.goals if g.id in goals],
            "controls": [{"id": c.id, "title": c.title, "status": c.status, "mechanism": c.mechanism,
                          "enabled": c.id in self.residual_eval.enabled, "cost_gbp": c.cost_gbp,
                          "cost_placeholder": c.cost_is_placeholder,
                          "blocks": list(c.blocks), "hardens": [s for s, _ in c.hardens],
                          "reference": c.source, "source": _src(c.origin)} for c in ch.controls],
            "parameters": ch.parameters,
        }
        if graph:
            out["graph"] = graph_to_data(compile_graph(ch))
        return out


def _fin(x: float) -> float | None:
    return None if math.isinf(x) else x


def command_row(channel: Channel, ev: Evaluation) -> dict[str, str]:
    """For each MP094 command: the residual level of the harms that command enables on this channel
    (its goals that name it), or not-carried. A harm counts against a command only where the command
    enables it (issue 10); the channel-wide harms every command shares are ``route_level``."""
    row = {}
    for cmd in catalogues.commands():
        own = [g.id for g in channel.goals if cmd in g.commands]
        row[cmd] = ev.worst(own).level if cmd in channel.commands else "not-carried"
    return row


def route_level(channel: Channel, ev: Evaluation) -> str:
    """The residual level of the channel-wide harms (goals that name no command): the route's own
    risk whatever it carries. With the command row it gives the channel's residual level."""
    return ev.worst([g.id for g in channel.goals if not g.commands]).level


def score(channel: Channel, assumptions: Assumptions | None = None,
          controls_delta: Iterable[str] = ()) -> ChannelRisk:
    """Inherent and residual risk of a channel; ``controls_delta`` items are ``+ID`` / ``-ID``."""
    assumptions = assumptions or Assumptions()
    enabled = enabled_from_delta(channel, controls_delta)
    res = evaluate(channel, assumptions, enabled)
    inh = evaluate(channel, assumptions, frozenset())
    goals = active_goals(channel)
    return ChannelRisk(channel, assumptions, inh.worst(goals), res.worst(goals), res, inh, command_row(channel, res),
                       route_level(channel, res))


def residual_with(channel: Channel, enabled_controls: Iterable[str], assumptions: Assumptions | None = None) -> Score:
    """Residual risk with exactly ``enabled_controls`` on (pass existing | chosen candidates)."""
    ev = evaluate(channel, assumptions, frozenset(enabled_controls))
    return ev.worst(active_goals(channel))


def candidate_controls(channel: Channel, assumptions: Assumptions | None = None) -> dict[str, float]:
    """Candidate controls a working group could add, with their cost in GBP (evaluated)."""
    from nowan.model.channels.exprs import number

    env = environment(channel, assumptions or Assumptions())
    return {cid: float(number(c.cost_gbp, env)) for cid, c in channel.candidate_controls.items()}


def within_appetite(level: str) -> bool:
    return verdict(level) == WITHIN
