"""Message-code catalogue: the prepayment use cases with their criticality, replay rule and sender."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from nowan.model.errors import InputError
from nowan.model.gbcs.codes import Criticality, by_use_case, catalogue, load_catalogue, lookup
from nowan.model.gbcs.envelope import parse_frame, parse_hex

RTDS = Path(__file__).parents[2] / "data" / "rtds"

C, NC, HAN = Criticality.CRITICAL, Criticality.NON_CRITICAL, Criticality.HAN_ONLY
# (use case, message code, criticality, replay protection, SRV) as the GBCS use-case tables give them.
PREPAYMENT_USE_CASES = [
    ("ECS01a", 0x0019, C, True, "1.1.1"), ("GCS01a", 0x006B, C, True, "1.1.1"),
    ("ECS01b", 0x00A2, C, True, "1.2.1"), ("GCS01b", 0x00A3, C, True, "1.2.1"),
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
    ("ECS70", 0x0062, C, True, "6.11"), ("ECS81", 0x0068, C, True, "6.25"), ("ECS28a", 0x0043, C, True, "6.4"),
    ("CS01a", 0x0007, NC, True, "2.2"), ("CS01b", 0x0097, NC, True, "2.2"),
    ("ECS19", 0x002D, NC, False, "4.3"), ("GCS14", 0x0075, NC, False, "4.3"),
    ("ECS26a", 0x003B, NC, False, "4.13"), ("GCS21b", 0x00B5, NC, False, "4.13"),
    ("ECS82", 0x0069, NC, False, "4.18"), ("GCS60", 0x008D, NC, False, "4.18"),
    ("ECS20d", 0x00C9, NC, False, "4.4"), ("GCS15e", 0x00C5, NC, False, "4.4"),
    ("CCS01", 0x0001, NC, True, "8.11"), ("CCS02", 0x0002, NC, True, "8.11"), ("CCS03", 0x0003, NC, True, "8.12"),
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
    for path in RTDS.glob("*/*.HEX"):
        frame = parse_frame(parse_hex(path.read_text()))
        codes.add(getattr(frame, "signing", frame).message_code)
    assert len(codes) > 15
    assert all(lookup(c) is not None for c in codes), sorted(hex(c) for c in codes if lookup(c) is None)


def test_access_control_follows_the_sender_role() -> None:
    assert lookup(0x0020).may_be_sent_by("supplier")
    assert not lookup(0x0020).may_be_sent_by("network-operator")
    assert lookup(0x0001).originator == "acb"  # the DCC originates CCS01 on the Supplier's behalf
    for entry in catalogue().values():
        if entry.han_only:
            assert not any(entry.may_be_sent_by(r) for r in ("supplier", "network-operator", "acb", "ppmid"))


def test_critical_commands_are_replay_protected_and_sent_by_a_remote_party() -> None:
    for entry in catalogue().values():
        if entry.critical and entry.kind == "command":
            assert entry.replay and entry.sender == "supplier", entry.use_case


def test_agrees_with_the_mp094_command_catalogue() -> None:
    data = yaml.safe_load(resources.files("nowan.model").joinpath("data/mp094_commands.yaml").read_text())
    for cid, spec in data.items():
        for use_case, code in zip(spec["use_cases"], spec["message_codes"]):
            entry = lookup(code)
            assert entry is not None and entry.use_case == use_case, (cid, use_case)
            assert entry.critical == spec["critical"], (cid, use_case)


@pytest.mark.parametrize("text, expected", [
    ("0x0001: {use_case: X}", "missing field 'title'"),
    ("0x0001: {use_case: X, title: t, kind: command, criticality: sometimes, replay: true, srv: null,"
     " sender: supplier, originator: acb, future_dated: false}", "'sometimes' is not a valid Criticality"),
    ("0x0001: {use_case: X, title: t, kind: order, criticality: critical, replay: true, srv: null,"
     " sender: supplier, originator: acb, future_dated: false}", "kind must be command or alert"),
    ("0x0001: {use_case: X, title: t, kind: command, criticality: critical, replay: true, srv: null,"
     " sender: mallory, originator: acb, future_dated: false}", "unknown sender"),
    ("hello: {}", "expected a 2-byte message code"),
    ("[1, 2]", "expected a mapping"),
])
def test_catalogue_validation_names_the_code_and_field(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected) as info:
        load_catalogue(text, "codes.yaml")
    assert str(info.value).startswith("codes.yaml")
