"""Verify a GBCS frame against a keystore: which keys apply, and do the MAC and signature hold.

The envelope says *what* was sent; this module decides *who must have protected it* and checks
that with whatever keys the keystore holds:

- a command's MAC is keyed ACB KA <-> recipient KA (the DCC applies it after access control), except
  HAN-only PPMID/HCALCS messages, which the originating device MACs itself;
- a response's or alert's MAC is keyed originator (device) KA <-> recipient KA;
- a signature (Critical commands, and the device's Critical responses and alerts) is checked against
  the DS certificate of the party that signs. For a command the catalogue names the candidates
  (``signer``): almost always the originator, which is the DCC's own key when the ACB originates a
  credential or join command (CS02b over SRV 6.21, CS03A2/CS03C over SRV 8.7.2); where it cannot
  decide (an uncatalogued code, or a signature on a command the catalogue lists as unsigned) both
  the originator and the supplementary remote party are tried. The first key that verifies is
  reported as ``signer``; the answer is ``invalid`` only when every candidate's key is held and
  none verifies, so a genuine signature by a plausible party is never called forged.

ECDH is symmetric, so either side's private key will do. Each check ends as ``valid``, ``invalid``,
``unknown`` (the keystore lacks the keys; never a guess) or ``absent`` (the frame carries none).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.gbcs.codes import SIGNERS, MessageCode, lookup
from nowan.model.gbcs.crypto import CRA_ALERT, CRA_COMMAND, CRA_RESPONSE, ecdh
from nowan.model.gbcs.envelope import GeneralCiphering, GeneralSigning, parse_frame
from nowan.model.gbcs.eui import format_eui
from nowan.model.gbcs.keystore import Keystore, KeyUse, Role
from nowan.model.gbcs.protect import check_mac, check_signature, mac_key_from_secret

CRA_NAMES = {CRA_COMMAND: "command", CRA_RESPONSE: "response", CRA_ALERT: "alert"}


class Check(str, Enum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"  # the keystore does not hold the keys needed
    ABSENT = "absent"    # the frame carries no MAC / no signature


@dataclass(frozen=True)
class Verification:
    """What one frame is and whether its protection holds."""

    source: str
    frame: str  # "protected" (General-Ciphering, MACed) or "signed-only" (General-Signing)
    cra: int
    counter: int
    originator: bytes
    recipient: bytes
    supplementary_originator: bytes | None
    message_code: int
    code: MessageCode | None
    mac: Check
    signature: Check
    notes: tuple[str, ...] = field(default=())
    #: The party whose DS key verified the signature, and its keystore role, when one did.
    signer: bytes | None = None
    signer_role: str | None = None

    @property
    def status(self) -> str:
        """``rejected`` if any check fails, ``verified`` if one passes and none fail, else ``unknown``."""
        checks = (self.mac, self.signature)
        if Check.INVALID in checks:
            return "rejected"
        return "verified" if Check.VALID in checks else "unknown"

    @property
    def fully_verified(self) -> bool:
        """Every protection GBCS requires of this frame is present and checked valid.

        ``status`` is honest about missing keys (``unknown`` is not a failure), which a CI gate must
        not read as success: a bit flip in the recipient EUI turns a forged frame into ``mac unknown``.
        This is the strict reading: a protected frame's MAC is valid; a signed-only frame is a
        response or alert (GBCS sends Critical ones signed, not MACed; a signed-only *command*
        is a pre-command no device accepts) and its signature is valid; the code is in the
        catalogue and, where it is Critical, the signature is valid.
        """
        if self.status != "verified" or self.code is None:
            return False
        if self.frame == "protected":
            protected = self.mac is Check.VALID
        else:
            protected = self.cra != CRA_COMMAND and self.signature is Check.VALID
        return protected and (self.signature is Check.VALID or not self.code.critical)

    @property
    def use_case(self) -> str | None:
        return self.code.use_case if self.code else None

    def to_dict(self) -> dict[str, Any]:
        """One ``nowan gbcs verify --json`` line: ``file``, ``message_code`` (``0x0007``), ``use_case``,
        ``title`` and ``critical`` (from the catalogue; null for an uncatalogued code), ``cra``
        (command | response | alert), ``frame`` (protected | signed-only), ``counter``,
        ``originator``, ``recipient`` (and ``supplementary_originator`` when the DCC acts for a
        Remote Party), ``mac`` and ``signature`` (valid | invalid | unknown | absent), ``signer``
        and ``signer_role`` (whose DS key verified the signature; null when none did), ``status``
        (verified | rejected | unknown) and ``notes``. Scripts rely on these names."""
        out: dict[str, Any] = {
            "file": self.source,
            "message_code": f"0x{self.message_code:04X}",
            "use_case": self.use_case,
            "title": self.code.title if self.code else None,
            "critical": self.code.critical if self.code else None,
            "cra": CRA_NAMES[self.cra],
            "frame": self.frame,
            "counter": self.counter,
            "originator": format_eui(self.originator),
            "recipient": format_eui(self.recipient),
        }
        if self.supplementary_originator is not None:
            out["supplementary_originator"] = format_eui(self.supplementary_originator)
        out.update(mac=self.mac.value, signature=self.signature.value,
                   signer=format_eui(self.signer) if self.signer is not None else None,
                   signer_role=self.signer_role, status=self.status, notes=list(self.notes))
        return out


class Verifier:
    """Checks frames against one keystore, caching ECDH shared secrets per key pair.

    The shared secret of a key pair never changes, while the derived key changes with every
    counter; caching Z (not the derived key) keeps each check honest about its KDF and GCM work.
    Pass ``cache_secrets=False`` to do the ECDH every time. The verifier reads the keystore as it
    is when built (the ACB's KA credentials, cached secrets): build a new one after changing it.
    """

    def __init__(self, keystore: Keystore, *, cache_secrets: bool = True) -> None:
        self.keystore = keystore
        self._cache: dict[tuple[bytes, bytes], bytes] | None = {} if cache_secrets else None
        self._acbs = tuple(c.eui for c in keystore if c.role is Role.ACCESS_CONTROL_BROKER
                           and c.use is KeyUse.KA)
        self._roles: dict[bytes, str | None] = {}  # signer EUI -> role label, read once per party

    def verify_bytes(self, raw: bytes, source: str = "frame") -> Verification:
        """Parse and verify; a malformed frame raises :class:`model.errors.FrameError`."""
        return self.verify_frame(parse_frame(raw, source), source)

    def verify_frame(self, frame: GeneralCiphering | GeneralSigning, source: str = "frame") -> Verification:
        signing = frame.signing if isinstance(frame, GeneralCiphering) else frame
        code = lookup(signing.message_code)
        notes: list[str] = []
        mac = self._check_mac(frame, code) if isinstance(frame, GeneralCiphering) else Check.ABSENT
        signature, signer = self._check_signature(signing, code)
        if (signature is Check.ABSENT and isinstance(frame, GeneralCiphering) and code is not None
                and code.critical and signing.cra == CRA_COMMAND):
            signature = Check.INVALID
            notes.append("Critical command without the Remote Party's signature")
        if isinstance(frame, GeneralCiphering) and any(frame.header_fields):
            notes.append("General-Ciphering header fields are set; GBCS leaves them empty and the MAC "
                         "does not cover them")
        if isinstance(frame, GeneralSigning) and signing.cra == CRA_COMMAND and not signing.signature:
            notes.append("pre-command: not yet signed or MACed, so nothing to check")
        if code is None:
            notes.append("message code not in the catalogue")
        return Verification(source=source,
                            frame="protected" if isinstance(frame, GeneralCiphering) else "signed-only",
                            cra=signing.cra, counter=signing.counter, originator=signing.originator,
                            recipient=signing.recipient,
                            supplementary_originator=signing.supplementary_originator,
                            message_code=signing.message_code, code=code, mac=mac,
                            signature=signature, notes=tuple(notes), signer=signer,
                            signer_role=self._role(signer))

    # -- MAC ---------------------------------------------------------------------------------
    def _mac_parties(self, signing: GeneralSigning, code: MessageCode | None) -> tuple[tuple[bytes, bytes], ...]:
        """The (EUI, EUI) KA pairs that may key this MAC: the ACB's with the recipient for a Remote
        Party command (an uncatalogued command is assumed to be one), else originator with recipient."""
        if signing.cra == CRA_COMMAND and (code is None or code.mac == "acb"):
            return tuple((acb, signing.recipient) for acb in self._acbs)
        return ((signing.originator, signing.recipient),)

    def _secret(self, a: bytes, b: bytes) -> bytes | None:
        if self._cache is not None and (a, b) in self._cache:
            return self._cache[(a, b)]
        ks = self.keystore
        pair: tuple[ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey] | None = None
        for mine, theirs in ((a, b), (b, a)):
            priv, pub = ks.private_key(mine, KeyUse.KA), ks.public_key(theirs, KeyUse.KA)
            if priv is not None and pub is not None:
                pair = (priv, pub)
                break
        if pair is None:
            return None
        z = ecdh(*pair)
        if self._cache is not None:
            self._cache[(a, b)] = z
        return z

    def _check_mac(self, frame: GeneralCiphering, code: MessageCode | None) -> Check:
        result = Check.UNKNOWN
        for a, b in self._mac_parties(frame.signing, code):
            z = self._secret(a, b)
            if z is None:
                continue
            if check_mac(frame, mac_key_from_secret(z, frame.signing)):
                return Check.VALID
            result = Check.INVALID
        return result

    # -- signature ---------------------------------------------------------------------------
    @staticmethod
    def signer_candidates(signing: GeneralSigning, code: MessageCode | None) -> tuple[bytes, ...]:
        """The EUIs whose DS key may have signed ``signing``, in the order to try them.

        Responses and alerts are signed by their originator, the Device. A command's candidates come
        from the catalogue; where it has none (an uncatalogued code, or a command GBCS sends
        unsigned) every plausible party is a candidate: the originator and any supplementary
        remote party.
        """
        if signing.cra != CRA_COMMAND:
            return (signing.originator,)
        parties = code.signers if code is not None and code.signers else SIGNERS
        euis = {"originator": signing.originator, "supplementary": signing.supplementary_originator}
        out: list[bytes] = []
        for party in parties:
            eui = euis[party]
            if eui is not None and eui not in out:
                out.append(eui)
        return tuple(out)

    def _check_signature(self, signing: GeneralSigning, code: MessageCode | None) -> tuple[Check, bytes | None]:
        """``valid`` with the signer whose key verifies; ``invalid`` only if every candidate's key is
        held and none verifies; otherwise ``unknown`` (an unheld key might be the signer's)."""
        if not signing.signature:
            return Check.ABSENT, None
        missing = False
        for eui in self.signer_candidates(signing, code):
            public = self.keystore.public_key(eui, KeyUse.DS)
            if public is None:
                missing = True
            elif check_signature(signing, public):
                return Check.VALID, eui
        return (Check.UNKNOWN if missing else Check.INVALID), None

    def _role(self, eui: bytes | None) -> str | None:
        if eui is None:
            return None
        if eui not in self._roles:
            role = self.keystore.role(eui)
            cred = self.keystore.credential(eui, KeyUse.DS) if role is None else None
            self._roles[eui] = role.label if role is not None else cred.role_label if cred is not None else None
        return self._roles[eui]


def verify_frame(raw: bytes, keystore: Keystore, source: str = "frame") -> Verification:
    """One-shot convenience: parse ``raw`` and verify it against ``keystore``."""
    return Verifier(keystore).verify_bytes(raw, source)
