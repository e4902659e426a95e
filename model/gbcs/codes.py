"""The GBCS message-code catalogue: what a 2-byte Message Code means for security.

The code in a General-Signing APDU decides everything a verifier or the DCC must check: whether
a signature is required (Critical) and whose key makes it, who keys the MAC, whether the originator
counter must rise (replay protection), and which role may ask for it at all (the DCC's access
control, and the HAN-only codes no Remote Party may send). Keeping that as data
(``model/data/message_codes.yaml``, every fact with the public source it came from) lets the
envelope verifier, the DCC model and the threat models agree on one table, and lets a reader check
any entry against its source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Mapping

import yaml

from nowan.model.errors import InputError

#: libyaml's loader when PyYAML has it: the catalogue is read on every ``nowan gbcs verify`` start,
#: and the C loader parses its 224 entries about ten times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Criticality(str, Enum):
    CRITICAL = "critical"          # signed by its originator and ACB-MACed; the Device signs its Response
    NON_CRITICAL = "non-critical"  # ACB-MACed only
    HAN_ONLY = "han-only"          # never from a Remote Party


_SENDERS = frozenset({"supplier", "network-operator", "other-user", "wan-provider", "transitional-cos",
                      "recovery", "acb", "device", "ppmid", "hcalcs"})
_ORIGINATORS = frozenset({"remote-party", "acb", "remote-party-or-acb", "device", "ppmid", "hcalcs"})
#: Parties whose DS key may sign a Command: the General-Signing originator, or the supplementary
#: remote party the DCC names when it originates on someone's behalf.
SIGNERS = ("originator", "supplementary")
_MACS = frozenset({"acb", "originator"})
#: The groups of facts every entry must name a source for.
FACT_GROUPS = ("code", "class", "parties", "replay")


@dataclass(frozen=True)
class MessageCode:
    """One catalogue entry; see the YAML header for the meaning of each field."""

    code: int
    use_case: str
    title: str
    kind: str
    criticality: Criticality
    replay: bool
    srv: str | None
    sender: str
    originator: str
    future_dated: bool
    signers: tuple[str, ...] = ()
    mac: str = "acb"
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def critical(self) -> bool:
        return self.criticality is Criticality.CRITICAL

    @property
    def han_only(self) -> bool:
        return self.criticality is Criticality.HAN_ONLY

    @property
    def hex(self) -> str:
        return f"0x{self.code:04X}"

    def may_be_sent_by(self, role: str) -> bool:
        """The DCC's access-control rule: only the catalogue's sender role may request it."""
        return not self.han_only and role == self.sender


def _choice(value: object, allowed: frozenset[str] | tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(sorted(allowed))}, got {value!r}")
    return str(value)


def _sources(spec: dict, known: Mapping[str, str] | None) -> dict[str, tuple[str, ...]]:
    raw = spec.get("sources", {})
    if not isinstance(raw, dict):
        raise ValueError("sources must map fact groups to lists of source ids")
    out = {str(k): tuple(map(str, v if isinstance(v, list) else [v])) for k, v in raw.items()}
    if known is not None:
        missing = [g for g in FACT_GROUPS if not out.get(g)]
        if missing:
            raise ValueError(f"no source for {', '.join(missing)}")
        unknown = sorted({s for ids in out.values() for s in ids} - set(known))
        if unknown:
            raise ValueError(f"unknown source id {unknown[0]!r}")
    return out


def _entry(code: object, spec: object, where_file: str, known: Mapping[str, str] | None) -> MessageCode:
    where = f"{where_file} code {code!r}"
    if not isinstance(code, int) or not 0 <= code <= 0xFFFF or not isinstance(spec, dict):
        raise InputError("expected a 2-byte message code mapping to fields", where=where)
    try:
        signers = spec.get("signer", [])
        if not isinstance(signers, list):
            raise ValueError("signer must be a list")
        entry = MessageCode(code=code, use_case=str(spec["use_case"]), title=str(spec["title"]),
                            kind=_choice(spec["kind"], ("command", "alert"), "kind"),
                            criticality=Criticality(spec["criticality"]),
                            replay=bool(spec["replay"]),
                            srv=None if spec["srv"] is None else str(spec["srv"]),
                            sender=_choice(spec["sender"], _SENDERS, "sender"),
                            originator=_choice(spec["originator"], _ORIGINATORS, "originator"),
                            future_dated=bool(spec["future_dated"]),
                            signers=tuple(_choice(s, SIGNERS, "signer") for s in signers),
                            mac=_choice(spec.get("mac", "acb"), _MACS, "mac"),
                            sources=_sources(spec, known))
    except KeyError as exc:
        raise InputError(f"missing field {exc.args[0]!r}", where=where) from None
    except ValueError as exc:
        raise InputError(str(exc), where=where) from None
    if entry.critical and entry.kind == "command" and not entry.signers:
        raise InputError("a Critical command needs a signer", where=where)
    return entry


def load_catalogue(text: str, source: str = "message_codes.yaml") -> dict[int, MessageCode]:
    """Parse and validate a catalogue YAML text (exposed for tests of the validation).

    The text is either ``{sources: {id: description}, codes: {code: entry}}``, in which case every
    entry must name a known source for each fact group, or a bare ``{code: entry}`` mapping.
    """
    # libyaml's loader where PyYAML has it: the pure-Python one costs more than verifying a message
    # batch (bench/gbcs_verify.py, command line), and the two give the same data.
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of message codes", where=source)
    known: dict[str, str] | None = None
    if "codes" in data or "sources" in data:
        known = data.get("sources") or {}
        data = data.get("codes") or {}
        if not isinstance(known, dict) or not isinstance(data, dict):
            raise InputError("expected 'sources' and 'codes' mappings", where=source)
    return {code: _entry(code, spec, source, known) for code, spec in data.items()}


def _text() -> str:
    return resources.files("nowan.model").joinpath("data/message_codes.yaml").read_text()


@lru_cache(maxsize=1)
def catalogue() -> Mapping[int, MessageCode]:
    """Every known message code, keyed by its integer value."""
    return load_catalogue(_text())


@lru_cache(maxsize=1)
def source_descriptions() -> Mapping[str, str]:
    """The catalogue's source ids and what each one is (where its facts were taken from)."""
    return dict(yaml.load(_text(), Loader=_SafeLoader)["sources"])


def lookup(code: int) -> MessageCode | None:
    """The entry for ``code``, or None when the catalogue does not know it."""
    return catalogue().get(code)


@lru_cache(maxsize=1)
def _by_use_case() -> Mapping[str, MessageCode]:
    out: dict[str, MessageCode] = {}
    for m in sorted(catalogue().values(), key=lambda m: m.code):
        out.setdefault(m.use_case.lower(), m)
    return out


def by_use_case(use_case: str) -> MessageCode | None:
    """The entry for a use-case id such as ``ECS09`` (case-insensitive); for a use case with
    several codes (CS02b) the lowest one."""
    return _by_use_case().get(use_case.lower())
