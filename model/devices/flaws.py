"""Seeded flaws: deliberate weaknesses, used only by tests and self-tests.

The proofs (issue 4) and attackers (issue 5) must show that they *can* find a broken device, not only
that the faithful one holds. Each member weakens exactly one check and names the property it breaks.
Devices take ``flaws=frozenset({...})`` in their constructor; the default (no flaw) is the faithful
behaviour, and no production path ever sets one.
"""
from __future__ import annotations

from enum import Enum
from typing import Iterable

#: How many bytes of a MAC a SHORT_MAC_COMPARE device compares (GBCS tag: first bytes; UTRN: low byte).
SHORT_MAC_BYTES = 1


class Flaw(Enum):
    """One seeded flaw; the value says which property it should break."""

    NO_DUPLICATE_CHECK = "a UTRN counter already in the cache is credited again"
    COUNTER_EQUAL_ACCEPTED = "A-REPLAY uses >= instead of >: a command with the last counter is re-executed"
    LOCKOUT_OFF = "the UTRN keypad lockout never engages"
    DEVICE_LOG_BYPASS = "the hub passes HAN traffic from devices not on its device log"
    SHORT_MAC_COMPARE = "MACs are compared on SHORT_MAC_BYTES bytes only, so forgeries succeed by guessing"
    CRITICAL_SIGNATURE_UNCHECKED = "Critical commands are executed without checking the Supplier signature"
    NON_ATOMIC_UTRN_CHECK = "the UTRN duplicate check and the record of use are separate steps"
    NO_FLOOR_CHECK = "UTRN (and command) counters at or below the floor set on credential change are accepted"
    MP169_ANY_SENDER = "the DCC lets any user, not only the responsible supplier, change the MP169 flag"
    MP169_NOT_ENFORCED = "the DCC serves consumption-related requests while the MP169 flag is set"
    MP169_CLEARED_ON_COS = "a change of supplier clears the MP169 flag"


Flaws = frozenset[Flaw]
NO_FLAWS: Flaws = frozenset()


def as_flaws(flaws: Iterable[Flaw] | Flaw | None) -> Flaws:
    """Normalise a constructor argument (None, one Flaw, or an iterable) to a frozenset."""
    if flaws is None:
        return NO_FLAWS
    if isinstance(flaws, Flaw):
        return frozenset({flaws})
    return frozenset(flaws)
