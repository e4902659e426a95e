"""The MP094 commands (design.md ids) as GBCS message codes and payloads, and their decoding.

Each command id maps to the ESME and GSME message codes that carry it today over the WAN
(``model/data/mp094_commands.yaml``) and to one attribute-set or method call in the documented
access-request subset of :mod:`model.devices.content`. The class/OBIS/index choices follow the
DLMS objects named in domain.md 1.6 where one exists and are otherwise this model's own (they only
need to be unambiguous; the security verdicts rest on the wrapper, not on these bytes). Several
commands share a message code (ECS07 carries add/deduct/set debt; ECS08a carries revert-defaults
and set-non-disconnect): the payload's spec tells them apart, as in GBCS.
"""
from __future__ import annotations

from dataclasses import dataclass

from nowan.model.devices.content import (KIND_ACTION, KIND_SET, AccessRequest, ContentError, Spec, Typed, boolean,
                                   decode_access_request, dlong, enum, invoke_id_for, octets)

ESME, GSME = "esme", "gsme"

_OBIS_TOKEN_GATEWAY = bytes.fromhex("0000132800FF")  # 0-0:19.40.0.255 (class 115), as in RTDS CS01a
_OBIS_CREDIT = bytes.fromhex("0000130A00FF")         # 0-0:19.10.0.255 (class 112), as in RTDS ECS04a
_OBIS_DEBT = bytes.fromhex("0000130B00FF")           # 0-0:19.11.0.255 (class 112)
_OBIS_CHARGE = bytes.fromhex("0000131400FF")         # 0-0:19.20.0.255 (class 113)
_OBIS_ACCOUNT = bytes.fromhex("0000130000FF")        # 0-0:19.0.0.255 (class 111)

MODE_CREDIT, MODE_PREPAYMENT = 0, 1


@dataclass(frozen=True)
class CommandDef:
    """One executable command: its id, message codes per meter kind, and payload spec."""

    id: str
    codes: dict[str, tuple[int, ...]]
    spec: Spec
    arg: str  # "utrn" (20 ASCII digits), "pence" (int32), "mode" (enum), "flag" (boolean), "none"

    def code_for(self, kind: str, value: int | None = None) -> int:
        codes = self.codes[kind]
        if self.id == "change-mode":  # ECS02/GCS02 to credit, ECS03/GCS03 to prepayment
            return codes[0] if value == MODE_CREDIT else codes[1]
        return codes[0]


COMMANDS: dict[str, CommandDef] = {c.id: c for c in (
    CommandDef("top-up", {ESME: (0x0007,), GSME: (0x0097,)}, Spec(KIND_ACTION, 115, _OBIS_TOKEN_GATEWAY, 1), "utrn"),
    CommandDef("deduct-credit", {ESME: (0x001C,), GSME: (0x0086,)}, Spec(KIND_ACTION, 112, _OBIS_CREDIT, 1), "pence"),
    CommandDef("set-credit", {ESME: (0x00B3,), GSME: (0x00B4,)}, Spec(KIND_ACTION, 112, _OBIS_CREDIT, 2), "pence"),
    CommandDef("change-price", {ESME: (0x00A2,), GSME: (0x00A3,)}, Spec(KIND_SET, 113, _OBIS_CHARGE, 4), "pence"),
    CommandDef("revert-defaults", {ESME: (0x00DE,), GSME: (0x006F,)}, Spec(KIND_ACTION, 111, _OBIS_ACCOUNT, 3), "none"),
    CommandDef("change-mode", {ESME: (0x001A, 0x001B), GSME: (0x006C, 0x006D)},
               Spec(KIND_SET, 111, _OBIS_ACCOUNT, 2), "mode"),
    CommandDef("add-debt", {ESME: (0x001E,), GSME: (0x006E,)}, Spec(KIND_ACTION, 112, _OBIS_DEBT, 1), "pence"),
    CommandDef("deduct-debt", {ESME: (0x001E,), GSME: (0x006E,)}, Spec(KIND_ACTION, 112, _OBIS_DEBT, 2), "pence"),
    CommandDef("set-debt", {ESME: (0x001E,), GSME: (0x006E,)}, Spec(KIND_ACTION, 112, _OBIS_DEBT, 3), "pence"),
    CommandDef("set-non-disconnect", {ESME: (0x00DE,), GSME: (0x006F,)}, Spec(KIND_SET, 111, _OBIS_ACCOUNT, 5), "flag"),
)}
#: open-han is carried by CCS01 to the Comms Hub (see :mod:`model.devices.devicelog`), not by a meter.
HUB_COMMANDS = ("open-han",)
_BY_SPEC = {c.spec: c for c in COMMANDS.values()}


def encode_command(command_id: str, counter: int, value: int | str | bool | None = None) -> bytes:
    """The payload for ``command_id`` sent with originator counter ``counter``."""
    c = COMMANDS[command_id]
    data: tuple[Typed, ...]
    if c.arg == "utrn":
        data = (octets(str(value).encode("ascii")),)
    elif c.arg == "pence":
        data = (dlong(int(value or 0)),)
    elif c.arg == "mode":
        data = (enum(int(value or 0)),)
    elif c.arg == "flag":
        data = (boolean(bool(value)),)
    else:
        data = (enum(1),)
    return AccessRequest(invoke_id_for(counter), (c.spec,), data).encode()


@dataclass(frozen=True)
class DecodedCommand:
    command: CommandDef
    value: int | str | bool | None


def decode_command(content: bytes, message_code: int, kind: str) -> DecodedCommand:
    """Decode a payload and check it matches its message code; raises ContentError otherwise."""
    req = decode_access_request(content)
    if len(req.specs) != 1 or len(req.data) != 1:
        raise ContentError("command content: expected exactly one spec and one data item")
    c = _BY_SPEC.get(req.specs[0])
    if c is None:
        raise ContentError("command content: spec (class, OBIS, index) is not a known command")
    if message_code not in c.codes.get(kind, ()):
        raise ContentError(f"command content: {c.id} cannot be carried by message code 0x{message_code:04X}")
    d = req.data[0]
    expected_tag = {"utrn": 0x09, "pence": 0x05, "mode": 0x16, "flag": 0x03, "none": 0x16}[c.arg]
    if d.tag != expected_tag:
        raise ContentError(f"command content: {c.id} expects data tag 0x{expected_tag:02X}, got 0x{d.tag:02X}")
    value: int | str | bool | None = d.value  # type: ignore[assignment]
    if c.arg == "utrn":
        value = bytes(d.value).decode("ascii", errors="replace")  # type: ignore[arg-type]
    if c.id == "change-mode" and message_code != c.code_for(kind, int(d.value)):  # type: ignore[arg-type]
        raise ContentError("command content: payment mode does not match the message code")
    return DecodedCommand(c, value)
