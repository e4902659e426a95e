"""The GBCS message-code catalogue: what a 2-byte Message Code means for security.

The code in a General-Signing APDU decides everything a verifier or the DCC must check: whether
a signature is required (Critical) and whose key makes it, who keys the MAC, whether the originator
counter must rise (replay protection), and which role may ask for it at all (the DCC's access
control, and the HAN-only codes no Remote Party may send). Keeping that as data
(``model/data/message_codes.yaml``, every fact with the public source it came from) lets the
envelope verifier, the DCC model and the threat models agree on one table, and lets a reader check
any entry against its source.

The YAML is the source of truth; what ``nowan gbcs verify`` reads at start-up is its compiled twin,
``model/data/message_codes.json`` (the validated entries as JSON, which loads in about a hundredth
of the time YAML takes: bench/gbcs_verify.py). After editing the YAML, regenerate the twin with
``python -m nowan.model.gbcs.codes``; a test fails while the two differ.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from nowan.model.errors import InputError

#: The source of truth, and its compiled twin (package data of ``nowan.model``).
YAML_FILE, TWIN_FILE = "data/message_codes.yaml", "data/message_codes.json"


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
#: An entry's fields: every one of the first, any of the second.
_FIELDS = ("use_case", "title", "kind", "criticality", "replay", "srv", "sender", "originator", "future_dated")
_OPTIONAL = ("signer", "mac", "sources")


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
    from nowan.model.catalogue import check_fields  # here: the twin's readers never validate YAML

    check_fields(spec, _FIELDS, _OPTIONAL, path=(code,),
                 error=lambda message, path: InputError(message, where=where + "".join(f" field '{p}'" for p in path[1:])))
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
    data = _yaml(text)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of message codes", where=source)
    known: dict[str, str] | None = None
    if "codes" in data or "sources" in data:
        known = data.get("sources") or {}
        data = data.get("codes") or {}
        if not isinstance(known, dict) or not isinstance(data, dict):
            raise InputError("expected 'sources' and 'codes' mappings", where=source)
    return {code: _entry(code, spec, source, known) for code, spec in data.items()}


def _yaml(text: str) -> Any:
    """The YAML's data, with libyaml's loader where PyYAML has it (imported here only: the start-up
    of ``gbcs verify`` reads the twin and never pays for PyYAML)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def from_yaml() -> tuple[dict[int, MessageCode], dict[str, str]]:
    """The catalogue read and validated from the YAML, and its source descriptions."""
    text = (DATA_ROOT / YAML_FILE).read_text(encoding="utf-8")
    return load_catalogue(text, "model/" + YAML_FILE), dict(_yaml(text)["sources"])


def twin_text(entries: Mapping[int, MessageCode], sources: Mapping[str, str]) -> str:
    """The compiled twin of validated entries: plain JSON, one line per entry, in code order."""
    head = {"generated_from": "model/" + YAML_FILE, "regenerate_with": "python -m nowan.model.gbcs.codes",
            "sources": dict(sources)}
    rows = [f"  {json.dumps(f'0x{c:04X}')}: {json.dumps(_plain(e), ensure_ascii=False)}"
            for c, e in sorted(entries.items())]
    return json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ',\n "codes": {\n' + ",\n".join(rows) + "\n }\n}\n"


def _plain(e: MessageCode) -> dict[str, Any]:
    return {"use_case": e.use_case, "title": e.title, "kind": e.kind, "criticality": e.criticality.value,
            "replay": e.replay, "srv": e.srv, "sender": e.sender, "originator": e.originator,
            "future_dated": e.future_dated, "signers": list(e.signers), "mac": e.mac,
            "sources": {k: list(v) for k, v in e.sources.items()}}


#: The package's data folder, on disk in a wheel as in a checkout (read directly: importing
#: importlib.resources costs start-up time ``gbcs verify`` does not need).
DATA_ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def _twin_text() -> str:
    return (DATA_ROOT / TWIN_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _twin() -> dict[str, Any]:
    return json.loads(_twin_text())


def _twin_row(code: int) -> dict[str, Any] | None:
    """One entry of the twin, parsed on its own. :func:`twin_text` writes one line per entry, so a
    verifier that meets a handful of codes parses a handful of lines, not the whole 110 kB (most
    of what the catalogue cost ``nowan gbcs verify`` at start-up)."""
    text = _twin_text()
    key = f'\n  "0x{code:04X}": '
    start = text.find(key, text.find('\n "codes": {'))
    if start < 0:
        return None
    start += len(key)
    return json.loads(text[start:text.index("\n", start)].removesuffix(","))


def _from_twin(code: int, d: Mapping[str, Any]) -> MessageCode:
    return MessageCode(code=code, use_case=d["use_case"], title=d["title"], kind=d["kind"],
                       criticality=Criticality(d["criticality"]), replay=d["replay"], srv=d["srv"],
                       sender=d["sender"], originator=d["originator"], future_dated=d["future_dated"],
                       signers=tuple(d["signers"]), mac=d["mac"],
                       sources={k: tuple(v) for k, v in d["sources"].items()})


@lru_cache(maxsize=1)
def catalogue() -> Mapping[int, MessageCode]:
    """Every known message code, keyed by its integer value (from the compiled twin); the entries
    :func:`lookup` returns, the same objects."""
    out = {}
    for key, d in _twin()["codes"].items():
        code = int(key, 16)
        entry = _looked_up.get(code)
        out[code] = _looked_up[code] = entry if entry is not None else _from_twin(code, d)
    return out


#: Entries built one at a time by :func:`lookup`: a verifier meets a handful of the 224 codes, and
#: building all of them is start-up time ``gbcs verify`` on one file would pay for nothing.
_looked_up: dict[int, MessageCode | None] = {}


@lru_cache(maxsize=1)
def source_descriptions() -> Mapping[str, str]:
    """The catalogue's source ids and what each one is (where its facts were taken from)."""
    return dict(_twin()["sources"])


def lookup(code: int) -> MessageCode | None:
    """The entry for ``code``, or None when the catalogue does not know it."""
    try:
        return _looked_up[code]
    except KeyError:
        d = _twin_row(code)
        entry = _looked_up[code] = None if d is None else _from_twin(code, d)
        return entry


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


def main() -> None:
    """``python -m nowan.model.gbcs.codes``: validate the YAML and rewrite its compiled twin."""
    twin = DATA_ROOT / TWIN_FILE
    twin.write_text(twin_text(*from_yaml()), encoding="utf-8")
    print(f"wrote {twin.name}: {len(from_yaml()[0])} message codes", file=sys.stderr)


if __name__ == "__main__":
    main()
