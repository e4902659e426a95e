"""Load and validate channel model files into resolved :class:`Channel` records.

Validation is eager and total: JSON Schema first (shape), then references (entry points,
attackers, steps, controls, commands, rules), then every expression is parsed and evaluated once
with the default assumptions. Any failure is a :class:`model.errors.ModelError` naming file, line
and field; nothing is skipped silently.
"""
from __future__ import annotations

import hashlib
from collections import Counter
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import jsonschema

from nowan.model import citations, ranges
from nowan.model.assumptions import Assumptions, catalogue
from nowan.model.channels import catalogues, exprs
from nowan.model.channels.source import Sourced, read_yaml
from nowan.model.channels.types import (SCALES, Asset, Channel, Control, EntryPoint, FuzzSpec, Goal, MacGuess, Origin, Req,
                                  Step)
from nowan.model.errors import AssumptionError, InputError, ModelError, printable
from nowan.model.ids import check_channel_id
from nowan.model.values import NON_NEGATIVE, POSITIVE, NumberSpec, check_number

#: The packaged channel models: the registry is this directory (or a user's ``--models DIR``).
CHANNEL_DIR = Path(__file__).parent


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads((CHANNEL_DIR / "schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def mechanisms() -> tuple[str, ...]:
    """The control mechanisms a channel model may declare (the schema's ``mechanism`` enum): what a
    position's condition can ask a route's controls to be (model/data/modifications.yaml)."""
    return tuple(_validator().schema["properties"]["controls"]["items"]["properties"]["mechanism"]["enum"])


def _schema_check(src: Sourced) -> None:
    errors = sorted(_validator().iter_errors(src.data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        err = errors[0]
        if err.validator == "oneOf" and err.context:
            err = min(err.context, key=lambda e: len(e.absolute_path))
        path = tuple(err.absolute_path)
        if err.validator in ("minimum", "maximum") and path[-1:] == ("difficulty",):
            raise _difficulty_error(src, err.instance, path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            extra = sorted(k for k in err.instance if k not in allowed)
            if extra:
                raise src.error(f"unknown field; expected one of {sorted(allowed)}", path + (extra[0],))
        if err.validator == "required":
            raise src.error(f"missing field: {err.message}", path)
        raise src.error(f"expected {err.schema.get('type') or err.validator}: {err.message}", path)


def _req(src: Sourced, raw: Any, path: tuple, steps: set[str]) -> Req:
    if isinstance(raw, str):
        if raw not in steps:
            raise src.error(f"unknown step '{raw}'; expected one of {sorted(steps)}", path)
        return Req("step", step=raw)
    op = "all" if "all" in raw else "any"
    return Req(op, tuple(_req(src, r, path + (op, i), steps) for i, r in enumerate(raw[op])))


class _Checker:
    """Checks that an expression only reads names it can resolve, and that it evaluates."""

    def __init__(self, src: Sourced, params: Mapping[str, Any]) -> None:
        self.src = src
        cat = catalogue()
        for key, value in params.items():  # a parameter that shadows an assumption obeys its type and range
            if not isinstance(key, str):
                raise src.error("a parameter name must be a string", ("parameters",))
            if key in cat:
                try:
                    cat[key].parse(value)
                except AssumptionError as exc:
                    raise src.error(exc.message, ("parameters", key)) from None
            elif isinstance(value, float) and value != value:
                raise src.error("expected a number, got NaN", ("parameters", key))
        self.known = set(cat) | set(params)
        defaults = Assumptions()
        self.env = {**{k: defaults[k] for k in defaults}, **params}

    def number(self, value: Any, path: tuple, *, boolean: bool = False, spec: NumberSpec | None = None) -> Any:
        """Check a literal or expression; with ``spec``, its value (default assumptions) must fit it."""
        if value is None or isinstance(value, bool) and boolean:
            return value
        try:
            if isinstance(value, str):
                e = exprs.parse(value)
                unknown = sorted(e.names - self.known)
                if unknown:
                    raise exprs.ExprError(f"unknown name '{unknown[0]}'; expected an assumption key or a channel parameter")
                result = e.evaluate(self.env)
                if boolean and not isinstance(result, bool):
                    raise exprs.ExprError(f"expression {value!r} gave {result!r}, expected true/false")
            if not boolean:
                result = exprs.number(value, self.env)
                problem = check_number(result, spec or NumberSpec(allow_inf=True))
                if problem:
                    raise exprs.ExprError(problem)
        except exprs.ExprError as exc:
            raise self.src.error(str(exc), path) from None
        return value


DIFFICULTY_RANGE = (1, 5)


def _check_difficulty(src: Sourced, chk: "_Checker", value: Any, path: tuple) -> None:
    """A declared difficulty is on the attacker-capability scale, 1 trivial .. 5 very hard.

    The scale is closed for what a model declares: a step no profile could do is modelled by a
    blocking control, not by a difficulty of 9. Only hardening controls take a step above 5
    (then harder than any profile's capability: a negative margin). An expression is
    checked with the default assumptions.
    """
    lo, hi = DIFFICULTY_RANGE
    v = float(exprs.number(value, chk.env))
    if not lo <= v <= hi:
        raise _difficulty_error(src, v, path)


def _difficulty_error(src: Sourced, value: float, path: tuple) -> ModelError:
    lo, hi = DIFFICULTY_RANGE
    return src.error(f"difficulty {float(value):g} out of range; expected {lo} (trivial) .. {hi} (very hard)", path)


CITATION = re.compile(r"^(domain\.md [0-9][0-9., -]*|design\.md [0-9][0-9., -]*|seed 00[0-9]|S[0-9]+(, S[0-9]+)*): \S")


def _check_sources(src: Sourced, sources: list[str]) -> None:
    """Each channel source is ``CITATION: what it is cited for``.

    Why: a bare "seed 004" in a list tells a reviewer nothing about which claim rests on it, and a
    citation that does not resolve through docs/sources.md cannot be checked at all.
    """
    for i, s in enumerate(sources):
        if not CITATION.match(s):
            raise src.error("expected 'CITATION: what it is cited for', CITATION one of 'domain.md N', "
                            "'design.md N', 'seed 00N', 'Sn'", ("sources", i))


def _origin(src: Sourced, path: tuple) -> Origin:
    return Origin(src.file, src.line(path))


def parse_channel(src: Sourced, expected_id: str | None = None) -> Channel:
    """Validate one parsed model file and resolve it into a :class:`Channel`."""
    _schema_check(src)
    d = src.data
    cid = d["id"]
    if expected_id is not None and cid != expected_id:
        raise src.error(f"id must match the file name ('{expected_id}')", ("id",))
    if cid in ranges.RESERVED:
        raise src.error(f"id '{cid}' is reserved for shared calibrations; choose another", ("id",))
    attackers = catalogues.scales().attackers
    mp094 = catalogues.commands()
    rules = catalogues.rules()
    params = dict(d.get("parameters", {}))
    _check_sources(src, d.get("sources", []))
    chk = _Checker(src, params)
    for i, c in enumerate(d["commands"]):
        if c not in mp094:
            raise src.error(f"unknown command '{c}'; expected one of {sorted(mp094)}", ("commands", i))

    def unique(section: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(d[section]):
            if item["id"] in seen:
                raise src.error(f"duplicate id '{item['id']}'", (section, i, "id"))
            seen.add(item["id"])

    for section in ("assets", "entry_points", "controls", "steps", "goals"):
        unique(section)
    entries = []
    for i, e in enumerate(d["entry_points"]):
        for j, a in enumerate(e["attackers"]):
            if a not in attackers:
                raise src.error(f"unknown attacker '{a}'; expected one of {sorted(attackers)}",
                                ("entry_points", i, "attackers", j))
        presence = bool(e.get("presence", False))
        for j, a in enumerate(e["attackers"]):
            if presence and "presence" not in attackers[a]:
                raise src.error(f"attacker '{a}' has no 'presence' figures (attempts_a_year, count) in "
                                "model/data/risk.yaml, so how often it repeats an attack needing presence is "
                                "unknown; add them there or use another profile", ("entry_points", i, "attackers", j))
        entries.append(EntryPoint(e["id"], e["title"], tuple(e["attackers"]), _origin(src, ("entry_points", i)),
                                  presence))
    entry_ids = {e.id for e in entries}
    step_ids = {s["id"] for s in d["steps"]}
    control_ids = {c["id"] for c in d["controls"]}

    steps = []
    for i, s in enumerate(d["steps"]):
        p = ("steps", i)
        if s["rule"] not in rules:
            raise src.error(f"unknown rule '{s['rule']}'; expected one of {sorted(rules)}", p + ("rule",))
        rule = rules[s["rule"]]
        for j, e in enumerate(s.get("entry", [])):
            if e not in entry_ids:
                raise src.error(f"unknown entry point '{e}'; expected one of {sorted(entry_ids)}", p + ("entry", j))
        _check_root(src, s, p)
        raw_diff = s["difficulty"]
        if isinstance(raw_diff, dict):
            if rule.difficulty_model != "mac-guess":
                raise src.error(f"rule '{rule.id}' has no computed difficulty model", p + ("difficulty",))
            lc = raw_diff.get("lockout_control")
            if lc is not None and lc not in control_ids:
                raise src.error(f"unknown control '{lc}'", p + ("difficulty", "lockout_control"))
            chk.number(raw_diff["attempt_s"], p + ("difficulty", "attempt_s"), spec=POSITIVE)
            diff: Any = MacGuess(raw_diff["mac_bits"], raw_diff["attempt_s"], lc, bool(raw_diff.get("han", False)))
        else:
            diff = chk.number(raw_diff, p + ("difficulty",))
            _check_difficulty(src, chk, diff, p + ("difficulty",))
        for key in ("cost_gbp", "time_hours"):
            chk.number(s.get(key, 0), p + (key,), spec=NON_NEGATIVE)
        steps.append(Step(
            id=s["id"], stable_id=f"{rule.id}@{cid}@{s['target']}", rule=rule, target=s["target"],
            title=s["title"], entry=tuple(s.get("entry", [])),
            requires=_req(src, s["requires"], p + ("requires",), step_ids) if "requires" in s else None,
            difficulty=diff, cost_gbp=s.get("cost_gbp", 0), time_hours=s.get("time_hours", 0),
            scale=s.get("scale", "national"), stride=tuple(s.get("stride", rule.stride)),
            cwe=s.get("cwe", rule.cwe), mitigation=s.get("mitigation", rule.mitigation), origin=_origin(src, p)))
    stable = [s.stable_id for s in steps]
    dup = sorted(x for x, n in Counter(stable).items() if n > 1)
    if dup:
        i = stable.index(dup[0], stable.index(dup[0]) + 1)
        raise src.error(f"stable id '{dup[0]}' used twice; give the step a distinct target", ("steps", i, "target"))

    controls = []
    for i, c in enumerate(d["controls"]):
        p = ("controls", i)
        for j, sid in enumerate(c.get("blocks", [])):
            if sid not in step_ids:
                raise src.error(f"unknown step '{sid}'", p + ("blocks", j))
        for sid, amount in c.get("hardens", {}).items():
            if sid not in step_ids:
                raise src.error(f"unknown step '{sid}'", p + ("hardens", sid))
            if not isinstance(amount, str) and isinstance(amount, (int, float)) and amount < 0:
                raise src.error("a control must not make a step easier (negative hardening)", p + ("hardens", sid))
            chk.number(amount, p + ("hardens", sid), spec=NON_NEGATIVE)
        chk.number(c.get("cost_gbp", 0), p + ("cost_gbp",), spec=NON_NEGATIVE)
        eff = c.get("effective", True)
        chk.number(eff, p + ("effective",), boolean=True)
        complaint = citations.problem(c.get("source", ""))
        if complaint:
            raise src.error(complaint, p + ("source",))
        controls.append(Control(c["id"], c["title"], c["status"], c.get("cost_gbp", 0), tuple(c.get("blocks", [])),
                                tuple(c.get("hardens", {}).items()), eff, c.get("source", ""), _origin(src, p),
                                c.get("mechanism")))

    goals = []
    for i, g in enumerate(d["goals"]):
        p = ("goals", i)
        for j, c in enumerate(g.get("commands", [])):
            if c not in mp094:
                raise src.error(f"unknown command '{c}'", p + ("commands", j))
        if g["kind"] == "free-credit" and "gbp" not in g:
            raise src.error("a free-credit goal needs 'gbp' (per premises)", p)
        if g["kind"] == "off-supply" and "hours" not in g:
            raise src.error("an off-supply goal needs 'hours' (per premises)", p)
        for key in ("gbp", "hours"):
            if key in g:
                chk.number(g[key], p + (key,), spec=NON_NEGATIVE)
        req = _req(src, g["requires"], p + ("requires",), step_ids)
        per = g.get("per_success_of")
        if per is not None:
            guess = next((s for s in steps if s.id == per), None)
            if guess is None or not isinstance(guess.difficulty, MacGuess):
                raise src.error(f"'{per}' is not a mac-guess step of this channel", p + ("per_success_of",))
            if req.steps() != {per}:
                raise src.error(f"a goal counted per success of '{per}' must require that step alone",
                                p + ("requires",))
        goals.append(Goal(g["id"], g["kind"], g["title"], req,
                          g["scale"], g.get("gbp", 0), g.get("hours", 0), bool(g.get("vulnerable", False)),
                          tuple(g.get("commands", [])), _origin(src, p), per))
    assets = tuple(Asset(a["id"], a["title"], a.get("kind"), _origin(src, ("assets", i))) for i, a in enumerate(d["assets"]))
    _check_acyclic(src, steps)
    on_site = _check_presence(src, steps, {e.id for e in entries if e.presence})
    widest = _check_reach(src, steps, goals, entries)
    inputs = _calibrations(src, cid, chk, on_site, widest)
    _check_withheld_commands(src, steps, goals)
    fuzz = _fuzz_spec(src, d.get("fuzz"))
    content_hash = hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return Channel(
        id=cid, title=d["title"], description=d["description"], file=src.file, sources=tuple(d.get("sources", [])),
        parameters=params, exposure_population=d["exposure"]["population"],
        exposure_duration=d["exposure"]["duration"], commands=tuple(d["commands"]), assets=assets,
        entry_points=tuple(entries), controls=tuple(controls), steps=tuple(steps), goals=tuple(goals),
        content_hash=content_hash, inputs=inputs, fuzz=fuzz, comparison=d.get("comparison"),
        _index={"steps": {s.id: s for s in steps}, "controls": {c.id: c for c in controls},
                "entries": {e.id: e for e in entries}})


def _fuzz_spec(src: Sourced, raw: Any) -> FuzzSpec | None:
    """The ``fuzz`` section, its assumption values parsed and checked like ``--assume``."""
    if raw is None:
        return None
    values = []
    cat = catalogue()
    for key, value in raw.get("assumptions", {}).items():
        if key not in cat:
            raise src.error(f"unknown assumption '{key}'; expected one of {', '.join(cat)}", ("fuzz", "assumptions", key))
        try:
            values.append((key, cat[key].parse(value)))
        except InputError as exc:
            raise src.error(exc.message, ("fuzz", "assumptions", key)) from None
    return FuzzSpec(raw["world"], tuple(values), tuple(raw.get("omit", ())), _origin(src, ("fuzz", "world")))


def _check_root(src: Sourced, s: Mapping[str, Any], p: tuple) -> None:
    """A step with no prerequisite says where the attacker stands: an ``entry``, or ``anywhere``
    with the reason no presence is needed.

    Why: the presence check (:func:`_check_presence`) infers presence from entries and
    prerequisites, so a root step with neither escaped it: "find the inter-PAN window open" needs
    HAN radio range at a hub, yet was labelled ``national`` and swept as a scale calibration.
    """
    if "anywhere" in s and s.get("entry"):
        raise src.error("a step with an 'entry' is not done 'anywhere'; remove one of them", p + ("anywhere",))
    if "requires" not in s and not s.get("entry") and "anywhere" not in s:
        raise src.error(f"step '{s['id']}' has no prerequisite, so it needs an 'entry' (where the attacker "
                        "stands; a presence entry if it needs radio range or physical access) or "
                        "'anywhere: REASON' saying why no presence is needed", p)


def _check_presence(src: Sourced, steps: list[Step], presence: set[str]) -> set[str]:
    """Steps that need the attacker at a premises reach one premises: their scale must be ``premises``.

    Why: an attack that needs radio range, physical access or a key-presser reaches the premises the
    attacker stands at. How many premises such attacks reach across the country is modelled
    explicitly (the attacker profile's ``presence``: attempts a year x count, model/data/risk.yaml),
    never by labelling the step ``fleet`` or ``national``. A step needs presence when every way in does: its own entries are
    all presence entries, or what it requires does. Returns the ids of those steps.
    """
    by_id = {s.id: s for s in steps}
    memo: dict[str, bool] = {}

    def req_needs(r: Req) -> bool:
        if r.op == "step":
            return needs(r.step or "")
        parts = [req_needs(i) for i in r.items]
        return all(parts) if r.op == "any" else any(parts)

    def needs(sid: str) -> bool:
        if sid not in memo:
            s = by_id[sid]
            own = bool(s.entry) and all(e in presence for e in s.entry)
            memo[sid] = own or (s.requires is not None and req_needs(s.requires))
        return memo[sid]

    for i, s in enumerate(src.data["steps"]):
        if needs(s["id"]) and s.get("scale", "national") != "premises":
            field = ("steps", i, "scale") if "scale" in s else ("steps", i)
            raise src.error(f"step '{s['id']}' needs presence at a premises (entry or prerequisite through "
                            f"{', '.join(sorted(presence))}), so it reaches one premises: its scale must be "
                            "'premises'; repetition across premises is the attacker's 'presence' (attempts a year x count, "
                            "model/data/risk.yaml)", field)
    return {sid for sid in by_id if needs(sid)}


def _check_reach(src: Sourced, steps: list[Step], goals: list[Goal], entries: list[EntryPoint]) -> dict[tuple[str, str], str]:
    """The widest scale each step and goal allows by structure, checked against its declared scale.

    Why: the scale of a step only one Supplier's insider can take is that Supplier's fleet at most;
    labelling it (or letting its plausible range reach) ``national`` produced verdict flips the
    model's own structure rules out. A step is open to the attackers of one of its entries (every
    profile for a step done ``anywhere``) who can also do its prerequisites; its widest scale is the
    widest ``reach`` (model/data/risk.yaml) among them. Returns ``{("steps"|"goals", id): scale}``.
    """
    profiles = catalogues.scales().attackers
    by_id = {s.id: s for s in steps}
    by_entry = {e.id: set(e.attackers) for e in entries}
    memo: dict[str, set[str]] = {}

    def req_who(r: Req) -> set[str]:
        if r.op == "step":
            return who(r.step or "")
        parts = [req_who(i) for i in r.items]
        return set.intersection(*parts) if r.op == "all" else set.union(*parts)

    def who(sid: str) -> set[str]:
        if sid not in memo:
            s = by_id[sid]
            out = set().union(*(by_entry[e] for e in s.entry)) if s.entry else set(profiles)
            memo[sid] = out & req_who(s.requires) if s.requires is not None else out
        return memo[sid]

    def widest(attackers: set[str]) -> str:
        return max((profiles[a]["reach"] for a in attackers), key=SCALES.index, default=SCALES[0])

    out: dict[tuple[str, str], str] = {}
    for section, items in (("steps", steps), ("goals", goals)):
        for i, item in enumerate(items):
            attackers = who(item.id) if section == "steps" else req_who(item.requires)
            bound = out[section, item.id] = widest(attackers)
            if SCALES.index(item.scale) > SCALES.index(bound):
                field = (section, i, "scale") if "scale" in src.data[section][i] else (section, i)
                raise src.error(f"{section[:-1]} '{item.id}' is open only to {', '.join(sorted(attackers))}, whose "
                                f"widest reach is '{bound}' (attackers.ID.reach in model/data/risk.yaml): its "
                                f"scale must not be wider", field)
    return out


def _calibrations(src: Sourced, cid: str, chk: _Checker, on_site: set[str] = frozenset(),
                  widest: Mapping[tuple[str, str], str] | None = None) -> tuple[ranges.Input, ...]:
    """This channel's calibrations with their ranges: written beside the value, else the rule's.

    Only literal numbers are calibrations: an expression is computed from assumptions, which have
    ranges of their own; a computed (mac-guess) difficulty likewise. The scale of a step that needs
    presence is no calibration: it reaches one premises (:func:`_check_presence`).
    """
    rules = catalogues.scales().range_rules
    d = src.data
    out: list[ranges.Input] = []

    def add(id_: str, kind: str, value: Any, title: str, path: tuple, own: dict, field: str,
            unit: str | None = None) -> None:
        bound = (widest or {}).get((path[0], d[path[0]][path[1]]["id"])) if kind == "scale" else None
        out.append(ranges.calibration(id_, kind, value, title, rules, own=own, field=field, err=src.error,
                                      path=path, where=f"{src.file}:{src.line(path + ('ranges', field))}",
                                      channel=cid, widest=bound, unit=unit))

    def literal(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    for i, s in enumerate(d["steps"]):
        p = ("steps", i)
        fields = (["difficulty"] if literal(s["difficulty"]) else []) + ["scale"]
        own = ranges.check_own_fields(s.get("ranges"), fields, src.error, p)
        if literal(s["difficulty"]):
            add(ranges.step_difficulty(cid, s["id"]), "difficulty", s["difficulty"],
                f"difficulty of step '{s['id']}'", p, own, "difficulty")
        if s["id"] not in on_site:
            add(ranges.step_scale(cid, s["id"]), "scale", s.get("scale", "national"), f"scale of step '{s['id']}'",
                p, own, "scale")
    for i, c in enumerate(d["controls"]):
        p = ("controls", i)
        hardens = {sid: v for sid, v in c.get("hardens", {}).items() if literal(v)}
        fields = [f"hardens.{sid}" for sid in hardens] + (["cost_gbp"] if literal(c.get("cost_gbp")) else [])
        own = ranges.check_own_fields(c.get("ranges"), fields, src.error, p)
        for sid, v in hardens.items():
            add(ranges.hardening(cid, c["id"], sid), "hardening", v,
                f"hardening of step '{sid}' by control '{c['id']}'", p, own, f"hardens.{sid}")
        if literal(c.get("cost_gbp")) and c["status"] == "candidate":
            add(ranges.control_cost(cid, c["id"]), "cost", c["cost_gbp"], f"cost of candidate control '{c['id']}'",
                p, own, "cost_gbp")
    for i, g in enumerate(d["goals"]):
        p = ("goals", i)
        measures = [m for m in ("hours", "gbp") if literal(g.get(m))]
        own = ranges.check_own_fields(g.get("ranges"), measures + ["scale"], src.error, p)
        add(ranges.goal_scale(cid, g["id"]), "scale", g["scale"], f"scale of goal '{g['id']}'", p, own, "scale")
        for m in measures:
            add(ranges.goal_measure(cid, g["id"], m), "measure", g[m],
                f"{'hours off supply' if m == 'hours' else 'GBP'} per premises of goal '{g['id']}'", p, own, m,
                "hours" if m == "hours" else "GBP")
    return tuple(out)
WITHHOLD_RULE = "withhold"


def _check_withheld_commands(src: Sourced, steps: list[Step], goals: list[Goal]) -> None:
    """A goal reached by withholding names the commands whose absence does the harm.

    Why: a harm counts against a command only where the channel carries a command that enables it
    (a withheld non-disconnect period is no harm of a top-up-only relay). A withholding goal
    without ``commands`` would count against every command the channel carries, and the command x
    channel matrix would then disagree with the channel's verdict.
    """
    by_id = {s.id: s for s in steps}
    for i, g in enumerate(goals):
        seen: set[str] = set()
        todo = sorted(g.requires.steps())
        while todo:
            sid = todo.pop()
            if sid in seen:
                continue
            seen.add(sid)
            s = by_id[sid]
            if s.rule.id == WITHHOLD_RULE and not g.commands:
                raise src.error(f"goal reached by withholding (step '{sid}') must list the withheld commands "
                                "in 'commands'", ("goals", i))
            todo.extend(sorted(s.requires.steps()) if s.requires else [])


def _check_acyclic(src: Sourced, steps: list[Step]) -> None:
    deps = {s.id: (s.requires.steps() if s.requires else set()) for s in steps}
    state: dict[str, int] = {}

    def visit(sid: str, trail: list[str]) -> None:
        if state.get(sid) == 2:
            return
        if state.get(sid) == 1:
            i = [s.id for s in steps].index(sid)
            raise src.error(f"steps form a cycle: {' -> '.join(trail + [sid])}", ("steps", i, "requires"))
        state[sid] = 1
        for dep in sorted(deps[sid]):
            visit(dep, trail + [sid])
        state[sid] = 2

    for s in steps:
        visit(s.id, [])


def load_file(path: Path, label: str | None = None) -> Channel:
    """Load one model file (any path; the id must match the file name)."""
    src = read_yaml(path, label or _label(path))
    return _parse_cached(src, path.stem)


@lru_cache(maxsize=64)
def _parse_cached(src: Sourced, stem: str) -> Channel:
    return parse_channel(src, stem)


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(CHANNEL_DIR.parent.parent))
    except ValueError:
        return str(path)


def channel_ids(directory: Path | None = None) -> tuple[str, ...]:
    """The channels in ``directory`` (default: the packaged models), sorted by id.

    The registry is the directory: every ``*.yaml`` file in it is one channel, named by its file
    stem, except the threat-rule catalogue (``rules.yaml``) that sits beside the packaged models.
    Adding a file adds a channel to ``risk``, ``graph``, ``prove``, ``fuzz`` and ``assess``; no list of
    ids is kept anywhere else.
    """
    d = Path(directory) if directory is not None else CHANNEL_DIR
    if not d.is_dir():
        raise ModelError("expected a directory of channel model files (*.yaml)", where=str(d))
    ids = sorted(p.stem for p in d.glob("*.yaml") if p.name != catalogues.RULES_FILE and p.is_file())
    for cid in ids:  # a file name is a channel id: it reaches reports, SARIF and terminals
        check_channel_id(cid, f"{printable(d, 200)}/{printable(cid, 80)}.yaml")
    return tuple(ids)


def load_channels(ids: Iterable[str] | None = None, directory: Path | None = None) -> dict[str, Channel]:
    """Load the named channels (default: every channel in the directory, sorted), in the order given.

    An id with no file in the directory is a one-line error listing the ids that are there.
    """
    d = Path(directory) if directory is not None else CHANNEL_DIR
    known = channel_ids(d)
    wanted = list(ids) if ids is not None else list(known)
    if not known:
        raise ModelError("expected channel model files (*.yaml)", where=str(d))
    out: dict[str, Channel] = {}
    for cid in wanted:
        check_channel_id(cid, f"channel '{printable(cid, 80)}'")
        if cid not in known:
            raise ModelError(f"unknown channel; expected one of {', '.join(known)}", where=f"channel '{cid}'")
        out[cid] = load_file(d / f"{cid}.yaml")
    return out
