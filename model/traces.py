"""The one trace format: steps on the devices as plain records, for fuzz findings and proofs alike.

A finding is only useful to the SSC if it can be shown and re-run: every action a harness takes
(a supplier minting a UTRN, the attacker replaying observed message 3, flipping bit 17 of it,
waiting 3600 s) is a :class:`Step` holding only JSON types, and a :class:`Trace` is the ordered
list of steps plus what is needed to rebuild the same premises (channel, assumptions, seeded
flaws). A z3 counterexample is the same record: its steps are the model-level moves the solver
chose, ``world`` names the premises that executes them (a fuzz trace leaves it empty: the
channel's own world) and ``evidence`` carries what the proof adds (method, parameters, bounds).

The format lives in ``nowan.model`` because both ``proofs`` (which emits traces) and ``attacks``
(which replays them, ``nowan fuzz --replay FILE``) depend on the model only. One replayer
(:func:`nowan.attacks.replay.replay`) runs every trace through the world it names, so a replay
cannot drift from the run that found it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from nowan.model.assumptions import Assumptions
from nowan.model.errors import AssumptionError, InputError
from nowan.model.ids import CHANNEL_ID
from nowan.model.safeio import read_text

TRACE_FORMAT = "nowan-attack-trace/1"
_JSON_SCALARS = (str, int, float, bool, type(None))


class TraceError(InputError):
    """A trace file that cannot be read back: the message names the file and the field."""


def _check_json(value: Any, where: str) -> None:
    if isinstance(value, _JSON_SCALARS):
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_json(v, f"{where}[{i}]")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: step argument keys must be strings, got {k!r}")
            _check_json(v, f"{where}.{k}")
        return
    raise TypeError(f"{where}: step arguments must be JSON types, got {type(value).__name__}")


@dataclass(frozen=True)
class Step:
    """One action: who acts (``legit`` party or ``attacker``), what it does, and its arguments.

    Arguments are JSON types only (ints, strings, lists), never device objects or bytes, so the
    step can be written to a report and replayed on a freshly built premises.
    """

    actor: str
    action: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.actor not in ("legit", "attacker", "env"):
            raise ValueError(f"step actor must be legit, attacker or env, got {self.actor!r}")
        _check_json(dict(self.args), f"{self.action} args")

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "action": self.action, "args": _plain(self.args)}

    @classmethod
    def from_dict(cls, data: Any, where: str = "step") -> "Step":
        if not isinstance(data, Mapping):
            raise TraceError("expected an object with actor, action and args", where=where)
        for key in ("actor", "action"):
            if not isinstance(data.get(key), str):
                raise TraceError(f"expected a string '{key}'", where=where)
        args = data.get("args", {})
        if not isinstance(args, Mapping):
            raise TraceError("expected 'args' to be an object", where=where)
        try:
            return cls(data["actor"], data["action"], dict(args))
        except (TypeError, ValueError) as exc:
            raise TraceError(str(exc), where=where) from None

    def describe(self) -> str:
        """One line for reports: ``attacker replay(index=2)``."""
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.actor} {self.action}({inner})"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Trace:
    """A replayable run: the premises it was built from and the steps taken, in order.

    ``invariant`` is what the run violates: a fuzz invariant id, or the property a proof refuted.
    ``world`` names the premises that executes the steps when it is not the channel's fuzz world
    (a proof family's counterexample world); ``evidence`` is plain data the proof adds (method,
    parameters, bounds). Both are written only when set, so a fuzz trace reads as before.
    """

    channel: str
    steps: tuple[Step, ...]
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    flaws: tuple[str, ...] = ()
    invariant: str | None = None
    world: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_json(dict(self.evidence), "trace evidence")

    @property
    def executor(self) -> str:
        """The world that replays this trace: ``world`` if set, else the channel's own."""
        return self.world or self.channel

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": TRACE_FORMAT, "channel": self.channel, "invariant": self.invariant}
        if self.world is not None:
            out["world"] = self.world
        out.update({"assumptions": _plain(self.assumptions), "flaws": list(self.flaws),
                    "steps": [s.to_dict() for s in self.steps]})
        if self.evidence:
            out["evidence"] = _plain(self.evidence)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Any, source: str = "trace") -> "Trace":
        if not isinstance(data, Mapping):
            raise TraceError("expected a JSON object", where=source)
        if data.get("format") != TRACE_FORMAT:
            raise TraceError(f"expected format {TRACE_FORMAT!r}, got {data.get('format')!r}",
                             where=f"{source} field 'format'")
        # a proof counterexample may carry no channel ("" : its world names the premises)
        if not isinstance(data.get("channel"), str) or not (data["channel"] == "" or CHANNEL_ID.fullmatch(data["channel"])):
            raise TraceError("expected a channel id (lower-case letters, digits and hyphens)",
                             where=f"{source} field 'channel'")
        steps = data.get("steps")
        if not isinstance(steps, list):
            raise TraceError("expected a list of steps", where=f"{source} field 'steps'")
        flaws = data.get("flaws", [])
        if not isinstance(flaws, list) or not all(isinstance(f, str) for f in flaws):
            raise TraceError("expected a list of flaw names", where=f"{source} field 'flaws'")
        assumptions = data.get("assumptions", {})
        if not isinstance(assumptions, Mapping):
            raise TraceError("expected an object", where=f"{source} field 'assumptions'")
        from nowan.model.devices.flaws import Flaw

        for i, name in enumerate(flaws):
            if name not in Flaw.__members__:
                raise TraceError(f"unknown flaw {name!r}; expected one of {', '.join(Flaw.__members__)}",
                                 where=f"{source} field 'flaws[{i}]'")
        invariant = data.get("invariant")
        world = data.get("world")
        if world is not None and not isinstance(world, str):
            raise TraceError("expected a world name string", where=f"{source} field 'world'")
        evidence = data.get("evidence", {})
        if not isinstance(evidence, Mapping):
            raise TraceError("expected an object", where=f"{source} field 'evidence'")
        try:  # the same checker as --assume: a trace cannot smuggle in a NaN or an unknown key
            Assumptions(dict(assumptions))
        except AssumptionError as exc:
            raise TraceError(exc.message, where=f"{source} field 'assumptions' ({exc.where})") from None
        return cls(data["channel"],
                   tuple(Step.from_dict(s, f"{source} steps[{i}]") for i, s in enumerate(steps)),
                   dict(assumptions), tuple(flaws), invariant if isinstance(invariant, str) else None,
                   world, dict(evidence))

    @classmethod
    def load(cls, path: str | Path) -> "Trace":
        p = Path(path)
        try:
            text = read_text(p, str(p))
        except InputError as exc:
            raise TraceError(exc.message, where=exc.where) from None
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise TraceError(f"not JSON: {exc.msg}", where=f"{p}:{exc.lineno}") from None
        except RecursionError:
            raise TraceError("not a trace: JSON nested too deeply", where=str(p)) from None
        except ValueError as exc:  # NaN / Infinity, or an integer over the digit limit
            raise TraceError(f"not JSON: {exc}", where=str(p)) from None
        return cls.from_dict(data, str(p))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json())


def _no_constant(name: str) -> None:
    """JSON has no NaN or Infinity; Python's parser accepts them unless told otherwise."""
    raise ValueError(f"{name} is not a JSON number")
