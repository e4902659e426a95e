"""Message-code catalogue: internally consistent, sourced fact by fact, and in agreement with every
genuine RTDS message the project holds; the prepayment use cases with their criticality, replay rule
and sender."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import re

import pytest
import yaml

from nowan.model.errors import InputError
from nowan.model.gbcs.codes import (FACT_GROUPS, SIGNERS, Criticality, by_use_case, catalogue, load_catalogue,
                                    lookup, source_descriptions)
from nowan.model.gbcs.envelope import parse_frame, parse_hex

DATA = Path(__file__).parents[2] / "data"
RTDS_FILES = sorted(DATA.glob("rtds*/*/*.HEX"))
CATALOGUE_TEXT = resources.files("nowan.model").joinpath("data/message_codes.yaml").read_text()
#: GBCS use-case ids: CCS Comms Hub, CS common, ECS ESME, GCS GSME/GPF, PCS/PECS PPMID, HECS HCALCS,
#: DBCH dual-band Comms Hub.
GBCS_USE_CASE = re.compile(r"^(CCS|CS|ECS|GCS|PCS|PECS|HECS|DBCH)\d{2,3}[A-Za-z0-9]*$")
#: Labels for alerts GBCS defines outside any use case (future-dated execution, firmware receipt,
#: failure to deliver, meter integrity, the generic alerts).
ALERT_LABELS = {"FDA-FW", "FDA-USC", "FDA-DLMS", "FDA-GBZ", "FWDR-E", "FWDR-G", "FTD-ESME", "MII-E", "MII-G",
                "ALERT-C", "ALERT-NC"}

C, NC, HAN = Criticality.CRITICAL, Criticality.NON_CRITICAL, Criticality.HAN_ONLY
# (use case, message code, criticality, replay protection, SRV) as the GBCS use-case tables give them.
PREPAYMENT_USE_CASES = [
    ("ECS01a", 0x0019, C, True, "1.1.1"), ("ECS01c", 0x00B7, C, True, "1.1.2"), ("GCS01a", 0x006B, C, True, "1.1.1"),
    ("ECS01b", 0x00A2, C, True, "1.2.1"), ("ECS01d", 0x00C7, C, True, "1.2.2"), ("GCS01b", 0x00A3, C, True, "1.2.1"),
    ("ECS02", 0x001A, C, True, "1.6"), ("GCS02", 0x006C, C, True, "1.6"),
    ("ECS03", 0x001B, C, True, "1.6"), ("GCS03", 0x006D, C, True, "1.6"),
    ("ECS04a", 0x001C, C, True, "1.5"), ("ECS04b", 0x00B3, C, True, "1.5"),
    ("GCS40a", 0x0086, C, True, "1.5"), ("GCS40b", 0x00B4, C, True, "1.5"),
    ("GCS40c", 0x00C0, C, True, "1.5"), ("GCS40d", 0x00C2, C, True, "1.5"),
    ("ECS05", 0x001D, C, True, "1.7"), ("ECS07", 0x001E, C, True, "2.3"), ("GCS04", 0x006E, C, True, "2.3"),
    ("ECS08a", 0x00DE, C, True, "2.1"), ("GCS05", 0x006F, C, True, "2.1"),
    ("ECS09", 0x0020, C, True, "2.5"), ("GCS06", 0x0070, C, True, "2.5"),
    ("ECS42", 0x004F, C, True, "7.1"), ("ECS43", 0x0050, C, True, "7.2"), ("GCS32", 0x0081, C, True, "7.2"),
    ("ECS44", 0x0051, C, True, "7.3"), ("GCS39", 0x0085, C, True, "7.3"),
    ("ECS70", 0x0062, C, True, "6.11"), ("ECS81", 0x0068, C, True, "6.25"), ("ECS28a", 0x0043, C, True, "6.4.1"),
    ("CS01a", 0x0007, NC, True, "2.2"), ("CS01b", 0x0097, NC, True, "2.2"),
    ("ECS19", 0x002D, NC, False, "4.3"), ("GCS14", 0x0075, NC, False, "4.3"),
    ("ECS26a", 0x003B, NC, False, "4.13"), ("GCS21b", 0x00B5, NC, False, "4.13"),
    ("ECS82", 0x0069, NC, False, "4.18"), ("GCS60", 0x008D, NC, False, "4.18"),
    ("ECS20d", 0x00C9, NC, False, "4.4.5"), ("GCS15e", 0x00C5, NC, False, "4.4.5"),
    ("CCS01", 0x0001, NC, True, "8.11"), ("CCS02", 0x0002, NC, True, "8.11"), ("CCS03", 0x0003, NC, True, "8.12.1"),
    ("CS14", 0x0018, NC, False, None),
    ("PECS01", 0x0116, HAN, False, None), ("PECS02", 0x0117, HAN, False, None),
    ("PECS03", 0x0118, HAN, False, None), ("PCS01", 0x009B, HAN, True, None),
    ("PCS02", 0x0090, HAN, True, None), ("HECS01", 0x0119, HAN, False, None),
]


@pytest.mark.parametrize("use_case, code, criticality, replay, srv", PREPAYMENT_USE_CASES)
def test_prepayment_use_cases_are_catalogued(use_case: str, code: int, criticality: Criticality,
                                             replay: bool, srv: str | None) -> None:
    entry = lookup(code)
    assert entry is not None and entry.use_case == use_case
    assert (entry.criticality, entry.replay, entry.srv) == (criticality, replay, srv)
    assert by_use_case(use_case.upper()) is entry


def test_every_rtds_message_code_is_catalogued() -> None:
    codes = set()
    for path in RTDS_FILES:
        frame = parse_frame(parse_hex(path.read_text()))
        codes.add(getattr(frame, "signing", frame).message_code)
    assert len(codes) > 20
    assert all(lookup(c) is not None for c in codes), sorted(hex(c) for c in codes if lookup(c) is None)


def test_every_code_is_listed_once() -> None:
    """YAML keeps the last of two equal keys silently, so count the keys in the text itself."""
    keys = re.findall(r"^  (0x[0-9A-F]{4}):", CATALOGUE_TEXT, re.M)
    assert len(keys) == len(set(keys)) == len(catalogue()) > 200
    assert [int(k, 16) for k in keys] == sorted(catalogue())


def test_use_cases_are_gbcs_ids_and_titles_are_given() -> None:
    for entry in catalogue().values():
        assert GBCS_USE_CASE.match(entry.use_case) or (entry.kind == "alert" and entry.use_case in ALERT_LABELS), \
            entry.hex
        assert entry.title.strip(), entry.hex
    # one code per use case, except CS02b's one code per credential-replacement variant
    by_case: dict[str, list[int]] = {}
    for entry in catalogue().values():
        by_case.setdefault(entry.use_case, []).append(entry.code)
    assert {uc for uc, codes in by_case.items() if len(codes) > 1} == {"CS02b"}
    assert sorted(by_case["CS02b"]) == list(range(0x0100, 0x010A))


def test_every_fact_has_a_described_source() -> None:
    described = source_descriptions()
    used = set()
    for entry in catalogue().values():
        for group in FACT_GROUPS:
            assert entry.sources.get(group), (entry.hex, group)
        if entry.srv is not None:
            assert entry.sources.get("srv"), entry.hex
        for ids in entry.sources.values():
            assert set(ids) <= set(described), entry.hex
            used |= set(ids)
    assert used == set(described) and all(len(text) > 40 for text in described.values())


def test_signer_and_mac_follow_the_message_class() -> None:
    for entry in catalogue().values():
        assert set(entry.signers) <= set(SIGNERS), entry.hex
        if entry.kind == "alert":
            assert (entry.signers, entry.mac, entry.sender) == ((), "originator", "device"), entry.hex
        elif entry.han_only:
            assert (entry.signers, entry.mac) == ((), "originator"), entry.hex
        else:
            assert entry.mac == "acb", entry.hex
            assert bool(entry.signers) == entry.critical, entry.hex


def test_dcc_originated_credential_and_join_commands_are_signed_by_their_originator() -> None:
    """The issue's case: the ACB originates CS03A2/CS03C (SRV 8.7.2) and CS02b (SRV 6.21) on a
    Supplier's behalf and signs with its own key, so the signer is the originator, not the
    supplementary remote party (checked on the RTDS 4.5.0 bytes in test_verify)."""
    for code in (0x00AB, 0x00AF, 0x0102):
        entry = lookup(code)
        assert entry.critical and entry.signers == ("originator",) and entry.originator == "remote-party-or-acb"
        assert "rtds-4.5.0" in entry.sources["checked"]


def _rtds_use_case(path: Path) -> str:
    """The catalogue use case a DCC RTDS file name starts with (``CS03A2NonCritical_8.7.2_...`` is CS03A2)."""
    stem = path.name.split("_", 1)[0]
    cases = {e.use_case for e in catalogue().values()}
    return max((uc for uc in cases if stem.startswith(uc)), key=len)


@pytest.mark.parametrize("path", RTDS_FILES, ids=lambda p: p.name)
def test_each_rtds_example_agrees_with_its_catalogue_entry(path: Path) -> None:
    """Use case from the file name; Critical exactly when the command (or the Device's response)
    carries a signature; the Critical commands' responses are signed-only, others MACed."""
    frame = parse_frame(parse_hex(path.read_text(), path.name))
    signing = getattr(frame, "signing", frame)
    entry = lookup(signing.message_code)
    assert entry is not None
    kind = path.name.rsplit("_GBCS", 1)[0]
    if "_ALERT" in kind:
        assert entry.kind == "alert" and signing.cra == 3
        return
    assert entry.use_case == _rtds_use_case(path)
    if kind.endswith("PRECOMMAND") or entry.han_only:
        return
    assert bool(signing.signature) == entry.critical, (entry.hex, entry.criticality)
    if kind.endswith("RESPONSE"):
        assert (frame is signing) == entry.critical  # a Critical command's response is signed, not MACed


def test_access_control_follows_the_sender_role() -> None:
    assert lookup(0x0020).may_be_sent_by("supplier")
    assert not lookup(0x0020).may_be_sent_by("network-operator")
    assert lookup(0x0001).originator == "acb"  # the DCC originates CCS01 on the Supplier's behalf
    for entry in catalogue().values():
        if entry.han_only:
            assert not any(entry.may_be_sent_by(r) for r in ("supplier", "network-operator", "acb", "ppmid"))


REMOTE_PARTY_ROLES = {"supplier", "network-operator", "other-user", "wan-provider", "transitional-cos", "recovery"}


def test_critical_commands_are_replay_protected_and_sent_by_a_remote_party() -> None:
    for entry in catalogue().values():
        if entry.critical and entry.kind == "command":
            assert entry.replay and entry.sender in REMOTE_PARTY_ROLES, entry.hex
    assert {e.sender for e in catalogue().values() if e.critical and e.kind == "command"} >= {"supplier",
                                                                                               "network-operator"}


def test_agrees_with_the_mp094_command_catalogue() -> None:
    data = yaml.safe_load(resources.files("nowan.model").joinpath("data/mp094_commands.yaml").read_text())
    for cid, spec in data.items():
        for use_case, code in zip(spec["use_cases"], spec["message_codes"]):
            entry = lookup(code)
            assert entry is not None and entry.use_case == use_case, (cid, use_case)
            assert entry.critical == spec["critical"], (cid, use_case)


FULL = ("use_case: X, title: t, kind: command, criticality: critical, replay: true, srv: null, sender: supplier,"
        " originator: remote-party, future_dated: false, signer: [originator], mac: acb")
SOURCED = "sources: {code: [a], class: [a], parties: [a], replay: [a]}"


@pytest.mark.parametrize("text, expected", [
    ("0x0001: {use_case: X}", "missing field 'title'"),
    ("sources: {a: text}\ncodes: {0x0001: {" + FULL + "}}", "no source for code, class, parties, replay"),
    ("sources: {a: text}\ncodes: {0x0001: {" + FULL + ", sources: {code: [b], class: [a], parties: [a], "
     "replay: [a]}}}", "unknown source id 'b'"),
    ("0x0001: {" + FULL.replace("signer: [originator]", "signer: [dcc]") + "}", "signer must be one of"),
    ("0x0001: {" + FULL.replace("signer: [originator]", "signer: []") + "}", "a Critical command needs a signer"),
    ("0x0001: {" + FULL.replace("mac: acb", "mac: nobody") + "}", "mac must be one of"),
    ("0x0001: {use_case: X, title: t, kind: command, criticality: sometimes, replay: true, srv: null,"
     " sender: supplier, originator: acb, future_dated: false}", "'sometimes' is not a valid Criticality"),
    ("0x0001: {use_case: X, title: t, kind: order, criticality: critical, replay: true, srv: null,"
     " sender: supplier, originator: acb, future_dated: false}", "kind must be one of"),
    ("0x0001: {use_case: X, title: t, kind: command, criticality: critical, replay: true, srv: null,"
     " sender: mallory, originator: acb, future_dated: false}", "sender must be one of"),
    ("hello: {}", "expected a 2-byte message code"),
    ("sources: {a: text}\ncodes: {0x0001: {" + FULL + ", " + SOURCED + "}, 0x10000: {}}", "expected a 2-byte"),
    ("[1, 2]", "expected a mapping"),
])
def test_catalogue_validation_names_the_code_and_field(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected) as info:
        load_catalogue(text, "codes.yaml")
    assert str(info.value).startswith("codes.yaml")


def test_the_compiled_twin_is_the_yaml_catalogue() -> None:
    """What gbcs verify reads (the JSON twin) is what the YAML says; regenerate it after an edit."""
    from nowan.model.gbcs.codes import from_yaml, twin_text

    entries, sources = from_yaml()
    assert dict(catalogue()) == entries and dict(source_descriptions()) == sources
    twin = Path(__file__).parents[3] / "model" / "data" / "message_codes.json"
    assert twin.read_text(encoding="utf-8") == twin_text(entries, sources), \
        "model/data/message_codes.json is stale: run python -m nowan.model.gbcs.codes"


def test_an_unknown_catalogue_field_is_named() -> None:
    with pytest.raises(InputError, match=r"codes.yaml code 1 field 'colour': unknown field"):
        load_catalogue("0x0001: {" + FULL + ", colour: red}", "codes.yaml")


def test_lookup_builds_the_entry_the_catalogue_holds_and_none_for_an_unknown_code() -> None:
    cat = catalogue()
    assert all(lookup(code) == entry for code, entry in cat.items())
    unknown = next(c for c in range(0x10000) if c not in cat)
    assert lookup(unknown) is None and lookup(unknown) is None


def test_a_looked_up_entry_is_read_from_its_own_line_of_the_twin_as_the_whole_file_reads_it() -> None:
    """lookup parses one line of the twin, not the file; every line must give what the file gives."""
    from nowan.model.gbcs.codes import _twin, _twin_row

    rows = _twin()["codes"]
    assert len(rows) > 200 and all(_twin_row(int(key, 16)) == row for key, row in rows.items())
    assert _twin_row(next(c for c in range(0x10000) if f"0x{c:04X}" not in rows)) is None
