"""Modelling assumptions as data: dotted keys, typed values, labels and sources.

The public record is silent on several numbers that decide verdicts (cache size, lockout
thresholds, credit limits, the no-WAN population). Each is a parameter here, loaded from
``model/data/assumptions.yaml``, overridable with ``--assume KEY=VALUE``, and carried into every
report with its label (A-LOCKOUT, ...) and source so that a reviewer can see what a verdict rests on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Iterator, Mapping


from nowan.model.errors import AssumptionError
from nowan.model.values import NumberSpec, check_number
from nowan.model.ranges import Input, Range, declared

#: Prefix of the ids of calibrations (model numbers, not assumptions) overridable with --assume.
CALIBRATION = "calibration."


@dataclass(frozen=True)
class Reported:
    """A figure a source reports for an assumption, in percent, or a span of them ("2% to 3%"): the
    no-WAN shares the seeds give (domain.md 11.2). A verdict that flips inside the assumption's range
    is compared with them, so the committee sees which reported figures put it on the other side."""

    lo: float
    hi: float
    what: str
    source: str

    def text(self) -> str:
        return f"{self.lo:g}%" if self.lo == self.hi else f"{self.lo:g}-{self.hi:g}%"

    def to_dict(self) -> dict[str, Any]:
        return {"percent": [self.lo, self.hi], "text": self.text(), "what": self.what, "source": self.source}


@dataclass(frozen=True)
class Assumption:
    """One modelling assumption: its key, typed default, label and where it comes from."""

    key: str
    default: Any
    type: str
    label: str
    source: str
    description: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    range: Range | None = None   # the plausible range and its source (model/ranges.py)
    reported: tuple[Reported, ...] = ()   # figures the sources report, each inside the range
    unit: str = ""               # what the value counts ("share": a fraction, shown in percent)

    def parse(self, text: str | Any) -> Any:
        """Convert a command-line string (or a YAML value) to this assumption's type."""
        if not isinstance(text, str):
            return self._check(self._coerce_value(text))
        raw = text.strip()
        try:
            if not raw.isascii() or len(raw) > 64:
                raise ValueError(raw)
            if self.type == "int":
                value: Any = int(raw, 0)
            elif self.type == "float":
                value = float(raw)
            elif self.type == "seconds":
                value = math.inf if raw.lower() in ("inf", "removed", "none") else float(raw)
                if math.isfinite(value) and value == int(value):
                    value = int(value)
            elif self.type == "bool":
                if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(raw)
                value = raw.lower() in ("true", "1", "yes")
            else:
                value = raw
        except ValueError:
            raise AssumptionError(
                f"expected {'an' if self.type == 'int' else 'a'} {self.type} value, got {text!r}", where=f"assumption '{self.key}'"
            ) from None
        return self._check(value)

    def spec(self) -> NumberSpec:
        """The declared type and range of a numeric assumption (minimum 0 unless declared)."""
        return NumberSpec(minimum=0 if self.minimum is None else self.minimum, maximum=self.maximum,
                          allow_inf=self.type == "seconds", integer=self.type == "int")

    def _coerce_value(self, value: Any) -> Any:
        if self.type == "seconds" and isinstance(value, str):
            return self.parse(value)
        if self.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value

    def _check(self, value: Any) -> Any:
        if self.choices and value not in self.choices:
            raise AssumptionError(
                f"expected one of {', '.join(self.choices)}, got {value!r}",
                where=f"assumption '{self.key}'",
            )
        if self.type in ("int", "float", "seconds"):
            problem = check_number(value, self.spec())
            if problem:
                raise AssumptionError(problem, where=f"assumption '{self.key}'")
        elif self.type == "bool" and not isinstance(value, bool):
            raise AssumptionError(f"expected true or false, got {value!r}", where=f"assumption '{self.key}'")
        elif self.type == "str" and not isinstance(value, str):
            raise AssumptionError(f"expected a string, got {value!r}", where=f"assumption '{self.key}'")
        return value


FILE = "model/data/assumptions.yaml"


@lru_cache(maxsize=1)
def catalogue() -> Mapping[str, Assumption]:
    """All known assumptions, keyed by dotted key, in file order, each with its checked range."""
    return parse_catalogue(resources.files("nowan.model").joinpath("data/assumptions.yaml").read_text())


def parse_catalogue(text: str, file: str = FILE) -> dict[str, Assumption]:
    """Parse assumptions YAML text; a bad entry or range is a one-line error naming file:line."""
    from nowan.model.channels.source import parse_yaml

    src = parse_yaml(text, file)
    out: dict[str, Assumption] = {}
    for key, spec in src.data.items():
        a = Assumption(key=key, default=spec["default"], type=spec["type"], label=spec["label"],
                       source=spec["source"], description=spec["description"],
                       choices=tuple(spec.get("choices", ())), minimum=spec.get("min"),
                       maximum=spec.get("max"), unit=str(spec.get("unit") or ""))
        a = Assumption(**{**a.__dict__, "default": a.parse(str(a.default))})
        rng = _range(src, key, spec, a, file)
        out[key] = Assumption(**{**a.__dict__, "range": rng, "reported": _reported(src, key, spec.get("reported"), rng)})
    return out


def _reported(src: Any, key: str, raw: Any, rng: Range) -> tuple[Reported, ...]:
    """The ``reported`` figures of an assumption: ``{percent: N or [lo, hi], what, source}``, each in range."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise src.error("expected a list of {percent, what, source}", (key, "reported"))
    out = []
    for i, r in enumerate(raw):
        path = (key, "reported", i)
        if not isinstance(r, dict) or set(r) != {"percent", "what", "source"}:
            raise src.error("expected a mapping with exactly percent, what, source", path)
        pct = r["percent"] if isinstance(r["percent"], list) else [r["percent"], r["percent"]]
        if len(pct) != 2 or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in pct) or pct[0] > pct[1]:
            raise src.error("expected a percentage or a span [lo, hi] of them", (*path, "percent"))
        if rng.discrete or not (rng.lo <= pct[0] / 100 and pct[1] / 100 <= rng.hi):
            raise src.error(f"{pct[0]:g}-{pct[1]:g}% lies outside the range {rng.text()}", (*path, "percent"))
        for f in ("what", "source"):
            if not isinstance(r[f], str) or not r[f].strip():
                raise src.error("expected a non-empty text", (*path, f))
        out.append(Reported(float(pct[0]), float(pct[1]), " ".join(r["what"].split()), r["source"].strip()))
    return tuple(out)


def _range(src: Any, key: str, spec: Mapping[str, Any], a: Assumption, file: str) -> Range:
    """The assumption's plausible range, declared beside its value (``range``, ``range_source``)."""
    path = (key, "range")
    if "range" not in spec:
        raise src.error("missing the plausible range; expected range: [lo, hi] and range_source", path)
    type_ = "choice" if a.choices else a.type
    raw = spec["range"]
    if type_ == "seconds":
        raw = [math.inf if str(x).lower() == "inf" else x for x in raw] if isinstance(raw, list) else raw
    # an assumption whose range the file marks "calibration" (the model authors' own figures, no seed
    # or public source: presence.attackers) is a calibration too, and the report says so
    marked = str(spec.get("range_source", "")).lstrip().lower().startswith("calibration")
    rng = declared(raw, a.default, type_, spec.get("range_source"), err=src.error, path=path,
                   where=f"{file}:{src.line(path)}", calibration=marked, choices=a.choices)
    if not rng.discrete:
        for bound in (rng.lo, rng.hi):
            try:
                a._check(bound)
            except AssumptionError as exc:
                raise src.error(f"range bound {bound!r}: {exc.message}", path) from None
    return rng


def as_input(a: Assumption) -> Input:
    """An assumption seen as one input of the robustness analysis."""
    type_ = "choice" if a.choices else a.type
    assert a.range is not None
    return Input(id=a.key, kind="assumption", type=type_, default=a.default, range=a.range,
                 title=a.description, bounds=(a.minimum or 0, math.inf if a.maximum is None else a.maximum),
                 unit=a.unit)


class Assumptions(Mapping[str, Any]):
    """An immutable set of assumption values: the defaults plus any overrides."""

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        cat = catalogue()
        values = {k: a.default for k, a in cat.items()}
        self.overridden: dict[str, Any] = {}
        #: ``calibration.<id>`` overrides, as numbers or scale names. Their ids and bounds depend on
        #: the channels loaded: :func:`model.inputs.check_overrides` checks them against those.
        self.calibrations: dict[str, Any] = {}
        for key, raw in (overrides or {}).items():
            if key.startswith(CALIBRATION):
                self.calibrations[key] = _scalar(raw)
                self.overridden[key] = self.calibrations[key]
                continue
            if key not in cat:
                raise AssumptionError(
                    f"unknown assumption; expected one of {', '.join(cat)}", where=f"--assume {key}"
                )
            values[key] = cat[key].parse(raw)
            self.overridden[key] = values[key]
        self._values = values

    @classmethod
    def from_cli(cls, pairs: Iterable[str]) -> "Assumptions":
        """Build from ``KEY=VALUE`` strings as given to ``--assume``."""
        overrides: dict[str, str] = {}
        for pair in pairs:
            if "=" not in pair:
                raise AssumptionError("expected KEY=VALUE", where=f"--assume {pair}")
            key, value = pair.split("=", 1)
            overrides[key.strip()] = value
        return cls(overrides)

    def replace(self, **changes: Any) -> "Assumptions":
        """A copy with some values changed (keys use '__' for '.', or pass a dict via **{...})."""
        merged = {**self.overridden, **{k.replace("__", "."): v for k, v in changes.items()}}
        return Assumptions(merged)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for reports: value, label, source and whether it was overridden."""
        cat = catalogue()
        out = {
            k: {"value": "inf" if v == math.inf else v, "label": cat[k].label,
                "source": cat[k].source, "overridden": k in self.overridden}
            for k, v in self._values.items()
        }
        for k, v in self.calibrations.items():
            out[k] = {"value": "inf" if v == math.inf else v, "label": "calibration", "source": "--assume",
                      "overridden": True}
        return out


def _scalar(raw: Any) -> Any:
    """A calibration override as given: a number where it reads as one, else the text (a scale)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return raw
    text = str(raw).strip()
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
