"""Applying and checking GBCS protection: the ACB/device GCM MAC and the Supplier's signature.

Who keys what (domain.md 2.2): a command's MAC is keyed from the Access Control Broker's KA key and
the recipient device's KA key, so only the DCC, after its access-control checks, can make a command
a device accepts; a response or alert is MACed by the device towards the originator. Critical
commands also carry the Remote Party's ECDSA signature over :meth:`GeneralSigning.signed_bytes`,
which the DCC cannot produce. ECDH is symmetric, so each function takes "my private key, your
public key" and works from either end.
"""
from __future__ import annotations

import hmac

from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.gbcs.crypto import derive_key, gmac, kdf, sign_raw, verify_raw
from nowan.model.gbcs.envelope import MAC_LEN, GeneralCiphering, GeneralSigning


def command_mac_key(private_key: ec.EllipticCurvePrivateKey, peer_public: ec.EllipticCurvePublicKey,
                    signing: GeneralSigning) -> bytes:
    """The AES key for this message's MAC (CRA, counter, originator and recipient from the APDU)."""
    return derive_key(private_key, peer_public, signing.originator, signing.cra, signing.counter,
                      signing.recipient)


def mac_key_from_secret(z: bytes, signing: GeneralSigning) -> bytes:
    """The same key from a cached ECDH shared secret (the secret is fixed per key pair)."""
    return kdf(z, signing.originator, signing.cra, signing.counter, signing.recipient)


def compute_mac(frame: GeneralCiphering, key: bytes) -> bytes:
    """The 12-byte GCM tag over the frame's AAD."""
    return gmac(key, frame.mac_iv(), frame.mac_aad(), MAC_LEN)


def apply_mac(signing: GeneralSigning, key: bytes) -> GeneralCiphering:
    """Wrap a General-Signing APDU into a MACed General-Ciphering frame."""
    unsigned = GeneralCiphering(signing, b"\x00" * MAC_LEN)
    return GeneralCiphering(signing, compute_mac(unsigned, key))


def check_mac(frame: GeneralCiphering, key: bytes, compare_bytes: int = MAC_LEN) -> bool:
    """Constant-time MAC check. ``compare_bytes`` below 12 exists only for seeded-flaw self-tests."""
    return hmac.compare_digest(compute_mac(frame, key)[:compare_bytes], frame.mac[:compare_bytes])


def sign(signing: GeneralSigning, ds_private: ec.EllipticCurvePrivateKey) -> GeneralSigning:
    """The Remote Party's signature, as on a Critical command."""
    return signing.with_signature(sign_raw(ds_private, signing.signed_bytes()))


def check_signature(signing: GeneralSigning, ds_public: ec.EllipticCurvePublicKey) -> bool:
    """True only if a 64-byte signature is present and verifies."""
    return bool(signing.signature) and verify_raw(ds_public, signing.signed_bytes(), signing.signature)
