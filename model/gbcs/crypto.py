"""GBCS cryptographic primitives, all from ``cryptography``: ECDH P-256, the SP 800-56A one-step
KDF with SHA-256, AES-128-GCM used as a MAC (GMAC over an empty plaintext) and raw r||s ECDSA.

Every GBCS MAC (commands, responses, alerts, and the UTRN's truncated tag) is derived the same way:
``K = SHA-256(00000001 || Z || OtherInfo)[:16]`` with OtherInfo binding the AES-GCM algorithm id,
the originator, the CRA flag, the 64-bit originator counter and the recipient. Keeping it in one
place means the UTRN and the message path cannot drift apart.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.exceptions import InvalidSignature

CRA_COMMAND = 1
CRA_RESPONSE = 2
CRA_ALERT = 3
CRA_PAYLOAD_ENCRYPTION = 4

#: DER body of the DLMS OID 2.16.756.5.8.3.0 (AES-GCM-128), the KDF AlgorithmID (domain.md 1.2).
KDF_ALGORITHM_ID = bytes.fromhex("60857406080300")
_CURVE = ec.SECP256R1()
_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
#: The algorithm descriptors are immutable; made once, not per message (a verifier checks thousands).
_ECDH = ec.ECDH()
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


def ecdh(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The 32-byte x-coordinate shared secret Z."""
    return private_key.exchange(_ECDH, public_key)


def other_info(originator: bytes, cra: int, counter: int, recipient: bytes) -> bytes:
    """KDF OtherInfo (33 bytes): AlgorithmID || originator || 09 || CRA || counter || recipient."""
    return (KDF_ALGORITHM_ID + originator + bytes([0x09, cra]) + counter.to_bytes(8, "big") + recipient)


def kdf(z: bytes, originator: bytes, cra: int, counter: int, recipient: bytes) -> bytes:
    """SP 800-56A single-step concatenation KDF, SHA-256, one round, truncated to an AES-128 key."""
    return hashlib.sha256(b"\x00\x00\x00\x01" + z + other_info(originator, cra, counter, recipient)).digest()[:16]


def derive_key(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey,
               originator: bytes, cra: int, counter: int, recipient: bytes) -> bytes:
    """ECDH then KDF: the per-message AES key. Either party's private key gives the same key."""
    return kdf(ecdh(private_key, public_key), originator, cra, counter, recipient)


def gmac(key: bytes, iv: bytes, aad: bytes, tag_len: int = 16) -> bytes:
    """AES-GCM over an empty plaintext: the tag, truncated to its first ``tag_len`` bytes."""
    return AESGCM(key).encrypt(iv, b"", aad)[:tag_len]


def sign_raw(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA P-256/SHA-256 signature as GBCS carries it: 64 bytes raw r||s.

    The nonce is derived from the key and the message (RFC 6979), so one key signs one message to
    the same bytes in every process: seed frames, traces and reports built from signed commands are
    reproducible, and a stored envelope trace replays anywhere. Verifiers accept either kind.
    """
    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_raw(public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    """Check a raw r||s signature; any malformed signature is simply invalid."""
    if len(signature) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < _ORDER and 0 < s < _ORDER):
        return False
    try:
        public_key.verify(encode_dss_signature(r, s), data, _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


@lru_cache(maxsize=None)
def deterministic_private_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key derived from a label, for reproducible simulations (never for real use)."""
    scalar = int.from_bytes(hashlib.sha256(b"nowan-sim-key:" + label.encode()).digest(), "big") % (_ORDER - 1) + 1
    return ec.derive_private_key(scalar, _CURVE)
