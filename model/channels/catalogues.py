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

from nowan.model.channels.source import Sourced, read_yaml
from nowan.model.channels.types import SCALES, Origin, Rule

_KNOWN_MODELS = {"mac-guess"}


def _data_path(name: str) -> Path:
    return Path(str(resources.files("nowan.model").joinpath(name)))


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    """Threat rules by id, from ``model/channels/rules.yaml``."""
    src = read_yaml(_data_path("channels/rules.yaml"), "model/channels/rules.yaml")
    out: dict[str, Rule] = {}
    for rid, spec in src.data.items():
        for key in ("title", "stride", "mitigation", "false_positive"):
            if key not in spec:
                raise src.error(f"missing '{key}'", (rid, key))
        model = spec.get("difficulty_model")
        if model is not None and model not in _KNOWN_MODELS:
            raise src.error(f"unknown difficulty model; expected one of {sorted(_KNOWN_MODELS)}",
                            (rid, "difficulty_model"))
        out[rid] = Rule(id=rid, title=spec["title"], stride=tuple(spec["stride"]), cwe=spec.get("cwe"),
                        mitigation=spec["mitigation"], false_positive=spec["false_positive"],
                        difficulty_model=model)
    return out


@dataclass(frozen=True)
class Scales:
    """Risk method tables from ``model/data/risk.yaml``, with the line of each table for traces."""

    levels: tuple[str, ...]
    appetite: str
    margin: tuple[tuple[float, int], ...]
    exposure: tuple[tuple[float, int], ...]
    bruteforce: tuple[tuple[float, int], ...]
    fleet_share: float
    impact_kinds: dict[str, dict[str, Any]]
    matrix: dict[int, tuple[str, ...]]
    attackers: dict[str, dict[str, Any]]
    likelihood_names: dict[int, str]
    impact_names: dict[int, str]
    src: Sourced

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
        return Scales(
            levels=levels, appetite=d["appetite"],
            margin=tuple((float(r["at_least"]), int(r["likelihood"])) for r in d["likelihood"]["margin"]),
            exposure=tuple((float(r["below"]), int(r["adjust"])) for r in d["likelihood"]["exposure"]),
            bruteforce=tuple((float(r["up_to"]), int(r["difficulty"])) for r in d["bruteforce_difficulty"]),
            fleet_share=float(d["impact"]["fleet_share"]), impact_kinds=d["impact"]["kinds"], matrix=matrix,
            attackers=d["attackers"], likelihood_names={int(k): v for k, v in d["likelihood"]["names"].items()},
            impact_names={int(k): v for k, v in d["impact"]["names"].items()}, src=src)
    except (KeyError, TypeError, ValueError) as exc:
        raise src.error(f"malformed risk tables ({exc})") from None


@lru_cache(maxsize=1)
def commands() -> dict[str, dict[str, Any]]:
    """MP094 commands by id (``model/data/mp094_commands.yaml``): criticality, effect, price_or_supply."""
    src = read_yaml(_data_path("data/mp094_commands.yaml"), "model/data/mp094_commands.yaml")
    return dict(src.data)


def first_match_upper(table: tuple[tuple[float, int], ...], value: float) -> int:
    """First row whose upper bound is >= value (tables ordered by bound)."""
    for bound, out in table:
        if value <= bound:
            return out
    return table[-1][1]


def margin_likelihood(table: tuple[tuple[float, int], ...], margin: float) -> int:
    """Likelihood for a capability-minus-difficulty margin (rows ordered high to low)."""
    if math.isinf(margin) and margin < 0:
        return 0
    for at_least, lk in table:
        if margin >= at_least:
            return lk
    return table[-1][1]
