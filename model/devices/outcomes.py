"""Explicit results, reason codes, GBCS alert/event codes and the per-device event log.

Every device operation returns an :class:`Outcome` rather than raising: an attacker harness or a
proof replay needs to see *why* something was refused (duplicate, bad MAC, locked out, ...), with
the ZSE Consumer Top Up result code and the GBCS alert/event code the real device would raise
(domain.md 1.5), so that invariants can be stated over outcomes and event logs alike.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum, IntEnum
from typing import Any


class Alert(IntEnum):
    """GBCS alert / event codes used by the devices (domain.md 1.5, 3.1)."""

    CREDIT_EXCEEDS_MAX_BALANCE = 0x8F47
    DUPLICATE_UTRN = 0x8F51
    UTRN_EXCEEDS_MAX_CREDIT = 0x8F5B
    UTRN_NOT_AUTHENTIC = 0x8F63
    UTRN_NOT_FOR_DEVICE = 0x8F64
    CREDIT_ADDED_LOCALLY = 0x810E
    UTRN_MANUAL_ENTRY_SUSPENDED = 0x81C4
    UTRN_LOCKED_OUT = 0x81C5
    DEVICE_LOG_CHANGED = 0x8F12  # CS14


class ZseResult(IntEnum):
    """ZSE Consumer Top Up Response result codes (ZSE 1.4 Table D-154)."""

    ACCEPTED = 0x00
    REJECTED_INVALID = 0x01
    REJECTED_DUPLICATE = 0x02
    REJECTED_ERROR = 0x03
    REJECTED_MAX_CREDIT = 0x04
    REJECTED_KEYPAD_LOCK = 0x05
    REJECTED_TOO_LARGE = 0x06
    ACCEPTED_SUPPLY_ENABLED = 0x10
    ACCEPTED_SUPPLY_DISABLED = 0x11
    ACCEPTED_SUPPLY_ARMED = 0x12


class Reason(str, Enum):
    """Why an operation was accepted or refused (stable strings for reports and traces)."""

    ACCEPTED = "accepted"
    MALFORMED = "malformed"
    LOCKED_OUT = "locked-out"
    DUPLICATE = "duplicate"
    BELOW_FLOOR = "below-floor"
    BELOW_CACHE_WINDOW = "below-cache-window"
    NOT_AUTHENTIC = "not-authentic"
    NOT_FOR_DEVICE = "not-for-device"
    EXCEEDS_MAX_TOPUP = "exceeds-max-topup"
    EXCEEDS_MAX_BALANCE = "exceeds-max-balance"
    BAD_MAC = "bad-mac"
    BAD_SIGNATURE = "bad-signature"
    REPLAYED_COUNTER = "replayed-counter"
    UNKNOWN_CODE = "unknown-message-code"
    WRONG_ROLE = "wrong-role"
    UNKNOWN_ORIGINATOR = "unknown-originator"
    NOT_ON_DEVICE_LOG = "not-on-device-log"
    WINDOW_CLOSED = "window-closed"
    BAD_CERTIFICATE = "bad-certificate"
    MP169_BLOCKED = "mp169-blocked"
    NOT_RESPONSIBLE_SUPPLIER = "not-responsible-supplier"
    NOT_ALLOWED = "not-allowed"
    NO_ROUTE = "no-route"
    PENDING = "pending"


#: ZSE result and alert for each UTRN rejection reason.
UTRN_REJECTION_CODES: dict[Reason, tuple[ZseResult, Alert | None]] = {
    Reason.MALFORMED: (ZseResult.REJECTED_INVALID, Alert.UTRN_NOT_AUTHENTIC),
    Reason.LOCKED_OUT: (ZseResult.REJECTED_KEYPAD_LOCK, Alert.UTRN_LOCKED_OUT),
    Reason.DUPLICATE: (ZseResult.REJECTED_DUPLICATE, Alert.DUPLICATE_UTRN),
    Reason.BELOW_FLOOR: (ZseResult.REJECTED_DUPLICATE, Alert.DUPLICATE_UTRN),
    Reason.BELOW_CACHE_WINDOW: (ZseResult.REJECTED_DUPLICATE, Alert.DUPLICATE_UTRN),
    Reason.NOT_AUTHENTIC: (ZseResult.REJECTED_INVALID, Alert.UTRN_NOT_AUTHENTIC),
    Reason.NOT_FOR_DEVICE: (ZseResult.REJECTED_INVALID, Alert.UTRN_NOT_FOR_DEVICE),
    Reason.EXCEEDS_MAX_TOPUP: (ZseResult.REJECTED_TOO_LARGE, Alert.UTRN_EXCEEDS_MAX_CREDIT),
    Reason.EXCEEDS_MAX_BALANCE: (ZseResult.REJECTED_MAX_CREDIT, Alert.CREDIT_EXCEEDS_MAX_BALANCE),
}


@dataclass(frozen=True)
class Outcome:
    """The result of one device operation: accepted or not, why, and the codes a real device gives."""

    accepted: bool
    reason: Reason
    zse_result: int | None = None
    alert: int | None = None
    credited_pence: int = 0
    detail: str = ""

    @classmethod
    def ok(cls, detail: str = "", **kw: Any) -> "Outcome":
        return cls(True, Reason.ACCEPTED, detail=detail, **kw)

    @classmethod
    def refused(cls, reason: Reason, detail: str = "", **kw: Any) -> "Outcome":
        return cls(False, reason, detail=detail, **kw)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["reason"] = self.reason.value
        return d


@dataclass(frozen=True)
class Event:
    """One entry of a device's event log (time on the SimClock, optional GBCS code)."""

    t: float
    device: str
    name: str
    code: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"t": self.t, "device": self.device, "name": self.name,
                "code": None if self.code is None else f"0x{self.code:04X}", "data": dict(self.data)}
