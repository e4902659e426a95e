"""The modifications the SSC decides on, read from ``model/data/modifications.yaml``.

Why a separate catalogue: the committee decides on modifications (MP094 Option 1, SECMP0037, ...),
while the threat models are per channel. This file maps one to the other and records, with their
seed sources, the positions already taken, so the report can compute a recommendation per
modification and say whether it agrees. Only the mapping and the quotes are data; the
recommendation is computed by the report from the channels' results, never written here.

A mistake in the file is a one-line :class:`ModelError` naming file, line and field.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from nowan.model.catalogue import catalogue_entries, check_fields, one_line_text, read_catalogue
from nowan.model.channels.source import Sourced

STANCES = ("support", "support-with-conditions", "cannot-support", "none")
COMBINE = ("all", "any")
_LABEL = "model/data/modifications.yaml"
_REQUIRED = ("title", "proposal", "source", "channels", "combine", "owner", "positions")
_OPTIONAL = ("reversed_by", "outside", "not_modelled", "note")


@dataclass(frozen=True)
class Position:
    """A position a seed document records on the modification, quoted."""

    who: str
    stance: str
    quote: str
    source: str


@dataclass(frozen=True)
class Modification:
    """One modification and the channels that carry it (see the field list in the YAML file)."""

    id: str
    title: str
    proposal: str
    source: str
    channels: tuple[str, ...]
    combine: str
    owner: str
    positions: tuple[Position, ...]
    reversed_by: tuple[str, ...] = ()
    reversal: str = ""
    outside: str = ""
    not_modelled: str = ""
    note: str = ""
    origin: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "proposal": self.proposal, "source": self.source,
                "channels": list(self.channels), "combine": self.combine, "owner": self.owner,
                "reversed_by": list(self.reversed_by), "reversal": self.reversal, "outside": self.outside,
                "not_modelled": self.not_modelled, "note": self.note, "origin": self.origin,
                "positions": [vars(p) for p in self.positions]}


def _text(src: Sourced, path: tuple[Any, ...], value: Any) -> str:
    return one_line_text(value, error=src.error, path=path)


def _one(src: Sourced, mid: Any, raw: Any, known: frozenset[str] | None) -> Modification:
    if not isinstance(mid, str) or not mid:
        raise src.error("expected a modification id (a string key)", (mid,))
    check_fields(raw, _REQUIRED, _OPTIONAL, error=src.error, path=(mid,))
    channels = raw["channels"]
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise src.error("expected a list of channel ids", (mid, "channels"))
    for i, cid in enumerate(channels):
        if known is not None and cid not in known:
            raise src.error(f"unknown channel {cid!r}; expected one of {', '.join(sorted(known))}",
                            (mid, "channels", i))
    if raw["combine"] not in COMBINE:
        raise src.error(f"expected one of {', '.join(COMBINE)}", (mid, "combine"))
    outside = _text(src, (mid, "outside"), raw["outside"]) if "outside" in raw else ""
    not_modelled = _text(src, (mid, "not_modelled"), raw["not_modelled"]) if "not_modelled" in raw else ""
    if not channels and not (outside or not_modelled):
        raise src.error("no channels: say why with 'outside' or 'not_modelled'", (mid, "channels"))
    reversed_by: tuple[str, ...] = ()
    reversal = ""
    if "reversed_by" in raw:
        rb = raw["reversed_by"]
        if not isinstance(rb, dict) or not isinstance(rb.get("controls"), list) or not rb["controls"]:
            raise src.error("expected {controls: [control ids], plain: text}", (mid, "reversed_by"))
        reversed_by = tuple(str(c) for c in rb["controls"])
        reversal = _text(src, (mid, "reversed_by", "plain"), rb.get("plain"))
    positions = raw["positions"]
    if not isinstance(positions, list) or not positions:
        raise src.error("expected a list of positions (who, stance, quote, source)", (mid, "positions"))
    out = []
    for i, p in enumerate(positions):
        where = (mid, "positions", i)
        if not isinstance(p, dict):
            raise src.error("expected a mapping with who, stance, quote, source", where)
        if p.get("stance") not in STANCES:
            raise src.error(f"expected one of {', '.join(STANCES)}", where + ("stance",))
        out.append(Position(who=_text(src, where + ("who",), p.get("who")), stance=p["stance"],
                            quote=_text(src, where + ("quote",), p.get("quote")),
                            source=_text(src, where + ("source",), p.get("source"))))
    return Modification(
        id=mid, title=_text(src, (mid, "title"), raw["title"]),
        proposal=_text(src, (mid, "proposal"), raw["proposal"]),
        source=_text(src, (mid, "source"), raw["source"]), channels=tuple(channels), combine=raw["combine"],
        owner=_text(src, (mid, "owner"), raw["owner"]), positions=tuple(out), reversed_by=reversed_by,
        reversal=reversal, outside=outside, not_modelled=not_modelled,
        note=_text(src, (mid, "note"), raw["note"]) if "note" in raw else "",
        origin=f"{src.file}:{src.line((mid,))}")


def parse_modifications(text: str, file: str = _LABEL,
                        known_channels: Iterable[str] | None = None) -> dict[str, Modification]:
    """Parse and validate the catalogue; ``known_channels`` (if given) are the valid channel ids."""
    src, entries = catalogue_entries(text, file, "modification id -> entry")
    known = frozenset(known_channels) if known_channels is not None else None
    return {mid: _one(src, mid, raw, known) for mid, raw in entries}


def load_modifications(path: Path | None = None,
                       known_channels: Iterable[str] | None = None) -> dict[str, Modification]:
    """The packaged catalogue, or the file at ``path``, in file order."""
    if path is None:
        text = resources.files("nowan.model").joinpath("data", "modifications.yaml").read_text(encoding="utf-8")
        return parse_modifications(text, _LABEL, known_channels)
    return parse_modifications(read_catalogue(path), str(path), known_channels)
