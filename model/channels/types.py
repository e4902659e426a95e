"""Resolved domain records of a channel model (the raw YAML stays in ``source.Sourced``).

As in Threagile, the raw input schema is kept apart from these resolved types: every reference
here has been checked, every expression parsed, and every record carries ``Origin`` (file and
line) so that a verdict can cite the model line each number comes from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

SCALES = ("premises", "fleet", "national")


@dataclass(frozen=True)
class Origin:
    """Where a record was written: model file and line."""

    file: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class Req:
    """An AND/OR precondition tree over step ids; a leaf has ``op == 'step'``."""

    op: str                      # 'all' | 'any' | 'step'
    items: tuple["Req", ...] = ()
    step: str | None = None

    def steps(self) -> set[str]:
        if self.op == "step":
            return {self.step or ""}
        return set().union(*(i.steps() for i in self.items))


@dataclass(frozen=True)
class Rule:
    """Threat-rule metadata shared by the steps that instantiate it."""

    id: str
    title: str
    stride: tuple[str, ...]
    cwe: str | None
    mitigation: str
    false_positive: str
    difficulty_model: str | None = None
    #: Evidence declared with the rule: proof property names and fuzz invariant ids that bear on it.
    proofs: tuple[str, ...] = ()
    invariants: tuple[str, ...] = ()


@dataclass(frozen=True)
class MacGuess:
    """Difficulty of guessing a truncated MAC, computed from A-LOCKOUT (see risk.mac_guess)."""

    mac_bits: int
    attempt_s: Any               # number or expression
    lockout_control: str | None
    han: bool


Difficulty = Union[float, str, MacGuess]


@dataclass(frozen=True)
class Asset:
    id: str
    title: str
    kind: str | None
    origin: Origin


@dataclass(frozen=True)
class EntryPoint:
    """Where attackers enter. A ``presence`` entry needs the attacker at the premises (radio range,
    physical access, a key-presser), so a step entered there reaches one premises; how many premises
    a year such attacks reach across the country is the attacker profile's ``presence`` (attempts a
    year x count, model/data/risk.yaml), not the entry's."""

    id: str
    title: str
    attackers: tuple[str, ...]
    origin: Origin
    presence: bool = False


@dataclass(frozen=True)
class Control:
    """A control: ``existing`` ones are on in the residual risk; ``candidate`` ones cost money."""

    id: str
    title: str
    status: str                  # 'existing' | 'candidate'
    cost_gbp: Any
    blocks: tuple[str, ...]
    hardens: tuple[tuple[str, Any], ...]
    effective: Any               # True or an expression over assumptions
    source: str
    origin: Origin
    #: What the control is, declared in the model (schema ``mechanism``): proofs read which of their
    #: families apply from it, never from control ids.
    mechanism: str | None = None

    @property
    def cost_is_placeholder(self) -> bool:
        """Whether ``cost_gbp`` is a labelled placeholder (the source says ``cost: placeholder [A]``),
        not an estimate: the committee paper must not present it as a price."""
        return "cost: placeholder" in self.source


@dataclass(frozen=True)
class Step:
    """An attack step; ``stable_id`` is RULE@CHANNEL@TARGET."""

    id: str
    stable_id: str
    rule: Rule
    target: str
    title: str
    entry: tuple[str, ...]
    requires: Req | None
    difficulty: Difficulty
    cost_gbp: Any
    time_hours: Any
    scale: str
    stride: tuple[str, ...]
    cwe: str | None
    mitigation: str
    origin: Origin


@dataclass(frozen=True)
class Goal:
    id: str
    kind: str
    title: str
    requires: Req
    scale: str
    gbp: Any
    hours: Any
    vulnerable: bool
    commands: tuple[str, ...]
    origin: Origin
    #: A mac-guess step whose expected successes per premises a year multiply the per-premises
    #: measure (forged UTRNs a year x their value), or None.
    per_success_of: str | None = None


@dataclass(frozen=True)
class FuzzSpec:
    """How the channel is fuzzed: the attacker world it is (``attacks.worlds``), the assumption
    values that premises runs under for this channel (the proposal, e.g. a window removed), and the
    world's steps this channel does not have. Checked against the worlds by ``attacks``."""

    world: str
    assumptions: tuple[tuple[str, Any], ...]
    omit: tuple[str, ...]
    origin: Origin


#: The ``comparison`` value of the SMETS1 UTRN generation options: the report's SMETS1 table lists
#: exactly the channels that declare it (schema.json keeps the allowed values).
SMETS1_COMPARISON = "smets1-utrn-generation"


@dataclass(frozen=True, eq=False)
class Channel:
    """One resolved channel threat model."""

    id: str
    title: str
    description: str
    file: str
    sources: tuple[str, ...]
    parameters: dict[str, Any]
    exposure_population: str
    exposure_duration: str
    commands: tuple[str, ...]
    assets: tuple[Asset, ...]
    entry_points: tuple[EntryPoint, ...]
    controls: tuple[Control, ...]
    steps: tuple[Step, ...]
    goals: tuple[Goal, ...]
    content_hash: str = ""
    inputs: tuple[Any, ...] = ()    # this channel's calibrations (model.ranges.Input), each with its range
    #: None: the channel declares no attacker world and is not fuzzed (reports say so).
    fuzz: FuzzSpec | None = None
    #: The report comparison the channel is a row of (``comparison`` in its file), or None.
    comparison: str | None = None
    #: Set when the duration comes from a modification, not this file (``risk.under_exposure``): where.
    exposure_source: str = ""
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def step(self, sid: str) -> Step:
        return self._index["steps"][sid]

    def control(self, cid: str) -> Control:
        return self._index["controls"][cid]

    def entry(self, eid: str) -> EntryPoint:
        return self._index["entries"][eid]

    @property
    def existing_controls(self) -> frozenset[str]:
        return frozenset(c.id for c in self.controls if c.status == "existing")

    @property
    def candidate_controls(self) -> dict[str, Control]:
        """Candidate controls a working group could add, by id (each with ``cost_gbp``)."""
        return {c.id: c for c in self.controls if c.status == "candidate"}

    @property
    def attackers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in self.entry_points:
            for a in e.attackers:
                seen.setdefault(a, None)
        return tuple(seen)
