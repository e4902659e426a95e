"""The Communications Hub (CHF): device log, joining windows, inter-PAN window and forwarding.

- The device log (the HAN "whitelist") changes only through CCS01/CCS02 carrying a valid ACB MAC
  (hub KA x ACB KA) and a fresh ACB counter; each change raises a CS14 alert (0x8F12), built as a real
  GBCS alert frame MACed towards the ACB (``cs14_alerts``).
- CCS01 opens joining for ``join_timeout`` seconds for that device; :meth:`CommsHub.join` succeeds
  only inside it with the logged install code.
- A-60MIN: inter-PAN (HHT commissioning over CBKE) is open for ``pairing.window_s`` seconds after
  power-on (``inf`` = removed, SECMP0037); :meth:`power_cycle` reopens it. Over inter-PAN any device
  with a ZigBee SE certificate can put itself on the log (the rogue-join path). Whether that addition
  raises CS14 is not public: this model does *not* raise one (``interpan_raises_cs14`` to change).
- Remote Party messages (from the WAN, or relayed onto the HAN by a joined PPMID/HHT) are forwarded
  only to devices on the log; HAN messages from devices not on the log are dropped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.assumptions import Assumptions
from nowan.model.devices.base import Device
from nowan.model.devices.clock import SimClock
from nowan.model.devices.devicelog import CCS01, CCS02, TYPE_NAMES, decode_device_log_change, DEVICE_TYPES
from nowan.model.devices.flaws import SHORT_MAC_BYTES, Flaw
from nowan.model.devices.keys import Party
from nowan.model.devices.meter import HanMessage
from nowan.model.devices.outcomes import Alert, Outcome, Reason
from nowan.model.errors import NowanError
from nowan.model.gbcs.crypto import CRA_ALERT, CRA_COMMAND
from nowan.model.gbcs.envelope import MAC_LEN, GeneralCiphering, GeneralSigning, other_info_for, parse_frame
from nowan.model.gbcs.protect import apply_mac, check_mac, command_mac_key

CS14 = 0x0018
ZSE_TRUSTED_ISSUER = "ZigBee-SE-CA"


class HanDevice(Protocol):
    eui: bytes

    def receive_remote(self, raw: bytes) -> Outcome: ...

    def receive_han(self, msg: HanMessage, source_type: str) -> Outcome: ...


@dataclass(frozen=True)
class ZseCertificate:
    """A ZigBee SE (CBKE) device certificate, reduced to what the hub checks."""

    eui: bytes
    issuer: str = ZSE_TRUSTED_ISSUER
    valid: bool = True


@dataclass
class LogEntry:
    device_type: int
    install_code: bytes
    added_at: float
    via: str  # "ccs01" | "inter-pan"
    joined: bool = False
    join_until: float = -math.inf

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.device_type, f"type-{self.device_type}")


class CommsHub(Device):
    """The CHF of one premises."""

    def __init__(self, party: Party, clock: SimClock, assumptions: Assumptions, *, acb_eui: bytes,
                 acb_ka_public: ec.EllipticCurvePublicKey, flaws: Iterable[Flaw] | Flaw | None = None,
                 interpan_raises_cs14: bool = False) -> None:
        super().__init__(party.name, party.eui, clock, flaws)
        self.party, self.acb_eui, self.acb_ka_public = party, acb_eui, acb_ka_public
        self.window_s = float(assumptions["pairing.window_s"])
        self.interpan_raises_cs14 = interpan_raises_cs14
        self.powered_on_at = clock.now
        self.device_log: dict[bytes, LogEntry] = {}
        self.radio: dict[bytes, HanDevice] = {}  # devices physically in range (not authorisation)
        self.last_counter: dict[tuple[bytes, int], int] = {}
        self.cs14_alerts: list[bytes] = []
        self.alert_counter = 0
        self.dropped: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- power and windows
    def power_cycle(self) -> None:
        """Supply interruption or hub removal: the inter-PAN window reopens (A-60MIN)."""
        self.powered_on_at = self.clock.now
        self.log("power-on")

    def inter_pan_open(self) -> bool:
        return math.isinf(self.window_s) or self.clock.now - self.powered_on_at <= self.window_s

    def attach(self, device: HanDevice) -> None:
        """Put a device in radio range (physical presence only; the log decides who may talk)."""
        self.radio[device.eui] = device

    def on_log(self, eui: bytes) -> bool:
        entry = self.device_log.get(eui)
        return entry is not None and entry.joined

    # ---------------------------------------------------------------- WAN side
    def receive_wan(self, raw: bytes) -> Outcome:
        """A GBCS frame from the DCC: CCS01/CCS02 for the hub itself, otherwise forwarded."""
        try:
            frame = parse_frame(bytes(raw))
        except NowanError as exc:
            return self._drop("malformed", str(exc), Reason.MALFORMED)
        if not isinstance(frame, GeneralCiphering):
            return self._drop("malformed", "not a General-Ciphering frame", Reason.MALFORMED)
        if frame.signing.recipient == self.eui:
            return self._device_log_command(frame)
        return self._forward(frame.signing.recipient, bytes(raw), "wan")

    def _forward(self, recipient: bytes, raw: bytes, via: str) -> Outcome:
        if not self.on_log(recipient) and not self.has(Flaw.DEVICE_LOG_BYPASS):
            return self._drop("not-on-log", f"recipient {recipient.hex()} via {via}", Reason.NOT_ON_DEVICE_LOG)
        device = self.radio.get(recipient)
        if device is None:
            return self._drop("no-route", f"recipient {recipient.hex()} not in range", Reason.NO_ROUTE)
        return device.receive_remote(raw)

    def _drop(self, name: str, detail: str, reason: Reason) -> Outcome:
        self.dropped.append({"t": self.clock.now, "why": name, "detail": detail})
        self.log("dropped", None, why=name, detail=detail)
        return Outcome.refused(reason, detail)

    def _device_log_command(self, frame: GeneralCiphering) -> Outcome:
        s = frame.signing
        if s.cra != CRA_COMMAND or s.originator != self.acb_eui:
            return self._drop("not-acb", f"originator {s.originator.hex()}", Reason.UNKNOWN_ORIGINATOR)
        key = command_mac_key(self.party.ka, self.acb_ka_public, s)  # type: ignore[arg-type]
        if not check_mac(frame, key, SHORT_MAC_BYTES if self.has(Flaw.SHORT_MAC_COMPARE) else MAC_LEN):
            return self._drop("bad-mac", f"message code 0x{s.message_code:04X}", Reason.BAD_MAC)
        if s.message_code not in (CCS01, CCS02):
            return self._drop("unsupported", f"message code 0x{s.message_code:04X}", Reason.UNKNOWN_CODE)
        cell = (s.originator, s.cra)
        last = self.last_counter.get(cell, -1)
        fresh = s.counter >= last if self.has(Flaw.COUNTER_EQUAL_ACCEPTED) else s.counter > last
        if not fresh:
            return self._drop("replay", f"counter {s.counter} <= {last}", Reason.REPLAYED_COUNTER)
        try:
            change = decode_device_log_change(s.content, s.message_code)
        except NowanError as exc:
            return self._drop("malformed", str(exc), Reason.MALFORMED)
        self.last_counter[cell] = s.counter
        if change.add:
            self.device_log[change.eui] = LogEntry(change.device_type, change.install_code, self.clock.now, "ccs01",
                                                   join_until=self.clock.now + change.join_timeout_s)
        else:
            self.device_log.pop(change.eui, None)
        self.log("device-log-changed", Alert.DEVICE_LOG_CHANGED, add=change.add, eui=change.eui.hex(), via="ccs01")
        self._raise_cs14(change.eui, change.add)
        return Outcome.ok("device log updated")

    def _raise_cs14(self, eui: bytes, add: bool) -> None:
        """CS14 (alert code 0x8F12) as a GBCS alert frame, MACed by the CHF towards the ACB."""
        self.alert_counter += 1
        content = bytes([0x8F, 0x12, 0x01 if add else 0x00]) + eui
        s = GeneralSigning(CRA_ALERT, self.alert_counter, self.eui, self.acb_eui, None, other_info_for(CS14),
                           content, None)
        self.cs14_alerts.append(apply_mac(s, command_mac_key(self.party.ka, self.acb_ka_public, s)).encode())  # type: ignore[arg-type]

    # ---------------------------------------------------------------- HAN side
    def join(self, eui: bytes, install_code: bytes) -> Outcome:
        """ZigBee join with the install-code link key, inside the device's joining window."""
        entry = self.device_log.get(eui)
        if entry is None:
            return self._drop("join-not-on-log", eui.hex(), Reason.NOT_ON_DEVICE_LOG)
        if entry.install_code != install_code:
            return self._drop("join-bad-install-code", eui.hex(), Reason.NOT_AUTHENTIC)
        if not entry.joined and self.clock.now > entry.join_until:
            return self._drop("join-window-closed", eui.hex(), Reason.WINDOW_CLOSED)
        entry.joined = True
        self.log("joined", None, eui=eui.hex(), device_type=entry.type_name)
        return Outcome.ok("joined")

    def inter_pan_join(self, eui: bytes, install_code: bytes, cert: ZseCertificate,
                       device_type: str = "hht", join_timeout_s: int = 90) -> Outcome:
        """HHT commissioning over inter-PAN + CBKE: the device adds itself to the log (A-60MIN)."""
        if not self.inter_pan_open():
            return self._drop("inter-pan-closed", eui.hex(), Reason.WINDOW_CLOSED)
        if not cert.valid or cert.issuer != ZSE_TRUSTED_ISSUER or cert.eui != eui:
            return self._drop("cbke-failed", eui.hex(), Reason.BAD_CERTIFICATE)
        self.device_log[eui] = LogEntry(DEVICE_TYPES[device_type], install_code, self.clock.now, "inter-pan",
                                        join_until=self.clock.now + join_timeout_s)
        self.log("device-log-changed", Alert.DEVICE_LOG_CHANGED if self.interpan_raises_cs14 else None,
                 add=True, eui=eui.hex(), via="inter-pan")
        if self.interpan_raises_cs14:
            self._raise_cs14(eui, True)
        return Outcome.ok("added over inter-PAN")

    def han_send(self, msg: HanMessage) -> Outcome:
        """A HAN-only message: dropped unless the source is on the log (and joined)."""
        if not self.on_log(msg.source) and not self.has(Flaw.DEVICE_LOG_BYPASS):
            return self._drop("source-not-on-log", msg.source.hex(), Reason.NOT_ON_DEVICE_LOG)
        if not self.on_log(msg.dest) or msg.dest not in self.radio:
            return self._drop("dest-not-on-log", msg.dest.hex(), Reason.NOT_ON_DEVICE_LOG)
        entry = self.device_log.get(msg.source)
        source_type = entry.type_name if entry else "unknown"
        return self.radio[msg.dest].receive_han(msg, source_type)

    def han_relay_remote(self, source: bytes, raw: bytes) -> Outcome:
        """A Remote Party frame put on the HAN by a joined device (HHT, or a PPMID relay)."""
        if not self.on_log(source) and not self.has(Flaw.DEVICE_LOG_BYPASS):
            return self._drop("source-not-on-log", source.hex(), Reason.NOT_ON_DEVICE_LOG)
        try:
            frame = parse_frame(bytes(raw))
        except NowanError as exc:
            return self._drop("malformed", str(exc), Reason.MALFORMED)
        recipient = frame.signing.recipient if isinstance(frame, GeneralCiphering) else frame.recipient
        if recipient == self.eui:
            return self.receive_wan(raw)
        return self._forward(recipient, bytes(raw), f"han:{source.hex()}")

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "eui": self.eui.hex(), "inter_pan_open": self.inter_pan_open(),
                "powered_on_at": self.powered_on_at,
                "device_log": {e.hex(): {"type": v.type_name, "via": v.via, "joined": v.joined,
                                         "added_at": v.added_at} for e, v in self.device_log.items()},
                "cs14_alerts": len(self.cs14_alerts), "dropped": len(self.dropped)}
