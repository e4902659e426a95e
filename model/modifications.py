"""The modifications the SSC decides on, read from ``model/data/modifications.yaml``.

Why a separate catalogue: the committee decides on modifications (MP094 Option 1, SECMP0037, ...),
while the threat models are per channel. This file maps one to the other and records, with their
seed sources, the positions already taken, so the report can compute a recommendation per
modification and say whether it agrees. Only the mapping and the quotes are data; the
recommendation is computed by the report from the channels' results, never written here.

The same file records the routes in use today (entries with ``today``: the keypad and WAN routes the
proposals are measured against) with what the seeds say of them, so those positions are compared and
tallied too; they are not proposals and are read by :func:`load_today`, not :func:`load_modifications`.

A mistake in the file is a one-line :class:`ModelError` naming file, line and field.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from nowan.model import citations
from nowan.model.catalogue import catalogue_entries, check_fields, one_line_text, read_catalogue
from nowan.model.channels.source import Sourced
from nowan.model.ids import CHANNEL_ID

STANCES = ("support", "support-with-conditions", "cannot-support", "none")
#: The stances a position on a route in use today may take: the channel's verdict it records.
TODAY_STANCES = ("within-appetite", "above-appetite", "none")
#: What a recorded position is a judgement of. Only a security position is compared with the
#: assessment; the others (a business need, a cost, how hard a change is to deliver) are shown for
#: context and left out of the tally of agreements and differences.
KINDS = ("security", "business", "commercial", "implementation")
COMBINE = ("all", "any")
_LABEL = "model/data/modifications.yaml"
_REQUIRED = ("title", "proposal", "source", "channels", "combine", "owner", "positions")
_OPTIONAL = ("reversed_by", "outside", "not_modelled", "note", "baseline", "also_over", "fewer_commands",
             "exposure", "own_risk")
#: The no-WAN durations a modification may run its routes under (as ``exposure.duration`` in a channel file).
DURATIONS = ("intermittent", "permanent")


@dataclass(frozen=True)
class Baseline:
    """The premises a proposal would serve, as it is today: the channels it already has. The
    proposal is judged on the risk it adds over them (``model.channels.added``)."""

    channels: tuple[str, ...]
    plain: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"channels": list(self.channels), "plain": self.plain, "source": self.source}


@dataclass(frozen=True)
class Scope:
    """What a proposal is for, in words (``plain``, read inside a sentence), and its ``source``: why
    its routes are judged on their own residual risk rather than on what they add over a baseline."""

    plain: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"plain": self.plain, "source": self.source}


@dataclass(frozen=True)
class Exposure:
    """How long the premises a modification serves are without WAN, when the modification itself says
    so (MP094 Option 1 is intermittent, Option 2 permanent: domain.md 11.3-11.4). Its routes are then
    scored under this duration, whatever their channel files say; ``source`` says what it rests on."""

    duration: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"duration": self.duration, "source": self.source}


@dataclass(frozen=True)
class Reduction:
    """A smaller set of command types the routes might carry instead: the listed ``commands``, or
    the catalogue's commands whose fields match ``where`` (``model/data/mp094_commands.yaml``)."""

    name: str
    commands: tuple[str, ...] | None
    where: tuple[tuple[str, Any], ...]
    source: str

    def keeps(self, command: str, catalogue: dict[str, dict[str, Any]]) -> bool:
        if self.commands is not None:
            return command in self.commands
        return all(catalogue.get(command, {}).get(k) == v for k, v in self.where)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "commands": None if self.commands is None else list(self.commands),
                "where": dict(self.where), "source": self.source}


@dataclass(frozen=True)
class Condition:
    """A condition a recorded position sets, in a form the model can test: the ``commands`` (catalogue
    fields, as ``fewer_commands``' ``where``) must, on every route that carries one of them, be
    protected by a control in force whose ``mechanism`` is one of ``protected_by`` (the channel models
    declare which commands a route carries and what each control is). The SSC's MP094 view: price or
    supply commands need the end-to-end security controls (seed 002 line 333)."""

    plain: str
    commands: tuple[tuple[str, Any], ...]
    protected_by: tuple[str, ...]
    source: str

    def covers(self, command: str, catalogue: dict[str, dict[str, Any]]) -> bool:
        return all(catalogue.get(command, {}).get(k) == v for k, v in self.commands)

    def to_dict(self) -> dict[str, Any]:
        return {"plain": self.plain, "commands": dict(self.commands), "protected_by": list(self.protected_by),
                "source": self.source}


@dataclass(frozen=True)
class Position:
    """A position a seed document records on the modification, quoted."""

    who: str
    stance: str
    quote: str
    source: str
    #: A channel whose residual risk the position asks the proposal to be no worse than (the SMETS1
    #: forum's "managed equal to or more than SMETS2 levels"): a condition the report can test.
    no_worse_than: str = ""
    #: What the position judges (:data:`KINDS`) and why this file says so (``kind_source``).
    kind: str = "security"
    kind_source: str = ""
    #: The conditions a support-with-conditions position sets, where the model can test them.
    conditions: tuple[Condition, ...] = ()
    #: The routes the position's own reason is about (the SSC on SECMP0038: the Wi-Fi route would need
    #: the end-to-end architecture): if the model finds them within appetite, an agreeing outcome rests
    #: on another reason, and the report says so.
    reason_channels: tuple[str, ...] = ()
    #: The harms the position itself names (goal ids of the modification's channels: the Working
    #: Group's "gas meter battery wastage"): the page shows how the model scores each, whatever the
    #: position's kind, so a drawback the position states is never left without its result.
    harms: tuple[str, ...] = ()
    #: Set when the seed does not state the stance and it is read from what the seed does say: how
    #: (the paper says "inferred" and why, so an inference is never shown as a recorded verdict).
    inferred: str = ""
    #: On a route in use today: the control mechanisms the position's reason rests on (the SSC's
    #: end-to-end security architecture). The report re-scores the route without them, so whether the
    #: model's verdict rests on the same reason is computed, not asserted.
    reason_mechanisms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"who": self.who, "stance": self.stance, "quote": self.quote, "source": self.source,
                "no_worse_than": self.no_worse_than, "kind": self.kind, "kind_source": self.kind_source,
                "conditions": [c.to_dict() for c in self.conditions], "reason_channels": list(self.reason_channels),
                "harms": list(self.harms), "inferred": self.inferred, "reason_mechanisms": list(self.reason_mechanisms)}


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
    #: Judge the routes on the risk they add over this premises (None: on their own residual risk).
    baseline: Baseline | None = None
    #: Further premises the added risk is also reported over (not the verdict).
    also_over: tuple[Baseline, ...] = ()
    #: Smaller command sets whose added risk is computed (seed 004: do fewer command types help?).
    fewer_commands: tuple[Reduction, ...] = ()
    #: The no-WAN duration its routes are scored under (None: each channel file's own exposure).
    exposure: Exposure | None = None
    #: Why its routes are judged on their own residual risk, not on what they add over a baseline: the
    #: proposal's scope in words (``plain``, read inside a sentence) and its ``source``. A route another
    #: modification judges on added risk can then say on this page why a harm counts here and not there.
    own_risk: Scope | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "proposal": self.proposal, "source": self.source,
                "channels": list(self.channels), "combine": self.combine, "owner": self.owner,
                "reversed_by": list(self.reversed_by), "reversal": self.reversal, "outside": self.outside,
                "not_modelled": self.not_modelled, "note": self.note, "origin": self.origin,
                "positions": [p.to_dict() for p in self.positions],
                "baseline": self.baseline.to_dict() if self.baseline else None,
                "also_over": [b.to_dict() for b in self.also_over],
                "fewer_commands": [r.to_dict() for r in self.fewer_commands],
                "exposure": self.exposure.to_dict() if self.exposure else None,
                "own_risk": self.own_risk.to_dict() if self.own_risk else None}


@dataclass(frozen=True)
class Today:
    """A route in use today (``today``: its channel id) and the positions the seeds record on it. Not a
    proposal: nothing is recommended; the report compares the channel's own verdict with each
    position, since the proposals are judged against these routes (the keypad premises is the
    SECMP0038 baseline; the SSC asks for today's end-to-end architecture). ``unrecorded`` says what
    the seeds do not record about it, so a missing position is stated, never invented."""

    id: str
    channel: str
    title: str
    source: str
    positions: tuple[Position, ...]
    unrecorded: str = ""
    origin: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "channel": self.channel, "title": self.title, "source": self.source,
                "positions": [p.to_dict() for p in self.positions], "unrecorded": self.unrecorded,
                "origin": self.origin}


def _text(src: Sourced, path: tuple[Any, ...], value: Any) -> str:
    return one_line_text(value, error=src.error, path=path)


def _channel_ids(src: Sourced, path: tuple[Any, ...], value: Any, known: frozenset[str] | None,
                 *, empty: bool = True) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value) or (not empty and not value):
        raise src.error("expected a list of channel ids", path)
    for i, cid in enumerate(value):
        if known is not None and cid not in known:
            raise src.error(f"unknown channel {cid!r}; expected one of {', '.join(sorted(known))}", (*path, i))
    return tuple(value)


def _baseline(src: Sourced, path: tuple[Any, ...], raw: Any, known: frozenset[str] | None) -> Baseline:
    check_fields(raw, ("channels", "plain", "source"), error=src.error, path=path)
    return Baseline(_channel_ids(src, (*path, "channels"), raw["channels"], known, empty=False),
                    _text(src, (*path, "plain"), raw["plain"]), _text(src, (*path, "source"), raw["source"]))


def _exposure(src: Sourced, path: tuple[Any, ...], raw: Any) -> Exposure:
    check_fields(raw, ("duration", "source"), error=src.error, path=path)
    if raw["duration"] not in DURATIONS:
        raise src.error(f"expected one of {', '.join(DURATIONS)}", (*path, "duration"))
    return Exposure(raw["duration"], _text(src, (*path, "source"), raw["source"]))


def _reduction(src: Sourced, path: tuple[Any, ...], raw: Any) -> Reduction:
    from nowan.model.channels.catalogues import commands as command_catalogue

    check_fields(raw, ("name", "source"), ("commands", "where"), error=src.error, path=path)
    if ("commands" in raw) == ("where" in raw):
        raise src.error("give exactly one of 'commands' (a list) or 'where' (catalogue fields)", path)
    cat = command_catalogue()
    commands: tuple[str, ...] | None = None
    where: tuple[tuple[str, Any], ...] = ()
    if "commands" in raw:
        cs = raw["commands"]
        if not isinstance(cs, list) or not cs:
            raise src.error("expected a non-empty list of command ids", (*path, "commands"))
        for i, c in enumerate(cs):
            if c not in cat:
                raise src.error(f"unknown command {c!r}; expected one of {', '.join(cat)}", (*path, "commands", i))
        commands = tuple(cs)
    else:
        where = _where(src, (*path, "where"), raw["where"])
    return Reduction(_text(src, (*path, "name"), raw["name"]), commands, where, _text(src, (*path, "source"), raw["source"]))


def _where(src: Sourced, path: tuple[Any, ...], w: Any) -> tuple[tuple[str, Any], ...]:
    """A selection of commands by their fields in ``model/data/mp094_commands.yaml``."""
    from nowan.model.channels.catalogues import commands as command_catalogue

    fields = {k for entry in command_catalogue().values() for k in entry}
    if not isinstance(w, dict) or not w:
        raise src.error("expected a mapping of command-catalogue fields to values", path)
    for k in w:
        if k not in fields:
            raise src.error(f"unknown command field; expected one of {', '.join(sorted(fields))}", (*path, k))
    return tuple(sorted(w.items()))


def _conditions(src: Sourced, path: tuple[Any, ...], raw: Any) -> tuple[Condition, ...]:
    if not isinstance(raw, list) or not raw:
        raise src.error("expected a list of conditions (plain, commands, protected_by, source)", path)
    out = []
    for i, c in enumerate(raw):
        where = (*path, i)
        check_fields(c, ("plain", "commands", "protected_by", "source"), error=src.error, path=where)
        by = _mechanisms(src, (*where, "protected_by"), c["protected_by"])
        out.append(Condition(_text(src, (*where, "plain"), c["plain"]), _where(src, (*where, "commands"), c["commands"]),
                             by, _text(src, (*where, "source"), c["source"])))
    return tuple(out)


def _position(src: Sourced, where: tuple[Any, ...], p: Any, *, today: bool = False) -> Position:
    """A recorded position on a proposal or, with ``today``, on a route in use today (its own stances,
    and the reason's mechanisms the report re-scores the route without)."""
    if not isinstance(p, dict):
        raise src.error("expected a mapping with who, stance, kind, kind_source, quote, source", where)
    check_fields(p, ("who", "stance", "kind", "kind_source", "quote", "source"),
                 ("inferred", "reason_mechanisms") if today else
                 ("no_worse_than", "conditions", "reason_channels", "harms", "inferred"), error=src.error, path=where)
    reasons = p.get("reason_channels", [])
    if not isinstance(reasons, list) or not all(isinstance(c, str) and CHANNEL_ID.fullmatch(c) for c in reasons):
        raise src.error("expected a list of channel ids", where + ("reason_channels",))
    harms = p.get("harms", [])
    if not isinstance(harms, list) or ("harms" in p and not harms) or \
            not all(isinstance(g, str) and CHANNEL_ID.fullmatch(g) for g in harms):
        raise src.error("expected a non-empty list of goal ids (lower case letters, digits and hyphens)",
                        where + ("harms",))
    stances = TODAY_STANCES if today else STANCES
    if p["stance"] not in stances:
        raise src.error(f"expected one of {', '.join(stances)}", where + ("stance",))
    if p["kind"] not in KINDS:
        raise src.error(f"expected one of {', '.join(KINDS)}", where + ("kind",))
    nwt = p.get("no_worse_than", "")
    if not isinstance(nwt, str) or (nwt and not CHANNEL_ID.fullmatch(nwt)):
        raise src.error("expected a channel id (lower case letters, digits and hyphens)", where + ("no_worse_than",))
    conditions = _conditions(src, where + ("conditions",), p["conditions"]) if "conditions" in p else ()
    if conditions and p["stance"] != "support-with-conditions":
        raise src.error("only a support-with-conditions position sets conditions", where + ("conditions",))
    return Position(who=_text(src, where + ("who",), p["who"]), stance=p["stance"],
                    quote=_text(src, where + ("quote",), p["quote"]), source=_text(src, where + ("source",), p["source"]),
                    no_worse_than=nwt, kind=p["kind"], kind_source=_text(src, where + ("kind_source",), p["kind_source"]),
                    conditions=conditions, reason_channels=tuple(reasons), harms=tuple(harms),
                    inferred=_text(src, where + ("inferred",), p["inferred"]) if "inferred" in p else "",
                    reason_mechanisms=_mechanisms(src, where + ("reason_mechanisms",), p["reason_mechanisms"])
                    if "reason_mechanisms" in p else ())


def _mechanisms(src: Sourced, path: tuple[Any, ...], raw: Any) -> tuple[str, ...]:
    """A non-empty list of the control mechanisms the channel schema knows."""
    from nowan.model.channels.loader import mechanisms

    known = mechanisms()
    if not isinstance(raw, list) or not raw:
        raise src.error("expected a non-empty list of control mechanisms", path)
    for j, m in enumerate(raw):
        if m not in known:
            raise src.error(f"unknown control mechanism {m!r}; expected one of {', '.join(known)}", (*path, j))
    return tuple(raw)


def _one(src: Sourced, mid: Any, raw: Any, known: frozenset[str] | None) -> Modification:
    if not isinstance(mid, str) or not mid:
        raise src.error("expected a modification id (a string key)", (mid,))
    check_fields(raw, _REQUIRED, _OPTIONAL, error=src.error, path=(mid,))
    channels = _channel_ids(src, (mid, "channels"), raw["channels"], known)
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
    out = [_position(src, (mid, "positions", i), p) for i, p in enumerate(positions)]
    complaint = citations.problem(raw["source"])
    if complaint:
        raise src.error(complaint, (mid, "source"))
    return Modification(
        id=mid, title=_text(src, (mid, "title"), raw["title"]),
        proposal=_text(src, (mid, "proposal"), raw["proposal"]),
        source=_text(src, (mid, "source"), raw["source"]), channels=tuple(channels), combine=raw["combine"],
        owner=_text(src, (mid, "owner"), raw["owner"]), positions=tuple(out), reversed_by=reversed_by,
        reversal=reversal, outside=outside, not_modelled=not_modelled,
        note=_text(src, (mid, "note"), raw["note"]) if "note" in raw else "",
        origin=f"{src.file}:{src.line((mid,))}", **_comparison(src, mid, raw, known),
        exposure=_exposure(src, (mid, "exposure"), raw["exposure"]) if "exposure" in raw else None,
        own_risk=_own_risk(src, mid, raw))


def _own_risk(src: Sourced, mid: str, raw: dict[str, Any]) -> Scope | None:
    """The scope that has a modification judged on its routes' own residual risk (``own_risk``): a
    modification judged over a baseline cannot have one."""
    if "own_risk" not in raw:
        return None
    path = (mid, "own_risk")
    if "baseline" in raw:
        raise src.error("a modification judged over a 'baseline' is not judged on its own risk", path)
    check_fields(raw["own_risk"], ("plain", "source"), error=src.error, path=path)
    return Scope(_text(src, (*path, "plain"), raw["own_risk"]["plain"]),
                 _text(src, (*path, "source"), raw["own_risk"]["source"]))


def _comparison(src: Sourced, mid: str, raw: dict[str, Any], known: frozenset[str] | None) -> dict[str, Any]:
    """The added-risk fields: ``baseline``, ``also_over`` and ``fewer_commands`` (which need a baseline)."""
    if "baseline" not in raw:
        for key in ("also_over", "fewer_commands"):
            if key in raw:
                raise src.error("needs a 'baseline' (what the added risk is measured over)", (mid, key))
        return {}
    out: dict[str, Any] = {"baseline": _baseline(src, (mid, "baseline"), raw["baseline"], known)}
    for key, one in (("also_over", lambda p, r: _baseline(src, p, r, known)), ("fewer_commands", lambda p, r: _reduction(src, p, r))):
        items = raw.get(key, [])
        if not isinstance(items, list):
            raise src.error("expected a list", (mid, key))
        out[key] = tuple(one((mid, key, i), r) for i, r in enumerate(items))
    return out


def parse_modifications(text: str, file: str = _LABEL,
                        known_channels: Iterable[str] | None = None) -> dict[str, Modification]:
    """Parse and validate the catalogue's proposals (the entries without ``today``); ``known_channels``
    (if given) are the valid channel ids."""
    src, entries = catalogue_entries(text, file, "modification id -> entry")
    known = frozenset(known_channels) if known_channels is not None else None
    return {mid: _one(src, mid, raw, known) for mid, raw in entries if not _is_today(raw)}


def parse_today(text: str, file: str = _LABEL, known_channels: Iterable[str] | None = None) -> dict[str, Today]:
    """Parse and validate the catalogue's routes in use today (the entries with ``today``)."""
    src, entries = catalogue_entries(text, file, "modification id -> entry")
    known = frozenset(known_channels) if known_channels is not None else None
    return {tid: _today(src, tid, raw, known) for tid, raw in entries if _is_today(raw)}


def _is_today(raw: Any) -> bool:
    return isinstance(raw, dict) and "today" in raw


def _today(src: Sourced, tid: str, raw: dict[str, Any], known: frozenset[str] | None) -> Today:
    check_fields(raw, ("today", "title", "source", "positions"), ("unrecorded",), error=src.error, path=(tid,))
    channel = raw["today"]
    if not isinstance(channel, str) or not CHANNEL_ID.fullmatch(channel) or (known is not None and channel not in known):
        raise src.error("expected the id of a channel in use today" + (f" (one of {', '.join(sorted(known))})"
                        if known is not None else ""), (tid, "today"))
    positions = raw["positions"]
    if not isinstance(positions, list):
        raise src.error("expected a list of positions (who, stance, quote, source); [] with 'unrecorded' if none",
                        (tid, "positions"))
    complaint = citations.problem(raw["source"])
    if complaint:
        raise src.error(complaint, (tid, "source"))
    unrecorded = _text(src, (tid, "unrecorded"), raw["unrecorded"]) if "unrecorded" in raw else ""
    if not positions and not unrecorded:
        raise src.error("no positions: say what the seeds leave unrecorded with 'unrecorded'", (tid, "positions"))
    return Today(id=tid, channel=channel, title=_text(src, (tid, "title"), raw["title"]),
                 source=_text(src, (tid, "source"), raw["source"]),
                 positions=tuple(_position(src, (tid, "positions", i), p, today=True) for i, p in enumerate(positions)),
                 unrecorded=unrecorded, origin=f"{src.file}:{src.line((tid,))}")


def _catalogue_text(path: Path | None) -> tuple[str, str]:
    if path is None:
        return resources.files("nowan.model").joinpath("data", "modifications.yaml").read_text(encoding="utf-8"), _LABEL
    return read_catalogue(path), str(path)


def load_modifications(path: Path | None = None,
                       known_channels: Iterable[str] | None = None) -> dict[str, Modification]:
    """The packaged catalogue's proposals, or those of the file at ``path``, in file order."""
    return parse_modifications(*_catalogue_text(path), known_channels)


def load_today(path: Path | None = None, known_channels: Iterable[str] | None = None) -> dict[str, Today]:
    """The packaged catalogue's routes in use today, or those of the file at ``path``, in file order."""
    return parse_today(*_catalogue_text(path), known_channels)
