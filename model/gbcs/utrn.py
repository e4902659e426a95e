"""The SMETS2 UTRN: a 20-digit prepayment top-up token (GBCS 14; domain.md 1.1-1.3).

``UTRN = PPTD (19 digits) || check digit`` with ``PPTD = PTUT + 7394156990786306048``. The 64-bit
PTUT (MSB first): 7 zero bits, the 10-bit truncated originator counter (bits 32..41 of the 64-bit
counter), a 2-bit value class, a 13-bit value, and the low 32 bits of a 16-byte AES-GCM tag keyed
from the Supplier's prepayment top-up KA key and the device's KA key. Value, class and truncated
counter are public (anyone can decode them); only the 32-bit MAC protects the token.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.errors import UtrnFormatError
from nowan.model.gbcs.crypto import CRA_COMMAND, derive_key, gmac

PPTD_OFFSET = 7_394_156_990_786_306_048
PTUT_LIMIT = 1 << 57  # the top 7 PTUT bits are zero
UTRN_DIGITS = 20

# GBCS 14.8 check digit (a Verhoeff variant): permutation P, dihedral D5 table D, and GBCS's own
# inverse table, which is NOT the textbook Verhoeff inverse.
_P = ("0123456789", "1576283094", "5803796142", "8916043527",
      "9453126870", "4286573901", "2793806415", "7046913258")
_D = ((0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
      (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
      (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
      (9, 8, 7, 6, 5, 4, 3, 2, 1, 0))
_INV = (1, 2, 6, 7, 5, 8, 3, 0, 9, 4)

#: Prefix of the AES-GCM additional data for a UTRN MAC (security header style bytes).
_UTRN_AAD_PREFIX = bytes.fromhex("110000000000")


class ValueClass(IntEnum):
    """PTUT value class: the unit of the 13-bit value."""

    PENNIES = 0
    POUNDS = 1

    @classmethod
    def parse(cls, text: str) -> "ValueClass":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise UtrnFormatError(f"expected pennies or pounds, got {text!r}", where="--class") from None


@dataclass(frozen=True)
class Ptut:
    """A decoded Prepayment Top-Up Token."""

    counter10: int
    value_class: ValueClass
    value: int
    mac: int

    def __post_init__(self) -> None:
        if not (0 <= self.counter10 < 1024 and 0 <= self.value < 8192 and 0 <= self.mac < 1 << 32):
            raise UtrnFormatError("PTUT field out of range", where="PTUT")

    @property
    def high32(self) -> int:
        """PTUT bits 63..32 (lead, truncated counter, class, value): what the MAC covers."""
        return (self.counter10 << 15) | (int(self.value_class) << 13) | self.value

    @property
    def pence(self) -> int:
        """Credit value in pence."""
        return self.value * (100 if self.value_class == ValueClass.POUNDS else 1)

    def to_int(self) -> int:
        return (self.high32 << 32) | self.mac

    @classmethod
    def from_int(cls, ptut: int) -> "Ptut":
        if not 0 <= ptut < PTUT_LIMIT:
            raise UtrnFormatError("PTUT outside 0..2^57-1", where="PTUT")
        high = ptut >> 32
        vclass = (high >> 13) & 0x3
        if vclass > 1:
            raise UtrnFormatError(f"value class {vclass:02b} is reserved; expected 00 or 01", where="PTUT")
        return cls(counter10=(high >> 15) & 0x3FF, value_class=ValueClass(vclass), value=high & 0x1FFF,
                   mac=ptut & 0xFFFFFFFF)

    @classmethod
    def for_topup(cls, counter: int, value: int, value_class: ValueClass, mac: int = 0) -> "Ptut":
        """The PTUT fields for a 64-bit originator counter (whose low 32 bits must be zero)."""
        if not 0 < counter < 1 << 64:
            raise UtrnFormatError(f"expected a 64-bit counter above 0, got {counter}", where="--counter")
        if counter & 0xFFFFFFFF:
            raise UtrnFormatError(f"the low 32 bits of a UTRN originator counter must be 0 (e.g. {counter >> 32 or 1}"
                                  f" << 32 = {(counter >> 32 or 1) << 32}), got {counter:#x}", where="--counter")
        if not 0 <= value < 8192:
            raise UtrnFormatError(f"expected a value in 0..8191, got {value}", where="--value")
        return cls(counter10=(counter >> 32) & 0x3FF, value_class=value_class, value=value, mac=mac)


def check_digit(digits19: str) -> str:
    """The GBCS 14.8 check digit of the 19 PPTD digits."""
    acc, k = 0, 4
    for ch in digits19:
        acc = _D[acc][int(_P[k][int(ch)])]
        k = (k + 1) % 8
    return str(_INV[acc])


def utrn_from_ptut(ptut: int) -> str:
    """Encode a PTUT integer as the 20 UTRN digits."""
    pptd = f"{ptut + PPTD_OFFSET:019d}"
    return pptd + check_digit(pptd)


def decode_utrn(text: str) -> Ptut:
    """Decode 20 UTRN digits, checking length, digits, range and check digit (no keys needed)."""
    s = text.strip().replace(" ", "").replace("-", "")
    if not s.isdigit() or not s.isascii():
        raise UtrnFormatError(f"expected only digits, got {text!r}", where="UTRN")
    if len(s) != UTRN_DIGITS:
        raise UtrnFormatError(f"expected 20 digits, got {len(s)}", where="UTRN")
    pptd = int(s[:19])
    if not PPTD_OFFSET <= pptd < PPTD_OFFSET + PTUT_LIMIT:
        side = "below the minimum" if pptd < PPTD_OFFSET else "above the maximum"
        raise UtrnFormatError(f"PPTD out of range: {s[:19]} is {side} (a UTRN's first 19 digits lie in "
                              f"{PPTD_OFFSET}..{PPTD_OFFSET + PTUT_LIMIT - 1}, so it starts 73, 74 or 75)",
                              where="UTRN")
    expected = check_digit(s[:19])
    if s[19] != expected:
        raise UtrnFormatError(f"bad check digit {s[19]}, expected {expected}", where="UTRN")
    return Ptut.from_int(pptd - PPTD_OFFSET)


def utrn_tag_from_key(key: bytes, originator: bytes, recipient: bytes, counter: int, high32: int) -> bytes:
    """The 16-byte GCM tag given the derived AES key (lets callers cache the ECDH)."""
    aad = (_UTRN_AAD_PREFIX + originator + recipient + bytes([CRA_COMMAND]) + counter.to_bytes(8, "big")
           + high32.to_bytes(4, "big"))
    return gmac(key, originator + b"\x00\x00\x00\x00", aad, 16)


def utrn_key(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey,
             originator: bytes, recipient: bytes, counter: int) -> bytes:
    """The AES key for a UTRN: the message KDF with CRA = command."""
    return derive_key(private_key, public_key, originator, CRA_COMMAND, counter, recipient)


def utrn_tag(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey,
             originator: bytes, recipient: bytes, counter: int, high32: int) -> bytes:
    """The full 16-byte tag; the UTRN keeps its last 4 bytes."""
    return utrn_tag_from_key(utrn_key(private_key, public_key, originator, recipient, counter),
                             originator, recipient, counter, high32)


def generate_utrn(supplier_pp_key: ec.EllipticCurvePrivateKey, device_ka_public: ec.EllipticCurvePublicKey,
                  originator: bytes, recipient: bytes, counter: int, value: int,
                  value_class: ValueClass) -> str:
    """Mint a UTRN as the Supplier's vending system does."""
    fields = Ptut.for_topup(counter, value, value_class)
    tag = utrn_tag(supplier_pp_key, device_ka_public, originator, recipient, counter, fields.high32)
    mac = int.from_bytes(tag[-4:], "big")
    return utrn_from_ptut(Ptut(fields.counter10, fields.value_class, fields.value, mac).to_int())


def verify_utrn_mac(utrn: str | Ptut, private_key: ec.EllipticCurvePrivateKey,
                    public_key: ec.EllipticCurvePublicKey, originator: bytes, recipient: bytes,
                    counter: int) -> bool:
    """Check the 32-bit MAC for a given full counter (the meter's reconstruction supplies it)."""
    ptut = decode_utrn(utrn) if isinstance(utrn, str) else utrn
    if (counter >> 32) & 0x3FF != ptut.counter10:
        return False
    tag = utrn_tag(private_key, public_key, originator, recipient, counter, ptut.high32)
    return int.from_bytes(tag[-4:], "big") == ptut.mac
