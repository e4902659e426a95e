"""SMKI-style keystore: DCC test certificates and keys, indexed by party EUI-64 and key use.

GBCS binds every key to a party (its EUI-64) and to one use: a Digital Signing (DS) key signs
Critical commands and device responses, a Key Agreement (KA) key feeds the ECDH behind every
message MAC, and a Supplier's Prepayment Top-up KA key (a separate SMKI credential with its own
trust-anchor cell) mints UTRNs. A verifier therefore needs "the DS public key of EUI x" or "the KA
private key of EUI y", which is what :class:`Keystore` answers.

The directory layout is the DCC's (RTDS / DCC Boxed): ``<eui>-ds.pem``, ``<eui>-ka.pem`` and
``<eui>-pp-ka.pem`` certificates, ``.key`` PKCS#8 private keys. The certificate, not the file name,
is the authority for the EUI and the role (the DCC set has one file whose name and certificate
disagree). Prepayment top-up KA certificates are indistinguishable from ordinary KA certificates
except by the file name, so ``pp-ka`` in the name is what marks them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, IntEnum
from pathlib import Path
from typing import Iterable, Iterator

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID, ObjectIdentifier

from nowan.model.errors import InputError, KeyError_
from nowan.model.safeio import read_bytes

#: x500UniqueIdentifier: the Remote Party's EUI-64 in an Organisation certificate subject.
X500_UNIQUE_IDENTIFIER = ObjectIdentifier("2.5.4.45")
#: id-on-hardwareModuleName (RFC 4108): the otherName that carries a Device's EUI-64.
HARDWARE_MODULE_NAME = ObjectIdentifier("1.3.6.1.5.5.7.8.4")

_FILE_NAME = re.compile(r"^(?P<eui>[0-9a-fA-F]{16})-(?P<use>ds|ka|pp-ka)\.(?P<ext>pem|key)$")


class KeyUse(str, Enum):
    """What a key is for; GBCS keeps these in separate certificates."""

    DS = "ds"        # digitalSignature: Critical commands, device responses and alerts
    KA = "ka"        # keyAgreement: ECDH for message MACs
    PP_KA = "pp-ka"  # keyAgreement, Prepayment Top-up cell: UTRN MACs


class Role(IntEnum):
    """Remote Party role codes carried as the hex subject OU of an Organisation certificate."""

    ROOT = 0
    RECOVERY = 1
    SUPPLIER = 2
    NETWORK_OPERATOR = 3
    ACCESS_CONTROL_BROKER = 4
    TRANSITIONAL_COS = 5
    WAN_PROVIDER = 6
    ISSUING_AUTHORITY = 7
    LOAD_CONTROLLER = 8
    OTHER = 127
    XML_SIGN = 135
    DSP_XML_SIGN = 137

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True)
class Credential:
    """One party's public key for one use, with its private key if the keystore holds it.

    ``role`` is None for Device certificates (no OU) and for bare public keys; ``device`` says the
    EUI came from a Device certificate's subjectAltName.
    """

    eui: bytes
    use: KeyUse
    public_key: ec.EllipticCurvePublicKey
    role: Role | None
    source: str
    device: bool = False
    private_key: ec.EllipticCurvePrivateKey | None = None

    @property
    def role_label(self) -> str:
        if self.role is not None:
            return self.role.label
        return "device" if self.device else "unknown"


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _require_p256(key: object, source: str, what: str) -> None:
    if not isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)) or \
            not isinstance(key.curve, ec.SECP256R1):
        raise KeyError_(f"expected a P-256 (prime256v1) {what}", where=source)


def _der_read(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """Read one DER TLV at ``pos``: (tag, value, next position). Short and long lengths."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 3 or pos + n > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, data[pos:pos + length], pos + length


def _eui_from_unique_identifier(value: bytes | str, source: str) -> bytes:
    """x500UniqueIdentifier is a BIT STRING: ``00`` unused-bits octet then the 8-byte EUI."""
    raw = value if isinstance(value, bytes) else value.encode("latin-1")
    if len(raw) == 9 and raw[0] == 0:
        raw = raw[1:]
    if len(raw) != 8:
        raise KeyError_(f"x500UniqueIdentifier is not an 8-byte EUI-64 ({len(raw)} bytes)", where=source)
    return raw


def _eui_from_hardware_module_name(value: bytes, source: str) -> bytes:
    """HardwareModuleName ::= SEQUENCE { hwType OID, hwSerialNum OCTET STRING (the EUI-64) }."""
    try:
        tag, body, _ = _der_read(value, 0)
        if tag == 0xA0:  # explicit [0] wrapper, as some encoders hand the otherName value over
            tag, body, _ = _der_read(body, 0)
        if tag != 0x30:
            raise ValueError("not a SEQUENCE")
        _, _, pos = _der_read(body, 0)
        tag, serial, _ = _der_read(body, pos)
    except ValueError as exc:
        raise KeyError_(f"subjectAltName hardwareModuleName is not valid DER ({exc})", where=source) from None
    if tag != 0x04 or len(serial) != 8:
        raise KeyError_("subjectAltName hardwareModuleName does not hold an 8-byte EUI-64", where=source)
    return serial


def _certificate_identity(cert: x509.Certificate, source: str) -> tuple[bytes, Role | None, bool]:
    """The party EUI-64, role and whether it is a Device certificate."""
    role: Role | None = None
    ous = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    if ous:
        text = str(ous[0].value)
        try:
            role = Role(int(text, 16))
        except ValueError:
            raise KeyError_(f"subject OU {text!r} is not a known hex role code", where=source) from None
    uids = cert.subject.get_attributes_for_oid(X500_UNIQUE_IDENTIFIER)
    if uids:
        return _eui_from_unique_identifier(uids[0].value, source), role, False
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        raise KeyError_("certificate has neither x500UniqueIdentifier nor subjectAltName EUI-64",
                        where=source) from None
    for name in san.get_values_for_type(x509.OtherName):
        if name.type_id == HARDWARE_MODULE_NAME:
            return _eui_from_hardware_module_name(name.value, source), role, True
    raise KeyError_("subjectAltName has no hardwareModuleName EUI-64", where=source)


def _certificate_use(cert: x509.Certificate, source: str, pp: bool) -> KeyUse:
    try:
        ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        raise KeyError_("certificate has no keyUsage extension (expected digitalSignature or "
                        "keyAgreement)", where=source) from None
    if ku.digital_signature and not ku.key_agreement:
        if pp:
            raise KeyError_("a prepayment top-up certificate must be keyAgreement, not "
                            "digitalSignature", where=source)
        return KeyUse.DS
    if ku.key_agreement and not ku.digital_signature:
        return KeyUse.PP_KA if pp else KeyUse.KA
    raise KeyError_("keyUsage must be exactly one of digitalSignature or keyAgreement", where=source)


def _read(path: Path, what: str) -> bytes:
    try:
        return read_bytes(path, str(path), limit=1024 * 1024)
    except InputError as exc:
        raise KeyError_(f"cannot read {what} ({exc.message})", where=str(path)) from None


def load_certificate(path: str | Path, *, use: KeyUse | None = None) -> Credential:
    """Load one DCC-style certificate (or bare PEM public key named ``<eui>-<use>.pem``).

    ``use`` overrides the file-name rule for the prepayment top-up cell, for certificates whose
    name does not follow the DCC convention.
    """
    path = Path(path)
    source = path.name
    data = _read(path, "certificate")
    named = _FILE_NAME.match(source)
    pp = use is KeyUse.PP_KA or (use is None and bool(named) and named["use"] == "pp-ka")
    if b"-----BEGIN PUBLIC KEY-----" in data and b"CERTIFICATE" not in data:
        return _bare_public_key(data, source, named, use)
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise KeyError_("not a PEM X.509 certificate", where=source) from None
    public_key = cert.public_key()
    _require_p256(public_key, source, "public key")
    eui, role, device = _certificate_identity(cert, source)
    cert_use = _certificate_use(cert, source, pp)
    if use is not None and use is not cert_use and not (use is KeyUse.PP_KA and cert_use is KeyUse.KA):
        raise KeyError_(f"certificate is for {cert_use.value}, expected {use.value}", where=source)
    return Credential(eui=eui, use=cert_use, public_key=public_key, role=role, source=source,
                      device=device)


def _bare_public_key(data: bytes, source: str, named: re.Match[str] | None,
                     use: KeyUse | None) -> Credential:
    if named is None:
        raise KeyError_("a bare public key needs a file name <eui>-ds|ka|pp-ka.pem to say whose "
                        "it is", where=source)
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise KeyError_("not a PEM public key", where=source) from None
    _require_p256(key, source, "public key")
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return Credential(eui=bytes.fromhex(named["eui"]), use=use or KeyUse(named["use"]),
                      public_key=key, role=None, source=source)


def load_private_key(path: str | Path) -> ec.EllipticCurvePrivateKey:
    """Load an unencrypted PEM (PKCS#8 or SEC1) P-256 private key."""
    path = Path(path)
    data = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyError_("not an unencrypted PEM private key", where=path.name) from None
    _require_p256(key, path.name, "private key")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


class Keystore:
    """Credentials by (EUI-64, use), with private keys attached where the directory has them."""

    def __init__(self, credentials: Iterable[Credential] = ()) -> None:
        self._by_id: dict[tuple[bytes, KeyUse], Credential] = {}
        for cred in credentials:
            self.add(cred)

    def add(self, cred: Credential) -> None:
        """Index ``cred``; a file whose name matches its EUI wins over one that does not."""
        key = (cred.eui, cred.use)
        old = self._by_id.get(key)
        if old is not None and _name_matches(old) and not _name_matches(cred):
            return
        if old is not None and old.private_key is not None and cred.private_key is None \
                and _point(old.public_key) == _point(cred.public_key):
            return
        self._by_id[key] = cred

    @classmethod
    def load(cls, directory: str | Path) -> "Keystore":
        """Load every ``.pem`` certificate/public key and ``.key`` private key in ``directory``."""
        root = Path(directory)
        if not root.is_dir():
            raise KeyError_("keystore directory not found", where=str(directory))
        store = cls()
        by_point: dict[bytes, list[Credential]] = {}
        keys: list[tuple[Path, ec.EllipticCurvePrivateKey]] = []
        for path in sorted(root.iterdir()):
            if path.suffix == ".pem":
                cred = load_certificate(path)
                store.add(cred)
                by_point.setdefault(_point(cred.public_key), []).append(cred)
            elif path.suffix == ".key":
                keys.append((path, load_private_key(path)))
        for path, priv in keys:
            matches = by_point.get(_point(priv.public_key()), [])
            if matches:
                for cred in matches:
                    store.add(Credential(**{**cred.__dict__, "private_key": priv}))
                continue
            named = _FILE_NAME.match(path.name)
            if named:  # a key with no certificate: trust the DCC file-name convention
                store.add(Credential(eui=bytes.fromhex(named["eui"]), use=KeyUse(named["use"]),
                                     public_key=priv.public_key(), role=None, source=path.name,
                                     private_key=priv))
        return store

    def credential(self, eui: bytes, use: KeyUse) -> Credential | None:
        return self._by_id.get((bytes(eui), use))

    def public_key(self, eui: bytes, use: KeyUse) -> ec.EllipticCurvePublicKey | None:
        cred = self.credential(eui, use)
        return cred.public_key if cred else None

    def private_key(self, eui: bytes, use: KeyUse) -> ec.EllipticCurvePrivateKey | None:
        cred = self.credential(eui, use)
        return cred.private_key if cred else None

    def role(self, eui: bytes) -> Role | None:
        """The party's Remote Party role, from any of its Organisation certificates."""
        for use in KeyUse:
            cred = self.credential(eui, use)
            if cred is not None and cred.role is not None:
                return cred.role
        return None

    def __iter__(self) -> Iterator[Credential]:
        return iter(sorted(self._by_id.values(), key=lambda c: (c.eui, c.use.value)))

    def __len__(self) -> int:
        return len(self._by_id)


def _name_matches(cred: Credential) -> bool:
    named = _FILE_NAME.match(cred.source)
    return bool(named) and bytes.fromhex(named["eui"]) == cred.eui
