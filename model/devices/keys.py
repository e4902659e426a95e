"""Party identities with deterministic keys, and an ECDH cache.

GBCS fixes the ECDH shared secret per key pair; only the KDF input (CRA, counter, parties) changes
per message. :class:`CachedKa` wraps a KA private key and memoises ``exchange`` per peer key, so a
meter verifying thousands of UTRNs or commands pays one ECDH per peer. It is duck-compatible with
``EllipticCurvePrivateKey`` where ``model.gbcs`` uses one (``exchange`` and ``public_key``), so the
byte-exact GBCS functions are used unchanged.

:meth:`CachedKa.from_secrets` builds one whose private key is unknown but whose shared secrets were
computed from the other end (ECDH is symmetric): how a simulated meter can carry a DCC test device
identity and accept the reference test messages, although the device private keys are not public.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.gbcs.crypto import deterministic_private_key


def _point(pub: ec.EllipticCurvePublicKey) -> bytes:
    return pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


class CachedKa:
    """A key-agreement key that computes each peer's shared secret Z once."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey | None = None, *,
                 public: ec.EllipticCurvePublicKey | None = None) -> None:
        if private_key is None and public is None:
            raise ValueError("CachedKa needs a private key or a public key with secrets")
        self._priv = private_key
        self._pub = public if public is not None else private_key.public_key()  # type: ignore[union-attr]
        self._z: dict[bytes, bytes] = {}

    @classmethod
    def from_secrets(cls, public: ec.EllipticCurvePublicKey,
                     counterparts: list[ec.EllipticCurvePrivateKey]) -> "CachedKa":
        """A key known only by its public half, with Z precomputed from each peer's private key."""
        ka = cls(None, public=public)
        for peer in counterparts:
            ka._z[_point(peer.public_key())] = peer.exchange(ec.ECDH(), public)
        return ka

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        k = _point(peer_public_key)
        z = self._z.get(k)
        if z is None:
            if self._priv is None:
                raise KeyError("no private key and no precomputed secret for this peer")
            z = self._z[k] = self._priv.exchange(algorithm, peer_public_key)
        return z

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._pub


@dataclass
class Party:
    """A GBCS party: EUI-64, role label, and its DS / KA / prepayment top-up KA keys."""

    name: str
    eui: bytes
    role: str  # supplier | acb | esme | gsme | chf | ppmid | hht
    ds: ec.EllipticCurvePrivateKey | None
    ka: CachedKa
    pp_ka: CachedKa | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ds_public(self) -> ec.EllipticCurvePublicKey:
        assert self.ds is not None
        return self.ds.public_key()

    @property
    def ka_public(self) -> ec.EllipticCurvePublicKey:
        return self.ka.public_key()

    @property
    def pp_public(self) -> ec.EllipticCurvePublicKey:
        assert self.pp_ka is not None
        return self.pp_ka.public_key()


def make_party(name: str, eui: bytes | str, role: str, *, prepayment: bool = False) -> Party:
    """A party whose keys derive from its EUI and key use (reproducible across runs)."""
    e = bytes.fromhex(eui.replace("-", "")) if isinstance(eui, str) else eui
    label = e.hex()
    return Party(name, e, role, deterministic_private_key(f"{label}-ds"),
                 CachedKa(deterministic_private_key(f"{label}-ka")),
                 CachedKa(deterministic_private_key(f"{label}-pp-ka")) if prepayment else None)
