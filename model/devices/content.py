"""Payload codec for the commands the devices execute: a small, documented DLMS-like subset.

The security wrapper (General-Ciphering / General-Signing, MAC, signature) is the real GBCS one from
``model.gbcs``. Inside it, the devices need payloads that are well defined but not a full DLMS/ZSE
stack, so this module encodes an *xDLMS access request* with only the types the commands use:

``D9 || invoke-id(4) || 00 (no date-time) || n || n * spec || m || m * data``
where ``spec = kind(1: 02 set attribute, 03 action) || class-id(2) || OBIS(6) || index(1)`` and
``data`` is an A-XDR value: ``09`` octet-string, ``03`` boolean, ``05`` double-long (int32),
``12`` long-unsigned (uint16), ``16`` enum, ``02`` structure.

This subset reproduces the DCC reference test messages byte for byte where they exist: the CS01a
top-up (class 115, 0-0:19.40.0.255, method 1, the 20 UTRN digits in ASCII), CCS01 (register_device,
join_timeout, enable joining) and CCS02 (unregister_device). The invoke-id is
``0x20000000 | (originator counter & 0xFFFFFF)``, as in those messages. Simplification: GSME
commands over the WAN use the same subset (real GSMEs take ZSE payloads); on the HAN, PPMID top-ups
to either meter use the ZSE Consumer Top Up layout of the RTDS PCS01 message
(:func:`zse_topup_content`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from nowan.model.errors import FrameError

ACCESS_REQUEST = 0xD9
KIND_SET, KIND_ACTION = 0x02, 0x03
T_STRUCT, T_BOOL, T_DLONG, T_OCTETS, T_LONG_U, T_ENUM = 0x02, 0x03, 0x05, 0x09, 0x12, 0x16

Value = Union[bytes, bool, int, "Typed", tuple["Typed", ...]]


class ContentError(FrameError):
    """A command payload that does not follow the documented access-request subset."""


@dataclass(frozen=True)
class Typed:
    """An A-XDR value with its type tag (structure values are tuples of Typed)."""

    tag: int
    value: Value

    def encode(self) -> bytes:
        t, v = self.tag, self.value
        if t == T_OCTETS:
            assert isinstance(v, bytes) and len(v) < 0x80
            return bytes([t, len(v)]) + v
        if t == T_BOOL:
            return bytes([t, 0xFF if v else 0x00])
        if t == T_DLONG:
            return bytes([t]) + int(v).to_bytes(4, "big", signed=True)  # type: ignore[arg-type]
        if t == T_LONG_U:
            return bytes([t]) + int(v).to_bytes(2, "big")  # type: ignore[arg-type]
        if t == T_ENUM:
            return bytes([t, int(v)])  # type: ignore[arg-type]
        if t == T_STRUCT:
            items = v  # type: ignore[assignment]
            return bytes([t, len(items)]) + b"".join(i.encode() for i in items)  # type: ignore[union-attr]
        raise ValueError(f"unsupported A-XDR tag 0x{t:02X}")


def octets(b: bytes) -> Typed:
    return Typed(T_OCTETS, bytes(b))


def dlong(n: int) -> Typed:
    return Typed(T_DLONG, n)


def enum(n: int) -> Typed:
    return Typed(T_ENUM, n)


def boolean(b: bool) -> Typed:
    return Typed(T_BOOL, bool(b))


def long_u(n: int) -> Typed:
    return Typed(T_LONG_U, n)


def struct(*items: Typed) -> Typed:
    return Typed(T_STRUCT, tuple(items))


@dataclass(frozen=True)
class Spec:
    """One attribute set or method call: kind, interface class, OBIS code, attribute/method index."""

    kind: int
    class_id: int
    obis: bytes
    index: int

    def encode(self) -> bytes:
        return bytes([self.kind]) + self.class_id.to_bytes(2, "big") + self.obis + bytes([self.index])


@dataclass(frozen=True)
class AccessRequest:
    """An xDLMS access request in the documented subset."""

    invoke_id: int
    specs: tuple[Spec, ...]
    data: tuple[Typed, ...]

    def encode(self) -> bytes:
        return (bytes([ACCESS_REQUEST]) + self.invoke_id.to_bytes(4, "big") + b"\x00"
                + bytes([len(self.specs)]) + b"".join(s.encode() for s in self.specs)
                + bytes([len(self.data)]) + b"".join(d.encode() for d in self.data))


def invoke_id_for(counter: int) -> int:
    """Invoke-id as the DCC reference messages form it from the originator counter."""
    return 0x20000000 | (counter & 0xFFFFFF)


class _Cursor:
    def __init__(self, raw: bytes) -> None:
        self.raw, self.pos = raw, 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.raw):
            raise ContentError(f"command content offset {self.pos}, {what}: expected {n} bytes, "
                               f"{len(self.raw) - self.pos} left")
        out = self.raw[self.pos:self.pos + n]
        self.pos += n
        return out

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]


def _decode_value(c: _Cursor, depth: int = 0) -> Typed:
    at = c.pos
    tag = c.byte("data tag")
    if tag == T_OCTETS:
        n = c.byte("octet-string length")
        return Typed(tag, c.take(n, "octet-string"))
    if tag == T_BOOL:
        return Typed(tag, c.byte("boolean") != 0)
    if tag == T_DLONG:
        return Typed(tag, int.from_bytes(c.take(4, "double-long"), "big", signed=True))
    if tag == T_LONG_U:
        return Typed(tag, int.from_bytes(c.take(2, "long-unsigned"), "big"))
    if tag == T_ENUM:
        return Typed(tag, c.byte("enum"))
    if tag == T_STRUCT and depth < 2:
        n = c.byte("structure count")
        return Typed(tag, tuple(_decode_value(c, depth + 1) for _ in range(n)))
    raise ContentError(f"command content offset {at}: unsupported data tag 0x{tag:02X}")


def decode_access_request(raw: bytes) -> AccessRequest:
    """Parse the documented subset; anything else raises :class:`ContentError` (never crashes)."""
    c = _Cursor(bytes(raw))
    if c.byte("access-request tag") != ACCESS_REQUEST:
        raise ContentError("command content offset 0: expected access-request tag 0xD9")
    invoke = int.from_bytes(c.take(4, "invoke-id"), "big")
    if c.byte("date-time") != 0:
        raise ContentError("command content offset 5: date-time not supported (expected 00)")
    specs = []
    for _ in range(c.byte("spec count")):
        kind = c.byte("spec kind")
        if kind not in (KIND_SET, KIND_ACTION):
            raise ContentError(f"command content offset {c.pos - 1}: spec kind {kind}, expected 2 or 3")
        specs.append(Spec(kind, int.from_bytes(c.take(2, "class-id"), "big"), c.take(6, "OBIS"),
                          c.byte("index")))
    data = tuple(_decode_value(c) for _ in range(c.byte("data count")))
    if c.pos != len(c.raw):
        raise ContentError(f"command content offset {c.pos}: {len(c.raw) - c.pos} trailing bytes")
    return AccessRequest(invoke, tuple(specs), data)


# --- ZSE Consumer Top Up (GSME CS01b, PCS01), the layout of the RTDS PCS01 message ---------------
_ZSE_TOPUP_PREFIX = bytes.fromhex("010901010705001901000" "4")
ORIGIN_ESI, ORIGIN_PPMID = 0x00, 0x02


def zse_topup_content(utrn: str, originating_device: int = ORIGIN_ESI) -> bytes:
    """ZSE Prepayment cluster 0x0705, Consumer Top Up (0x04), originating device, TopUp Code (20)."""
    return _ZSE_TOPUP_PREFIX + bytes([originating_device, 20]) + utrn.encode("ascii")


def decode_zse_topup(raw: bytes) -> tuple[int, str]:
    """(originating device, UTRN text) from a ZSE Consumer Top Up payload."""
    n = len(_ZSE_TOPUP_PREFIX)
    if len(raw) != n + 22 or raw[:n] != _ZSE_TOPUP_PREFIX or raw[n + 1] != 20:
        raise ContentError("ZSE Consumer Top Up: expected cluster 0705 command 04 with a 20-byte TopUp Code")
    return raw[n], raw[n + 2:].decode("ascii", errors="replace")
