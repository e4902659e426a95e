"""Every input of a verdict, with its plausible range and the range's source.

A verdict is only as good as the numbers under it. Each assumption (``model/data/assumptions.yaml``)
and each calibration (a step's difficulty or scale, a control's hardening or cost, a goal's scale
and hours or GBP, an attacker's capability, an impact value or band edge, an exposure band edge)
declares the range a reviewer should consider plausible and where that range comes from:
seed-backed figures carry the seeds' range, the model authors' own numbers are marked
*calibration*. The robustness analysis (``model/robustness``) sweeps exactly these ranges.

A calibration takes the range of its rule in ``model/data/risk.yaml`` (``calibration_ranges``)
unless the record declares its own beside the value: ``ranges: {difficulty: [2, 4], source: ...}``.
Each input has a stable id usable with ``--assume``: an assumption's dotted key, or
``calibration.<...>`` for a calibration (see :func:`calibration_ids`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from nowan.model.errors import AssumptionError
from nowan.model.values import NumberSpec, check_number

SCALES = ("premises", "fleet", "national")
#: Input types: numbers (int, float, seconds may be inf) are swept over [lo, hi]; the others are
#: discrete and every value is tried.
NUMERIC = ("int", "float", "seconds")
#: Channel ids that would make a calibration id ambiguous with a global one.
RESERVED = ("attacker", "impact", "exposure", "forged")


@dataclass(frozen=True)
class Range:
    """A plausible range: ``[lo, hi]`` for a number, or the list of ``values`` for a discrete input."""

    lo: Any = None
    hi: Any = None
    values: tuple[Any, ...] = ()
    source: str = ""
    calibration: bool = False
    where: str = ""            # file:line where the range (or its rule) is written

    @property
    def discrete(self) -> bool:
        return bool(self.values)

    def contains(self, value: Any) -> bool:
        if self.values:
            return value in self.values
        return self.lo <= value <= self.hi

    def text(self) -> str:
        if self.values:
            return " | ".join(text(v) for v in self.values)
        return f"{text(self.lo)} .. {text(self.hi)}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = ({"values": [json_value(v) for v in self.values]} if self.values
                               else {"lo": json_value(self.lo), "hi": json_value(self.hi)})
        out.update({"source": self.source, "calibration": self.calibration, "where": self.where})
        return out


@dataclass(frozen=True)
class Input:
    """One input of a verdict: its ``--assume`` id, type, value as written, range and meaning."""

    id: str
    kind: str                  # 'assumption' | 'calibration'
    type: str                  # int | float | seconds | bool | choice | scale
    default: Any
    range: Range
    title: str
    channel: str | None = None  # the channel a calibration belongs to; None: every channel
    bounds: tuple[float, float] = (0.0, math.inf)  # what an override may be at all (not the range)
    affects_verdict: bool = True   # costs only rank candidate controls
    unit: str = ""             # what the number counts, for the report's sentences ("share": a fraction shown in %)

    def parse(self, raw: Any) -> Any:
        """Convert an ``--assume`` value to this input's type, checked against its hard bounds."""
        where = f"--assume {self.id}"
        text = str(raw).strip()
        if self.type == "scale":
            if text not in SCALES:
                raise AssumptionError(f"expected one of {', '.join(SCALES)}, got {text!r}", where=where)
            return text
        try:
            value: float = float(text) if not isinstance(raw, (int, float)) else raw
        except ValueError:
            raise AssumptionError(f"expected a number, got {text!r}", where=where) from None
        lo, hi = self.bounds
        spec = NumberSpec(minimum=lo, maximum=None if math.isinf(hi) else hi, integer=self.type == "int")
        problem = check_number(value, spec)
        if problem:
            raise AssumptionError(problem, where=where)
        if self.type == "int":
            value = int(value)
        return value


def text(v: Any) -> str:
    """A value as a reviewer types it after --assume (``inf``, ``true``, ``0.007``)."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return "inf" if math.isinf(v) else f"{v:g}"
    return str(v)


def json_value(v: Any) -> Any:
    """A value for JSON, which has no infinity."""
    return "inf" if isinstance(v, float) and math.isinf(v) else v


# ---------------------------------------------------------------------------------------------
# Calibration ids: one scheme, used by the loader, the engine and the command line alike.

def step_difficulty(channel: str, step: str) -> str:
    return f"calibration.{channel}.step.{step}.difficulty"


def step_scale(channel: str, step: str) -> str:
    return f"calibration.{channel}.step.{step}.scale"


def goal_scale(channel: str, goal: str) -> str:
    return f"calibration.{channel}.goal.{goal}.scale"


def goal_measure(channel: str, goal: str, measure: str) -> str:
    return f"calibration.{channel}.goal.{goal}.{measure}"


def hardening(channel: str, control: str, step: str) -> str:
    return f"calibration.{channel}.control.{control}.hardens.{step}"


def control_cost(channel: str, control: str) -> str:
    return f"calibration.{channel}.control.{control}.cost_gbp"


def capability(attacker: str) -> str:
    return f"calibration.attacker.{attacker}.capability"


def attempts_a_year(attacker: str) -> str:
    """Premises one attacker of this profile reaches a year with an attack that needs presence."""
    return f"calibration.attacker.{attacker}.attempts_a_year"


def attacker_count(attacker: str) -> str:
    """How many attackers of this profile repeat an attack that needs presence, across GB."""
    return f"calibration.attacker.{attacker}.count"


def impact_value(kind: str, scale: str) -> str:
    return f"calibration.impact.{kind}.{scale}"


def impact_uplift(kind: str) -> str:
    """The impact added when vulnerable customers are affected (risk.yaml ``vulnerable_add``)."""
    return f"calibration.impact.{kind}.vulnerable_add"


def impact_band(kind: str, index: int) -> str:
    return f"calibration.impact.{kind}.bands.{index}"


FLEET_SHARE = "calibration.impact.fleet_share"


def exposure_band(index: int) -> str:
    return f"calibration.exposure.{index}"


def forged_band(index: int) -> str:
    """An edge of the MAC-guessing likelihood bands (expected forged codes a year, risk.yaml)."""
    return f"calibration.forged.{index}"


# ---------------------------------------------------------------------------------------------
# Declaring and checking ranges.

Raise = Callable[[str, tuple], Exception]   # (message, field path) -> a file:line error


def declared(raw: Any, value: Any, type_: str, source: Any, *, err: Raise, path: tuple, where: str,
             calibration: bool, choices: Sequence[Any] = ()) -> Range:
    """A range written beside a value: checked (well formed, lo <= hi, value inside, source given)."""
    if not isinstance(source, str) or not source.strip():
        raise err("missing the range's source; expected text saying where the range comes from", path)
    if not isinstance(raw, list) or len(raw) < 2:
        raise err("expected a range [lo, hi] (or the list of values of a discrete input)", path)
    if type_ in NUMERIC:
        if len(raw) != 2:
            raise err("expected a range [lo, hi]", path)
        lo, hi = (_number(x, type_, err, path) for x in raw)
        if lo > hi:
            raise err(f"range lower bound {text(lo)} is above its upper bound {text(hi)}", path)
        if not lo <= value <= hi:
            raise err(f"value {text(value)} lies outside its range {text(lo)} .. {text(hi)}", path)
        return Range(lo=lo, hi=hi, source=source.strip(), calibration=calibration, where=where)
    allowed = tuple(choices) or (SCALES if type_ == "scale" else (False, True) if type_ == "bool" else ())
    bad = [x for x in raw if x not in allowed]
    if bad:
        raise err(f"range value {bad[0]!r} is not one of {', '.join(text(a) for a in allowed)}", path)
    if value not in raw:
        raise err(f"value {text(value)} lies outside its range {', '.join(text(x) for x in raw)}", path)
    ordered = tuple(a for a in allowed if a in raw)
    return Range(values=ordered, source=source.strip(), calibration=calibration, where=where)


def _number(x: Any, type_: str, err: Raise, path: tuple) -> Any:
    if isinstance(x, str) and x.strip().lower() == "inf" and type_ == "seconds":
        return math.inf
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise err(f"range bound {x!r} is not a number", path)
    if isinstance(x, float) and not math.isfinite(x) and not (type_ == "seconds" and x == math.inf):
        raise err(f"range bound {x!r} is not a finite number", path)
    if type_ == "int" and x != int(x):
        raise err(f"range bound {x!r} is not a whole number", path)
    return int(x) if type_ == "int" else x


@dataclass(frozen=True)
class Rule:
    """How a kind of calibration gets its range when none is written beside the value."""

    name: str
    source: str
    where: str
    spread: float | None = None       # value +- spread (ordinal: that many scales either side)
    factor: float | None = None       # value / factor .. value x factor
    within: tuple[float, float] | None = None
    upward: bool = True               # False: a scale's range stops at the declared value (its widest)

    def range_of(self, value: Any, type_: str) -> Range:
        if type_ == "scale":
            i, k = SCALES.index(value), int(self.spread or 0)
            vals = SCALES[max(0, i - k): (i + k if self.upward else i) + 1]
            return Range(values=vals, source=self.source, calibration=True, where=self.where)
        if self.factor is not None:
            lo, hi = value / self.factor, value * self.factor
        else:
            lo, hi = value - (self.spread or 0), value + (self.spread or 0)
        if self.within is not None:
            lo, hi = max(lo, self.within[0]), min(hi, self.within[1])
        if type_ == "int":
            lo, hi = int(math.ceil(lo)), int(math.floor(hi))
        return Range(lo=lo, hi=hi, source=self.source, calibration=True, where=self.where)


#: Calibration kinds a rule must exist for in risk.yaml, with the type and hard bounds of the values.
RULE_KINDS: dict[str, tuple[str, tuple[float, float]]] = {
    "difficulty": ("int", (1, 5)),
    "hardening": ("int", (0, math.inf)),
    "capability": ("int", (1, 5)),
    "impact": ("int", (1, 5)),
    "scale": ("scale", (0, 0)),
    "band": ("float", (0, math.inf)),
    "measure": ("float", (0, math.inf)),
    "cost": ("float", (0, math.inf)),
    "repetition": ("float", (0, math.inf)),
}


def parse_rules(data: Mapping[str, Any], err: Raise, line: Callable[[tuple], int | None], file: str) -> dict[str, Rule]:
    """The ``calibration_ranges`` table of risk.yaml, checked (every kind present, a source each)."""
    out: dict[str, Rule] = {}
    for kind in RULE_KINDS:
        spec = data.get(kind)
        p = ("calibration_ranges", kind)
        if not isinstance(spec, dict):
            raise err(f"missing the range rule for '{kind}' calibrations", p)
        src = spec.get("source")
        if not isinstance(src, str) or not src.strip():
            raise err("missing the rule's source", p + ("source",))
        if ("spread" in spec) == ("factor" in spec):
            raise err("expected exactly one of 'spread' (value +- spread) or 'factor' (value / f .. x f)", p)
        within = spec.get("within")
        if within is not None and (not isinstance(within, list) or len(within) != 2 or within[0] > within[1]):
            raise err("expected within: [lo, hi] with lo <= hi", p + ("within",))
        factor = spec.get("factor")
        if factor is not None and (not isinstance(factor, (int, float)) or factor < 1):
            raise err("expected a factor of at least 1", p + ("factor",))
        upward = spec.get("upward", True)
        if not isinstance(upward, bool) or (not upward and RULE_KINDS[kind][0] != "scale"):
            raise err("expected upward: true or false, on the scale rule only", p + ("upward",))
        out[kind] = Rule(kind, src.strip(), f"{file}:{line(p)}", spread=spec.get("spread"), factor=factor,
                         within=tuple(within) if within else None, upward=upward)
    return out


#: The unit of a calibration kind's values where the kind fixes it (a scale's values are words).
KIND_UNITS = {"difficulty": "on the 1-5 scale", "capability": "on the 1-5 scale", "impact": "on the 1-5 scale",
              "hardening": "points of difficulty", "cost": "GBP"}


def calibration(id_: str, kind: str, value: Any, title: str, rules: Mapping[str, Rule], *,
                own: Mapping[str, Any] | None, field: str, err: Raise, path: tuple, where: str,
                channel: str | None = None, widest: str | None = None, unit: str | None = None) -> Input:
    """A calibration input: the range written beside it (``own``: the record's ``ranges``), else its rule's.

    ``widest`` bounds a scale by the structure (the widest reach of the attackers who get to the
    step or goal): a declared range beyond it is an error at the range, the rule's range is cut there.
    """
    type_, bounds = RULE_KINDS[kind]
    if type_ == "int" and value != int(value):
        type_ = "float"
    if own and field in own:
        rng = declared(own[field], value, type_, own.get("source"), err=err, path=path + ("ranges", field),
                       where=where, calibration=True)
        beyond = [v for v in rng.values if widest is not None and SCALES.index(v) > SCALES.index(widest)]
        if beyond:
            raise err(f"range reaches '{beyond[-1]}', wider than '{widest}', the widest reach of the attackers "
                      "who get here (attackers.ID.reach in model/data/risk.yaml)", path + ("ranges", field))
    elif type_ == "scale" and widest is not None:
        rng = rules[kind].range_of(value, type_)
        rng = Range(values=tuple(v for v in rng.values if SCALES.index(v) <= SCALES.index(widest)),
                    source=rng.source, calibration=True, where=rng.where)
    else:
        rng = rules[kind].range_of(value, type_)
        if not rng.contains(value):   # a rule's clip ('within') must not exclude the value itself
            rng = Range(lo=min(rng.lo, value), hi=max(rng.hi, value), source=rng.source, calibration=True,
                        where=rng.where)
    return Input(id=id_, kind="calibration", type=type_, default=value, range=rng, title=title, channel=channel,
                 bounds=bounds, affects_verdict=kind != "cost", unit=KIND_UNITS.get(kind, "") if unit is None else unit)


def check_own_fields(own: Any, allowed: Sequence[str], err: Raise, path: tuple) -> dict[str, Any]:
    """A record's ``ranges`` mapping names only its calibratable fields (plus ``source``)."""
    if own is None:
        return {}
    if not isinstance(own, dict):
        raise err("expected ranges: {FIELD: [lo, hi], source: TEXT}", path + ("ranges",))
    for k in own:
        if k != "source" and k not in allowed:
            raise err(f"no calibration '{k}' here; expected one of {', '.join(allowed) or '(none)'}",
                      path + ("ranges", k))
    return dict(own)
