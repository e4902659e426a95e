"""Keystore: EUI-64, role and key use from the DCC's test certificates; bad files named in errors."""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from nowan.model.errors import KeyError_
from nowan.model.gbcs.keystore import Keystore, KeyUse, Role, load_certificate, load_private_key

KEYS = Path(__file__).parents[2] / "data" / "keystore"
ACB = bytes.fromhex("90b3d51f30000002")
SUPPLIER = bytes.fromhex("90b3d51f30010000")
ESME = bytes.fromhex("00db1234567890a0")


@pytest.fixture(scope="module")
def store() -> Keystore:
    return Keystore.load(KEYS)


def _point(key) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def test_remote_party_certificates_give_eui_role_and_use(store: Keystore) -> None:
    acb = store.credential(ACB, KeyUse.KA)
    assert acb is not None and acb.role is Role.ACCESS_CONTROL_BROKER and acb.private_key is not None
    for use in (KeyUse.DS, KeyUse.KA, KeyUse.PP_KA):
        cred = store.credential(SUPPLIER, use)
        assert cred is not None and cred.role is Role.SUPPLIER and cred.private_key is not None
        assert _point(cred.private_key.public_key()) == _point(cred.public_key)
    assert store.role(SUPPLIER) is Role.SUPPLIER and store.role(ACB).label == "access-control-broker"


def test_prepayment_top_up_key_is_a_separate_credential(store: Keystore) -> None:
    assert _point(store.public_key(SUPPLIER, KeyUse.PP_KA)) != _point(store.public_key(SUPPLIER, KeyUse.KA))


def test_device_certificates_take_the_eui_from_subject_alt_name(store: Keystore) -> None:
    for n in range(5):
        eui = bytes.fromhex(f"00db1234567890a{n}")
        for use in (KeyUse.DS, KeyUse.KA):
            cred = store.credential(eui, use)
            assert cred is not None and cred.device and cred.role is None
            assert cred.role_label == "device" and cred.private_key is None


def test_bare_public_key_and_certless_private_key_are_indexed_by_file_name(store: Keystore) -> None:
    bare = store.credential(bytes.fromhex("fffffffffffffffe"), KeyUse.KA)
    assert bare is not None and bare.role_label == "unknown"
    lone = store.credential(bytes.fromhex("123456789abcdef0"), KeyUse.KA)
    assert lone is not None and lone.private_key is not None


def test_the_certificate_not_the_file_name_says_whose_key_it_is(tmp_path: Path) -> None:
    shutil.copy(KEYS / "90b3d51f30010000-ds.pem", tmp_path / "0000000000000001-ds.pem")
    cred = load_certificate(tmp_path / "0000000000000001-ds.pem")
    assert cred.eui == SUPPLIER and cred.use is KeyUse.DS


def test_a_misnamed_duplicate_does_not_shadow_the_properly_named_certificate(tmp_path: Path) -> None:
    shutil.copy(KEYS / "90b3d51f30010000-ka.pem", tmp_path / "90b3d51f30010000-ka.pem")
    shutil.copy(KEYS / "90b3d51f30000002-ka.pem", tmp_path / "90b3d51f30010000-zz.pem")  # not DCC-named
    shutil.copy(KEYS / "90b3d51f30010000-pp-ka.pem", tmp_path / "0000000000000009-ka.pem")  # says KA
    store = Keystore.load(tmp_path)
    cred = store.credential(SUPPLIER, KeyUse.KA)
    assert cred is not None and cred.source == "90b3d51f30010000-ka.pem"


def test_use_must_match_key_usage() -> None:
    with pytest.raises(KeyError_, match="90b3d51f30010000-ds.pem: certificate is for ds, expected ka"):
        load_certificate(KEYS / "90b3d51f30010000-ds.pem", use=KeyUse.KA)


@pytest.mark.parametrize("name, body, expected", [
    ("0011223344556677-ka.pem", b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
     "not a PEM X.509 certificate"),
    ("0011223344556677-ka.key", b"garbage", "not an unencrypted PEM private key"),
    ("somebody.pem", None, "needs a file name"),
])
def test_bad_files_raise_one_line_errors_naming_the_file(tmp_path: Path, name: str, body: bytes | None,
                                                         expected: str) -> None:
    if body is None:  # a bare public key with no EUI in its name
        body = (KEYS / "fffffffffffffffe-ka.pem").read_bytes()
    (tmp_path / name).write_bytes(body)
    with pytest.raises(KeyError_) as info:
        Keystore.load(tmp_path)
    assert name in str(info.value) and expected in str(info.value) and "\n" not in str(info.value)


def test_non_p256_keys_are_refused(tmp_path: Path) -> None:
    key = ec.derive_private_key(12345, ec.SECP384R1())
    (tmp_path / "k.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    with pytest.raises(KeyError_, match="k.key: expected a P-256"):
        load_private_key(tmp_path / "k.key")


def _certificate(subject: x509.Name) -> bytes:
    key = ec.derive_private_key(424242, ec.SECP256R1())
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(1)
               .not_valid_before(datetime.datetime(2020, 1, 1))
               .not_valid_after(datetime.datetime(2030, 1, 1)))
    builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, False, False,
                                                  False, False), critical=True)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize("subject, expected", [
    (x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "02")]),
     "neither x500UniqueIdentifier nor subjectAltName"),
    (x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "zz")]),
     "not a known hex role code"),
    (x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "02"),
                x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, "0102")]),
     "not an 8-byte EUI-64"),
])
def test_certificates_without_a_party_identity_are_refused(tmp_path: Path, subject: x509.Name,
                                                           expected: str) -> None:
    (tmp_path / "c.pem").write_bytes(_certificate(subject))
    with pytest.raises(KeyError_, match=expected):
        load_certificate(tmp_path / "c.pem")


def test_missing_directory_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError_, match="keystore directory not found"):
        Keystore.load(tmp_path / "nope")
