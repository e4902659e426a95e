"""Byte-exact codec for the GBCS message envelope (domain.md 2.2).

A protected Remote Party message is a DLMS General-Ciphering APDU (tag ``DD``) whose header fields
are empty in GBCS, carrying as ciphered content: the security header (``11`` + 4-byte invocation
counter), a General-Signing APDU (tag ``DF``) and a 12-byte AES-GCM MAC. The General-Signing APDU
holds the CRA flag and 64-bit originator counter (as its transaction id), originator and recipient
EUI-64s, an optional date-time, other-information (the 2-byte message code, plus the supplementary
remote party id and counter when the DCC originates on a party's behalf), the payload, and the
Supplier's ECDSA signature (absent, or 64 bytes r||s) for Critical commands.

Lengths are A-XDR/BER style (short form, ``81 xx``, ``82 xxxx``). ``encode(parse(b)) == b`` holds on
every DCC reference test message; a frame the codec cannot read raises :class:`FrameError` naming
the byte offset and field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nowan.model.errors import FrameError

TAG_GENERAL_CIPHERING = 0xDD
TAG_GENERAL_SIGNING = 0xDF
MAC_LEN = 12
SIGNATURE_LEN = 64
SECURITY_HEADER_AUTH = bytes.fromhex("1100000000")


def encode_length(n: int) -> bytes:
    """Minimal A-XDR length."""
    if n < 0x80:
        return bytes([n])
    if n < 0x100:
        return bytes([0x81, n])
    if n < 0x10000:
        return bytes([0x82]) + n.to_bytes(2, "big")
    raise ValueError("length too large for a GBCS frame")


class _Reader:
    """A cursor over a frame that reports the offset and field of any read past the end."""

    def __init__(self, data: bytes, source: str | None) -> None:
        self.data, self.pos, self.source = data, 0, source

    def fail(self, field: str, what: str, at: int | None = None) -> FrameError:
        where = f"{self.source}: " if self.source else ""
        return FrameError(f"{where}offset {self.pos if at is None else at}, {field}: {what}")

    def take(self, n: int, field: str) -> bytes:
        if self.pos + n > len(self.data):
            raise self.fail(field, f"expected {n} bytes, frame ends after {len(self.data) - self.pos}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def length(self, field: str) -> int:
        first = self.take(1, f"{field} length")[0]
        if first < 0x80:
            return first
        if first in (0x81, 0x82):
            n = int.from_bytes(self.take(first - 0x80, f"{field} length"), "big")
            if n < (0x80 if first == 0x81 else 0x100):
                raise self.fail(field, "non-minimal length encoding", self.pos - 1)
            return n
        raise self.fail(field, f"unsupported length byte 0x{first:02X}", self.pos - 1)

    def octets(self, field: str) -> bytes:
        return self.take(self.length(field), field)

    def octets_fixed(self, field: str, allowed: tuple[int, ...]) -> bytes:
        at = self.pos
        n = self.length(field)
        if n not in allowed:
            raise self.fail(field, f"length {n}, expected {' or '.join(map(str, allowed))}", at)
        return self.take(n, field)


@dataclass(frozen=True)
class GeneralSigning:
    """The General-Signing APDU: what the Remote Party signs and the ACB MAC covers."""

    cra: int
    counter: int
    originator: bytes
    recipient: bytes
    date_time: bytes | None
    other_info: bytes
    content: bytes
    signature: bytes | None = None
    #: False for a signed-only pre-command as the Supplier submits it: it ends after the content.
    signature_field: bool = True

    @property
    def message_code(self) -> int:
        return int.from_bytes(self.other_info[:2], "big")

    @property
    def supplementary_originator(self) -> bytes | None:
        """The Remote Party on whose behalf the DCC originates (CCS01 etc.), if any."""
        return self.other_info[2:10] if len(self.other_info) >= 10 else None

    @property
    def supplementary_counter(self) -> int | None:
        return int.from_bytes(self.other_info[10:18], "big") if len(self.other_info) >= 18 else None

    def _body(self) -> bytes:
        return (bytes([9, self.cra]) + self.counter.to_bytes(8, "big")
                + encode_length(len(self.originator)) + self.originator
                + encode_length(len(self.recipient)) + self.recipient
                + (encode_length(len(self.date_time)) + self.date_time if self.date_time else b"\x00")
                + encode_length(len(self.other_info)) + self.other_info
                + encode_length(len(self.content)) + self.content)

    def signed_bytes(self) -> bytes:
        """The bytes the Supplier's ECDSA signature covers: the APDU after ``DF``, signature field dropped."""
        return self._body()

    def encode(self) -> bytes:
        sig = self.signature or b""
        tail = encode_length(len(sig)) + sig if self.signature_field or sig else b""
        return bytes([TAG_GENERAL_SIGNING]) + self._body() + tail

    def with_signature(self, signature: bytes | None) -> "GeneralSigning":
        return replace(self, signature=signature, signature_field=True)


@dataclass(frozen=True)
class GeneralCiphering:
    """The General-Ciphering APDU wrapping a General-Signing APDU and its 12-byte MAC."""

    signing: GeneralSigning
    mac: bytes
    security_header: bytes = SECURITY_HEADER_AUTH
    header_fields: tuple[bytes, ...] = (b"", b"", b"", b"", b"")  # transaction id .. other-information
    key_info: bytes = b"\x00"

    def ciphered_content(self) -> bytes:
        return self.security_header + self.signing.encode() + self.mac

    def mac_aad(self) -> bytes:
        """AES-GCM additional data: ``11 00000000 00`` then the General-Signing APDU (checked on RTDS)."""
        return self.security_header + b"\x00" + self.signing.encode()

    def mac_iv(self) -> bytes:
        """GCM IV: the originator's EUI-64 and the 4-byte invocation counter."""
        return self.signing.originator + self.security_header[1:5]

    def encode(self) -> bytes:
        head = b"".join(encode_length(len(f)) + f for f in self.header_fields)
        body = self.ciphered_content()
        return bytes([TAG_GENERAL_CIPHERING]) + head + self.key_info + encode_length(len(body)) + body


def _parse_signing(r: _Reader, end: int | None) -> GeneralSigning:
    tag_at = r.pos
    if r.take(1, "General-Signing tag")[0] != TAG_GENERAL_SIGNING:
        raise r.fail("General-Signing tag", "expected 0xDF", tag_at)
    tid = r.octets_fixed("transaction-id (CRA flag + originator counter)", (9,))
    cra = tid[0]
    if cra not in (1, 2, 3):
        raise r.fail("CRA flag", f"value {cra}, expected 1 (command), 2 (response) or 3 (alert)", tag_at + 2)
    originator = r.octets_fixed("originator-system-title", (8,))
    recipient = r.octets_fixed("recipient-system-title", (8,))
    date_time = r.octets_fixed("date-time", (0, 12)) or None
    other = r.octets("other-information")
    if len(other) < 2:
        raise r.fail("other-information", "expected at least the 2-byte message code")
    content = r.octets("content")
    signature: bytes | None = None
    has_field = r.pos < (len(r.data) if end is None else end)
    if not has_field and end is None and cra != 1:
        # Only a pre-command, as the Supplier submits it, ends after its content. A signed-only
        # response or alert that ends here was cut off: malformed, not "signature absent".
        raise r.fail("signature", "frame ends before the signature field (truncated?); a signed-only "
                     "response or alert carries one")
    if has_field or end is not None:
        signature = r.octets_fixed("signature", (0, SIGNATURE_LEN)) or None
    return GeneralSigning(cra, int.from_bytes(tid[1:], "big"), originator, recipient, date_time, other,
                          content, signature, has_field or end is not None)


def parse_frame(raw: bytes, source: str | None = None) -> "GeneralCiphering | GeneralSigning":
    """Parse a GBCS frame: a protected message (``DD``) or a signed-only pre-command (``DF``)."""
    r = _Reader(bytes(raw), source)
    if not raw:
        raise r.fail("frame", "empty")
    first = raw[0]
    if first == TAG_GENERAL_SIGNING:
        gs = _parse_signing(r, None)
    elif first == TAG_GENERAL_CIPHERING:
        r.take(1, "General-Ciphering tag")
        fields = tuple(r.octets(name) for name in ("transaction-id", "originator-system-title",
                                                   "recipient-system-title", "date-time", "other-information"))
        key_info = r.take(1, "key-info")
        if key_info != b"\x00":
            raise r.fail("key-info", "present; GBCS authenticated-only frames carry none", r.pos - 1)
        body_len = r.length("ciphered-content")
        body_start = r.pos
        if body_start + body_len != len(raw):
            raise r.fail("ciphered-content", f"length {body_len} but {len(raw) - body_start} bytes follow")
        header = r.take(5, "security header")
        if header[0] != 0x11:
            raise r.fail("security header", f"control byte 0x{header[0]:02X}; expected 0x11 (authenticated only)",
                         body_start)
        gs = _parse_signing(r, len(raw) - MAC_LEN)
        mac = r.take(MAC_LEN, "MAC")
        if r.pos != len(raw):
            raise r.fail("frame", f"{len(raw) - r.pos} trailing bytes")
        return GeneralCiphering(gs, mac, header, fields, key_info)
    else:
        raise r.fail("frame tag", f"0x{first:02X} is not a GBCS General-Ciphering (0xDD) or General-Signing (0xDF) "
                     "APDU (block-transfer and other frames are not supported)", 0)
    if r.pos != len(raw):
        raise r.fail("frame", f"{len(raw) - r.pos} trailing bytes")
    return gs


_HEX_RE = re.compile(r"^[0-9a-fA-F]*$")


def parse_hex(text: str, source: str = "input") -> bytes:
    """Read a .HEX file's text (whitespace ignored) into bytes, naming the file on error."""
    compact = "".join(text.split())
    if not _HEX_RE.match(compact):
        bad = next(i for i, c in enumerate(compact) if c not in "0123456789abcdefABCDEF")
        raise FrameError(f"{source}: character {bad}: expected hexadecimal digits, got {compact[bad]!r}")
    if len(compact) % 2:
        raise FrameError(f"{source}: odd number of hex digits ({len(compact)})")
    return bytes.fromhex(compact)


def other_info_for(message_code: int, supplementary_originator: bytes | None = None,
                   supplementary_counter: int | None = None) -> bytes:
    """Build other-information: the message code, plus the remote party id and counter if given."""
    out = message_code.to_bytes(2, "big")
    if supplementary_originator is not None:
        out += supplementary_originator + (supplementary_counter or 0).to_bytes(8, "big")
    return out
