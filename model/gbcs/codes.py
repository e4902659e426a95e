"""The GBCS message-code catalogue: what a 2-byte Message Code means for security.

The code in a General-Signing APDU decides everything a verifier or the DCC must check: whether
a Supplier signature is required (Critical), whether the originator counter must rise (replay
protection), and which role may ask for it at all (the DCC's access control, and the HAN-only
codes no Remote Party may send). Keeping that as data (``model/data/message_codes.yaml``) lets the
envelope verifier, the DCC model and the threat models agree on one table.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Mapping

import yaml

from nowan.model.errors import InputError


class Criticality(str, Enum):
    CRITICAL = "critical"          # Supplier-signed and ACB-MACed
    NON_CRITICAL = "non-critical"  # ACB-MACed only
    HAN_ONLY = "han-only"          # never from a Remote Party


_SENDERS = frozenset({"supplier", "network-operator", "acb", "device", "ppmid", "hcalcs"})
_ORIGINATORS = frozenset({"remote-party", "acb", "device", "ppmid", "hcalcs"})


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


def _entry(code: object, spec: object, source: str) -> MessageCode:
    where = f"{source} code {code!r}"
    if not isinstance(code, int) or not 0 <= code <= 0xFFFF or not isinstance(spec, dict):
        raise InputError("expected a 2-byte message code mapping to fields", where=where)
    try:
        entry = MessageCode(code=code, use_case=str(spec["use_case"]), title=str(spec["title"]),
                            kind=str(spec["kind"]), criticality=Criticality(spec["criticality"]),
                            replay=bool(spec["replay"]),
                            srv=None if spec["srv"] is None else str(spec["srv"]),
                            sender=str(spec["sender"]), originator=str(spec["originator"]),
                            future_dated=bool(spec["future_dated"]))
    except KeyError as exc:
        raise InputError(f"missing field {exc.args[0]!r}", where=where) from None
    except ValueError as exc:
        raise InputError(str(exc), where=where) from None
    if entry.kind not in ("command", "alert"):
        raise InputError(f"kind must be command or alert, got {entry.kind!r}", where=where)
    if entry.sender not in _SENDERS or entry.originator not in _ORIGINATORS:
        raise InputError(f"unknown sender/originator {entry.sender!r}/{entry.originator!r}", where=where)
    return entry


def load_catalogue(text: str, source: str = "message_codes.yaml") -> dict[int, MessageCode]:
    """Parse and validate a catalogue YAML text (exposed for tests of the validation)."""
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of message codes", where=source)
    return {code: _entry(code, spec, source) for code, spec in data.items()}


@lru_cache(maxsize=1)
def catalogue() -> Mapping[int, MessageCode]:
    """Every known message code, keyed by its integer value."""
    text = resources.files("nowan.model").joinpath("data/message_codes.yaml").read_text()
    return load_catalogue(text)


def lookup(code: int) -> MessageCode | None:
    """The entry for ``code``, or None when the catalogue does not know it."""
    return catalogue().get(code)


@lru_cache(maxsize=1)
def _by_use_case() -> Mapping[str, MessageCode]:
    return {m.use_case.lower(): m for m in catalogue().values()}


def by_use_case(use_case: str) -> MessageCode | None:
    """The entry for a use-case id such as ``ECS09`` (case-insensitive)."""
    return _by_use_case().get(use_case.lower())
