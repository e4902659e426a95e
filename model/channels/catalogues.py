"""The shared catalogues a channel model refers to: threat rules, risk scales, MP094 commands.

They are data files (``rules.yaml`` here, ``model/data/risk.yaml``, ``model/data/mp094_commands.yaml``)
so a working group can re-band the method without touching code; this module loads and checks them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from nowan.model import ranges
from nowan.model.channels.source import Sourced, read_yaml
from nowan.model.channels.types import SCALES, Origin, Rule

_KNOWN_MODELS = {"mac-guess"}


def _data_path(name: str) -> Path:
    return Path(str(resources.files("nowan.model").joinpath(name)))


#: The threat-rule catalogue's file name: it sits beside the packaged channel models, and is the one
#: YAML file there that is not a channel.
RULES_FILE = "rules.yaml"


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    """Threat rules by id, from ``model/channels/rules.yaml``."""
    src = read_yaml(_data_path(f"channels/{RULES_FILE}"), f"model/channels/{RULES_FILE}")
    out: dict[str, Rule] = {}
    for rid, spec in src.data.items():
        for key in ("title", "stride", "mitigation", "false_positive"):
            if key not in spec:
                raise src.error(f"missing '{key}'", (rid, key))
        model = spec.get("difficulty_model")
        if model is not None and model not in _KNOWN_MODELS:
            raise src.error(f"unknown difficulty model; expected one of {sorted(_KNOWN_MODELS)}",
                            (rid, "difficulty_model"))
        evidence = spec.get("evidence", {})
        if not isinstance(evidence, dict) or set(evidence) - {"proofs", "invariants"}:
            raise src.error("expected 'evidence' with 'proofs' and 'invariants' lists", (rid, "evidence"))
        for key in ("proofs", "invariants"):
            ids = evidence.get(key, [])
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise src.error("expected a list of ids", (rid, "evidence", key))
        out[rid] = Rule(id=rid, title=spec["title"], stride=tuple(spec["stride"]), cwe=spec.get("cwe"),
                        mitigation=spec["mitigation"], false_positive=spec["false_positive"],
                        difficulty_model=model, proofs=tuple(evidence.get("proofs", ())),
                        invariants=tuple(evidence.get("invariants", ())))
    return out


@dataclass(frozen=True)
class Scales:
    """Risk method tables from ``model/data/risk.yaml``, with the line of each table for traces."""

    levels: tuple[str, ...]
    appetite: str
    margin: tuple[tuple[float, int], ...]
    exposure: tuple[tuple[float, int], ...]
    forged: tuple[tuple[float, int], ...]   # (below, likelihood): expected forged codes a year
    fleet_share: float
    impact_kinds: dict[str, dict[str, Any]]
    matrix: dict[int, tuple[str, ...]]
    attackers: dict[str, dict[str, Any]]
    likelihood_names: dict[int, str]
    impact_names: dict[int, str]
    src: Sourced
    range_rules: dict[str, ranges.Rule]
    inputs: tuple[ranges.Input, ...]      # the global calibrations, each with its range

    def origin(self, *path: Any) -> Origin:
        return Origin(self.src.file, self.src.line(path))

    def rank(self, level: str) -> int:
        return self.levels.index(level)

    def level(self, likelihood: int, impact: int) -> str:
        return self.matrix[likelihood][impact - 1]


def _check_matrix(src: Sourced, levels: tuple[str, ...], matrix: dict[int, tuple[str, ...]]) -> None:
    """The engine's monotonicity (a control never raises risk) needs a monotone matrix."""
    for lk in range(1, 6):
        row = matrix.get(lk)
        if row is None or len(row) != 5 or any(v not in levels for v in row):
            raise src.error(f"expected 5 levels from {list(levels)}", ("matrix", lk))
        for im in range(5):
            if im and levels.index(row[im]) < levels.index(row[im - 1]):
                raise src.error("matrix must not decrease with impact", ("matrix", lk))
            if lk > 1 and levels.index(row[im]) < levels.index(matrix[lk - 1][im]):
                raise src.error("matrix must not decrease with likelihood", ("matrix", lk))


@lru_cache(maxsize=1)
def scales() -> Scales:
    """The risk method tables (cached; edit ``model/data/risk.yaml`` to re-band)."""
    src = read_yaml(_data_path("data/risk.yaml"), "model/data/risk.yaml")
    d = src.data
    try:
        levels = tuple(d["levels"])
        matrix = {int(k): tuple(v) for k, v in d["matrix"].items()}
        _check_matrix(src, levels, matrix)
        if d["appetite"] not in levels:
            raise src.error(f"expected one of {list(levels)}", ("appetite",))
        if tuple(d["scales"]) != SCALES:
            raise src.error(f"expected {list(SCALES)}", ("scales",))
        for name, spec in d["attackers"].items():
            if not isinstance(spec.get("capability"), (int, float)):
                raise src.error("expected a numeric capability", ("attackers", name, "capability"))
            if spec.get("reach") not in SCALES:
                raise src.error(f"expected the widest scale this attacker reaches, one of {list(SCALES)}",
                                ("attackers", name, "reach"))
            _check_presence_figures(src, name, spec.get("presence"))
        rules = ranges.parse_rules(d.get("calibration_ranges") or {}, src.error, src.line, src.file)
        return Scales(
            levels=levels, appetite=d["appetite"],
            margin=tuple((float(r["at_least"]), int(r["likelihood"])) for r in d["likelihood"]["margin"]),
            exposure=tuple((float(r["below"]), int(r["adjust"])) for r in d["likelihood"]["exposure"]),
            forged=_forged_table(src, d["likelihood"]["forged_codes"]),
            fleet_share=float(d["impact"]["fleet_share"]), impact_kinds=d["impact"]["kinds"], matrix=matrix,
            attackers=d["attackers"], likelihood_names={int(k): v for k, v in d["likelihood"]["names"].items()},
            impact_names={int(k): v for k, v in d["impact"]["names"].items()}, src=src,
            range_rules=rules, inputs=_global_inputs(src, rules))
    except (KeyError, TypeError, ValueError) as exc:
        raise src.error(f"malformed risk tables ({exc})") from None


#: The figures of an attacker profile's ``presence``: how it repeats an attack needing presence.
PRESENCE_FIGURES = ("attempts_a_year", "count")


def _check_presence_figures(src: Sourced, name: str, spec: Any) -> None:
    """An attacker's ``presence`` gives both figures as non-negative numbers, and says why."""
    if spec is None:
        return
    p = ("attackers", name, "presence")
    if not isinstance(spec, dict):
        raise src.error(f"expected presence: {{{', '.join(f'{k}: N' for k in PRESENCE_FIGURES)}, source: TEXT}}", p)
    for key in PRESENCE_FIGURES:
        v = spec.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < math.inf:
            raise src.error("expected a non-negative number", p + (key,))
    if not isinstance(spec.get("source"), str) or not spec["source"].strip():
        raise src.error("missing the figures' source; expected text saying where they come from", p + ("source",))
    extra = sorted(set(spec) - {*PRESENCE_FIGURES, "source", "ranges"})
    if extra:
        raise src.error(f"unknown field; expected one of {[*PRESENCE_FIGURES, 'source', 'ranges']}", p + (extra[0],))


def _global_inputs(src: Sourced, rules: dict[str, ranges.Rule]) -> tuple[ranges.Input, ...]:
    """Calibrations of the method tables every channel shares: capabilities, impacts, bands."""
    d = src.data
    out: list[ranges.Input] = []

    def add(id_: str, kind: str, value: Any, title: str, path: tuple, own: Any, field: str,
            allowed: list[str], unit: str | None = None) -> None:
        own_ = ranges.check_own_fields(own, allowed, src.error, path)
        out.append(ranges.calibration(id_, kind, value, title, rules, own=own_, field=field, err=src.error,
                                      path=path, where=f"{src.file}:{src.line(path + (field,))}", unit=unit))

    for name, spec in d["attackers"].items():
        p = ("attackers", name)
        add(ranges.capability(name), "capability", spec["capability"], f"capability of attacker '{name}'", p,
            spec.get("ranges"), "capability", ["capability"])
        pres = spec.get("presence")
        if pres is not None:
            pp = p + ("presence",)
            add(ranges.attempts_a_year(name), "repetition", pres["attempts_a_year"],
                f"number of premises one '{name}' attacker reaches a year with an attack needing presence", pp,
                pres.get("ranges"), "attempts_a_year", list(PRESENCE_FIGURES), "")
            add(ranges.attacker_count(name), "repetition", pres["count"],
                f"number of '{name}' attackers repeating an attack needing presence across GB", pp,
                pres.get("ranges"), "count", list(PRESENCE_FIGURES), "")
    imp = d["impact"]
    add(ranges.FLEET_SHARE, "measure", imp["fleet_share"], "one Supplier's share of the exposed premises",
        ("impact",), imp.get("ranges"), "fleet_share", ["fleet_share"], "share")
    for kind, spec in imp["kinds"].items():
        p = ("impact", "kinds", kind)
        allowed = [f"by_scale.{s}" for s in spec.get("by_scale", {})] + \
            [f"bands.{i}" for i in range(len(spec.get("bands", [])))] + \
            (["vulnerable_add"] if "vulnerable_add" in spec else [])
        for scale, value in spec.get("by_scale", {}).items():
            add(ranges.impact_value(kind, scale), "impact", value, f"impact of {article(kind)} '{kind}' goal at {scale} scale",
                p, spec.get("ranges"), f"by_scale.{scale}", allowed)
        for i, edge in enumerate(spec.get("bands", [])):
            add(ranges.impact_band(kind, i), "band", edge,
                f"upper edge of impact {i + 1} for '{kind}' ({spec.get('measure')})", p, spec.get("ranges"),
                f"bands.{i}", allowed, "")
        if "vulnerable_add" in spec:   # an impact uplift: bounded below by 0, so hardening's type and bounds
            add(ranges.impact_uplift(kind), "hardening", spec["vulnerable_add"],
                f"impact added to {article(kind)} '{kind}' goal that affects vulnerable customers", p, spec.get("ranges"),
                "vulnerable_add", allowed, "on the 1-5 scale")
    lk = d["likelihood"]
    edges = [r["below"] for r in lk["exposure"] if not math.isinf(float(r["below"]))]
    forged = [r["below"] for r in lk["forged_codes"] if not math.isinf(float(r["below"]))]
    own = [f"exposure.{j}" for j in range(len(edges))] + [f"forged_codes.{j}" for j in range(len(forged))]
    for i, edge in enumerate(edges):
        add(ranges.exposure_band(i), "band", edge, f"exposure band edge {i + 1} (premises-years)",
            ("likelihood",), lk.get("ranges"), f"exposure.{i}", own, "premises-years")
    for i, edge in enumerate(forged):
        add(ranges.forged_band(i), "band", edge,
            f"upper edge of likelihood {i + 1} for MAC guessing (expected forged codes a year)",
            ("likelihood",), lk.get("ranges"), f"forged_codes.{i}", own, "forged codes a year")
    return tuple(out)


def _forged_table(src: Sourced, rows: Any) -> tuple[tuple[float, int], ...]:
    """The ``forged_codes`` likelihood bands, checked: edges rising, likelihoods 1-5 rising, the last
    open-ended (a band table that fell or stopped short would make MAC guessing non-monotone)."""
    table = tuple((float(r["below"]), int(r["likelihood"])) for r in rows)
    for i, (edge, lk) in enumerate(table):
        if not 1 <= lk <= 5:
            raise src.error("expected a likelihood from 1 to 5", ("likelihood", "forged_codes", i, "likelihood"))
        if i and (edge <= table[i - 1][0] or lk < table[i - 1][1]):
            raise src.error("expected edges and likelihoods rising row by row", ("likelihood", "forged_codes", i))
    if not table or not math.isinf(table[-1][0]):
        raise src.error("expected a last row 'below: .inf'", ("likelihood", "forged_codes"))
    return table


@lru_cache(maxsize=1)
def commands() -> dict[str, dict[str, Any]]:
    """MP094 commands by id (``model/data/mp094_commands.yaml``): criticality, effect, price_or_supply."""
    src = read_yaml(_data_path("data/mp094_commands.yaml"), "model/data/mp094_commands.yaml")
    return dict(src.data)


def band_below(table: tuple[tuple[float, int], ...], value: float) -> int:
    """The value of the first row whose edge is above ``value`` (tables ordered by edge)."""
    return next((out for edge, out in table if value < edge), table[-1][1])


def margin_likelihood(table: tuple[tuple[float, int], ...], margin: float) -> int:
    """Likelihood for a capability-minus-difficulty margin (rows ordered high to low)."""
    if math.isinf(margin) and margin < 0:
        return 0
    for at_least, lk in table:
        if margin >= at_least:
            return lk
    return table[-1][1]


def article(word: str) -> str:
    """The indefinite article for a word in a title ("an 'off-supply' goal", "a 'dos' goal"); the
    reports use it for the same sentences about attackers ("an organised fraud group")."""
    return "an" if word[:1].lower() in "aeiou" else "a"
