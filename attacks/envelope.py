"""Mutation fuzzing of the GBCS envelope parser and verifier, seeded with real protected messages.

The attacker on any channel that carries full GBCS frames (WAN, a relaying PPMID, NFC, USB) can
hand the parser any bytes. Two properties must hold for every mutant of a real message:

- ``envelope-errors-documented``: parsing and verifying raise nothing but
  :class:`model.errors.FrameError` (the parser's own documented error);
- ``mutated-never-verifies``: no mutant whose *protected* bytes differ from every real message
  verifies (status ``verified``): a bit flip, a truncation, an insertion, or a field spliced in from
  another real message must break the MAC or signature. The protected bytes are those GBCS covers:
  the security header, the General-Signing APDU and the MAC of a General-Ciphering frame (the MAC's
  additional data, IV and tag), the whole General-Signing APDU of a signed-only frame.

A mutant that changes only the General-Ciphering header fields outside that protection
(transaction-id, system titles, date-time, other-information of the outer APDU) and still verifies
is not a broken check but what GBCS specifies: it is reported as ``envelope-uncovered-fields``, a
weakness of the format (evidence), never as a mutant that verifies. So is a real message's signed
General-Signing APDU cut out of its General-Ciphering frame: the signature covers those bytes, which
are unchanged.

Mutations are plain records (:class:`Mutation`) so that a finding is stored with the exact mutant
bytes and the operations that made it, and replays without the fuzzer.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from nowan.model.errors import FrameError, InputError
from nowan.model.gbcs.envelope import GeneralCiphering, GeneralSigning, parse_frame, parse_hex
from nowan.model.gbcs.keystore import Keystore
from nowan.model.gbcs.verify import Verifier
from nowan.model.safeio import read_text

#: Fields of the General-Signing APDU a splice can move between two real messages.
SPLICE_FIELDS = ("counter", "originator", "recipient", "date_time", "other_info", "content",
                 "signature", "mac", "cra")
OPS = ("flip", "set", "delete", "insert", "truncate", "splice")


@dataclass(frozen=True)
class Seed:
    """One real protected message used as a mutation seed."""

    name: str
    raw: bytes


@dataclass(frozen=True)
class Mutation:
    """One mutation: ``op`` with integer arguments ``a``/``b`` and optional bytes ``data`` (hex)."""

    op: str
    a: int = 0
    b: int = 0
    data: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "a": self.a, "b": self.b, "data": self.data}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Mutation":
        return cls(str(d["op"]), int(d.get("a", 0)), int(d.get("b", 0)), str(d.get("data", "")))


def decode_mutant(x: int, seeds: int) -> tuple[int, list[Mutation]]:
    """A seed index and one to four mutations from one packed integer (see attacks.machines: drawing one
    integer per mutant, not one per field, keeps the fuzzer's overhead small next to the verifier's work).

    The low-order digits give the seed, the count and the first mutation, so a shrunk (small) integer
    is a simple mutant; further mutations and inserted bytes come from a hash of the integer.
    """
    seed_index, x = x % seeds, x // seeds
    count, x = 1 + x % 4, x // 4
    stream = hashlib.sha256(x.to_bytes(8, "big")).digest() * 2
    muts = []
    for k in range(count):
        if k:
            x = int.from_bytes(stream[8 * k:8 * k + 8], "big")
        op, x = OPS[x % len(OPS)], x // len(OPS)
        a, x = x % 601, x // 601
        b, x = x % 301, x // 301
        data = stream[32 + 4 * k:32 + 4 * k + x % 9].hex() if op == "insert" else ""
        muts.append(Mutation(op, a, b, data))
    return seed_index, muts


def mutant_stream(x: int, count: int) -> list[int]:
    """``count`` packed mutants from one integer: ``x`` itself first, then hashes of (x, j)."""
    return [x] + [int.from_bytes(hashlib.sha256(f"{x}/{j}".encode()).digest()[:8], "big") >> 1
                  for j in range(1, count)]


#: The most seed frames one campaign reads (the DCC's RTDS set has about 150).
MAX_SEEDS = 10_000


def load_seeds(directory: str | Path) -> list[Seed]:
    """Every ``*.HEX`` under ``directory``: each must be a file holding a protected (``DD``) or
    signed frame. One that is not is a one-line error naming it: skipping it silently would run a
    campaign on fewer seeds than the user believes."""
    seeds: list[Seed] = []
    for path in sorted(Path(directory).rglob("*")):
        if path.suffix.upper() != ".HEX":
            continue
        if not path.is_file():
            raise InputError("expected a file holding a GBCS frame as hex (a directory, FIFO or broken link "
                             "is named .HEX)", where=f"--seeds {path}")
        if len(seeds) == MAX_SEEDS:
            raise InputError(f"more than {MAX_SEEDS:,} .HEX files; expected a folder of seed frames",
                             where=f"--seeds {directory}")
        raw = parse_hex(read_text(path, str(path), encoding="ascii"), str(path))
        try:
            parse_frame(raw)
        except FrameError as exc:
            raise FrameError(f"not a GBCS frame a seed can be: {exc.message}",
                             where=f"--seeds {path}" + (f" {exc.where}" if exc.where else "")) from None
        seeds.append(Seed(path.name, raw))
    return seeds


def _splice(raw: bytes, donor: bytes, field: str) -> bytes:
    """Replace one field of ``raw`` with the same field of ``donor`` (structure-aware)."""
    a, d = parse_frame(raw), parse_frame(donor)
    sa = a.signing if isinstance(a, GeneralCiphering) else a
    sd = d.signing if isinstance(d, GeneralCiphering) else d
    if field == "mac":
        if isinstance(a, GeneralCiphering) and isinstance(d, GeneralCiphering):
            return replace(a, mac=d.mac).encode()
        return raw
    value = getattr(sd, field)
    new = replace(sa, **{field: value})
    if field == "signature":
        new = new.with_signature(value)
    return replace(a, signing=new).encode() if isinstance(a, GeneralCiphering) else new.encode()


def apply(raw: bytes, mutations: Sequence[Mutation], seeds: Sequence[Seed]) -> bytes:
    """Apply mutations in order. A splice needs both frames to parse; if not, it is skipped."""
    buf = bytearray(raw)
    for m in mutations:
        n = len(buf)
        if m.op == "flip" and n:
            buf[m.a % n] ^= 1 << (m.b % 8)
        elif m.op == "set" and n:
            buf[m.a % n] = m.b & 0xFF
        elif m.op == "delete" and n:
            start = m.a % n
            del buf[start:start + max(1, m.b)]
        elif m.op == "insert":
            pos = m.a % (n + 1)
            buf[pos:pos] = bytes.fromhex(m.data)
        elif m.op == "truncate" and n:
            del buf[m.a % n:]
        elif m.op == "splice" and seeds:
            donor = seeds[m.a % len(seeds)].raw
            try:
                buf = bytearray(_splice(bytes(buf), donor, SPLICE_FIELDS[m.b % len(SPLICE_FIELDS)]))
            except (FrameError, ValueError):
                pass
    return bytes(buf)


@dataclass(frozen=True)
class Violation:
    """An envelope property broken by one mutant."""

    invariant: str
    message: str


_OUTER_FIELDS = ("transaction-id", "originator-system-title", "recipient-system-title", "date-time",
                 "other-information")


def protected_bytes(frame: GeneralCiphering | GeneralSigning) -> bytes:
    """The bytes GBCS protection covers: security header, General-Signing APDU and MAC (or, for a
    signed-only frame, the General-Signing APDU)."""
    if isinstance(frame, GeneralCiphering):
        return frame.security_header + frame.signing.encode() + frame.mac
    return frame.encode()


def check_mutant(mutant: bytes, verifier: Verifier, originals: frozenset[bytes],
                 protected: Mapping[bytes, GeneralCiphering | GeneralSigning] | None = None) -> Violation | None:
    """Parse and verify a mutant; None if it is rejected the documented way.

    ``protected`` maps the protected bytes of each original to its parsed frame: a verified mutant
    whose protected bytes are an original's changed only uncovered header fields.
    """
    if mutant in originals:
        return None
    try:
        result = verifier.verify_bytes(mutant, "mutant")
    except FrameError:
        return None
    except Exception as exc:  # noqa: BLE001 - the property is precisely "nothing else escapes"
        return Violation("envelope-errors-documented",
                         f"parser/verifier raised {type(exc).__name__}: {exc}")
    if result.status == "verified":
        frame = parse_frame(mutant)
        original = (protected or {}).get(protected_bytes(frame))
        if isinstance(frame, GeneralSigning) and isinstance(original, GeneralCiphering):
            return Violation("envelope-uncovered-fields",
                             f"mutant {result.message_code:#06x} is a real message's General-Signing APDU, "
                             "unchanged, with the General-Ciphering layer and its MAC stripped; it verifies on "
                             "its own signature, which covers exactly those bytes")
        if original is not None:
            changed = [name for name, a, b in zip(_OUTER_FIELDS, getattr(frame, "header_fields", ()),
                                                  getattr(original, "header_fields", ())) if a != b]
            return Violation("envelope-uncovered-fields",
                             f"mutant {result.message_code:#06x} changed only General-Ciphering header fields "
                             f"outside the MAC ({', '.join(changed) or 'encoding'}) and still verifies, as GBCS "
                             "specifies")
        return Violation("mutated-never-verifies",
                         f"mutant {result.message_code:#06x} verified (mac {result.mac.value}, "
                         f"signature {result.signature.value})")
    return None


class EnvelopeTarget:
    """Seeds, a verifier and the set of originals: everything a mutation check needs."""

    def __init__(self, seeds: Iterable[Seed], keystore: Keystore, *,
                 verifier_factory: Callable[[Keystore], Verifier] = Verifier) -> None:
        self.seeds = tuple(seeds)
        if not self.seeds:
            raise ValueError("the envelope fuzzer needs at least one seed frame")
        self.keystore = keystore
        self.verifier = verifier_factory(keystore)
        self.originals = frozenset(s.raw for s in self.seeds)
        frames = [parse_frame(s.raw) for s in self.seeds]
        # a General-Ciphering original's signed APDU on its own is its signed content, unchanged
        self.protected = {**{protected_bytes(f.signing): f for f in frames if isinstance(f, GeneralCiphering)
                             and f.signing.signature},
                          **{protected_bytes(f): f for f in frames}}

    def run(self, seed_index: int, mutations: Sequence[Mutation]) -> tuple[bytes, Violation | None]:
        raw = self.seeds[seed_index % len(self.seeds)].raw
        mutant = apply(raw, mutations, self.seeds)
        return mutant, check_mutant(mutant, self.verifier, self.originals, self.protected)


def verified_seeds(target: EnvelopeTarget) -> list[Seed]:
    """Seeds whose protection verifies with the keystore: the ones a mutant must not keep valid."""
    out = []
    for s in target.seeds:
        try:
            if target.verifier.verify_bytes(s.raw).status == "verified":
                out.append(s)
        except FrameError:
            continue
    return out

