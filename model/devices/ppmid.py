"""The PPMID (prepayment in-home display) and the HHT (installer's hand-held terminal).

A-PPMID: the PPMID has HAN-only authority (relay a UTRN top-up, activate emergency credit, request
supply ON) and no Remote Party keys. In relay mode (MP094 / SECMP0038) it receives fully formed GBCS
commands over Wi-Fi and puts them on the HAN: it can drop, delay, reorder or replay them (it keeps
every frame it has seen), but it has no key with which to forge one. Its own keys are DS/KA device
keys, which no meter accepts as Remote Party credentials.

The HHT joins over inter-PAN with its ZigBee SE certificate while the hub's window is open and then
relays Remote Party messages like any device on the log.
"""
from __future__ import annotations

from typing import Any

from nowan.model.devices.base import Device
from nowan.model.devices.clock import SimClock
from nowan.model.devices.content import ORIGIN_PPMID, zse_topup_content
from nowan.model.devices.hub import CommsHub, ZseCertificate
from nowan.model.devices.keys import Party
from nowan.model.devices.meter import HAN_EMERGENCY_CREDIT, HAN_SUPPLY_ON, HAN_TOPUP, SUPPLY_ON_REQUEST, HanMessage
from nowan.model.devices.outcomes import Outcome, Reason


class Ppmid(Device):
    """A PPMID on one premises' HAN."""

    def __init__(self, party: Party, clock: SimClock, hub: CommsHub, install_code: bytes) -> None:
        super().__init__(party.name, party.eui, clock)
        self.party, self.hub, self.install_code = party, hub, install_code
        self.inbox: list[bytes] = []     # relay mode: frames received over Wi-Fi, not yet forwarded
        self.seen: list[bytes] = []      # every frame ever received (replay material)
        self.received: list[tuple[HanMessage, str]] = []

    def join(self) -> Outcome:
        return self.hub.join(self.eui, self.install_code)

    # HAN-only authority ------------------------------------------------------------------
    def top_up(self, meter: bytes, meter_kind: str, utrn: str) -> Outcome:
        """PECS01 (ESME) / PCS01 (GSME): relay a UTRN; the meter validates it itself."""
        msg = HanMessage(self.eui, meter, HAN_TOPUP[meter_kind], zse_topup_content(utrn, ORIGIN_PPMID))
        return self._send(msg)

    def emergency_credit(self, meter: bytes, meter_kind: str) -> Outcome:
        return self._send(HanMessage(self.eui, meter, HAN_EMERGENCY_CREDIT[meter_kind]))

    def supply_on(self, meter: bytes, meter_kind: str = "esme") -> Outcome:
        code = HAN_SUPPLY_ON.get(meter_kind)
        if code is None:
            return Outcome.refused(Reason.NOT_ALLOWED, "supply ON from a PPMID exists only for the ESME")
        return self._send(HanMessage(self.eui, meter, code, bytes([SUPPLY_ON_REQUEST])))

    def _send(self, msg: HanMessage) -> Outcome:
        out = self.hub.han_send(msg)
        self.log("han-sent", msg.message_code, dest=msg.dest.hex(), accepted=out.accepted, reason=out.reason.value)
        return out

    def receive_han(self, msg: HanMessage, source_type: str) -> Outcome:
        self.received.append((msg, source_type))
        return Outcome.ok("displayed")

    def receive_remote(self, raw: bytes) -> Outcome:
        return Outcome.refused(Reason.NOT_ALLOWED, "a PPMID executes no Remote Party commands")

    # Relay mode (SECMP0038 / MP094) ---------------------------------------------------------
    def receive_wifi(self, raw: bytes) -> None:
        """A frame arrives over the Wi-Fi bearer from the Supplier."""
        self.inbox.append(bytes(raw))
        self.seen.append(bytes(raw))

    def forward(self, index: int = 0) -> Outcome:
        """Put queued frame ``index`` on the HAN (in order by default; any index = reorder)."""
        if not 0 <= index < len(self.inbox):
            return Outcome.refused(Reason.NO_ROUTE, "nothing queued at that position")
        raw = self.inbox.pop(index)
        return self._relay(raw)

    def drop(self, index: int = 0) -> bool:
        """Withhold a queued frame for good."""
        if 0 <= index < len(self.inbox):
            self.inbox.pop(index)
            return True
        return False

    def replay(self, index: int) -> Outcome:
        """Send again any frame seen before (the meter's counter checks must stop it)."""
        if not 0 <= index < len(self.seen):
            return Outcome.refused(Reason.NO_ROUTE, "no such frame seen")
        return self._relay(self.seen[index])

    def _relay(self, raw: bytes) -> Outcome:
        out = self.hub.han_relay_remote(self.eui, raw)
        self.log("relayed", None, accepted=out.accepted, reason=out.reason.value)
        return out

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "eui": self.eui.hex(), "queued": len(self.inbox), "seen": len(self.seen)}


class Hht(Device):
    """An installer's HHT (or any device holding a ZigBee SE certificate: the rogue-join actor)."""

    def __init__(self, party: Party, clock: SimClock, install_code: bytes, cert: ZseCertificate | None = None) -> None:
        super().__init__(party.name, party.eui, clock)
        self.party, self.install_code = party, install_code
        self.cert = cert if cert is not None else ZseCertificate(party.eui)
        self.received: list[tuple[HanMessage, str]] = []

    def commission(self, hub: CommsHub, device_type: str = "hht") -> Outcome:
        """Inter-PAN CBKE, self-add to the device log, then join (needs the A-60MIN window open)."""
        hub.attach(self)
        out = hub.inter_pan_join(self.eui, self.install_code, self.cert, device_type)
        if not out.accepted:
            return out
        return hub.join(self.eui, self.install_code)

    def relay(self, hub: CommsHub, raw: bytes) -> Outcome:
        return hub.han_relay_remote(self.eui, raw)

    def receive_han(self, msg: HanMessage, source_type: str) -> Outcome:
        self.received.append((msg, source_type))
        return Outcome.ok()

    def receive_remote(self, raw: bytes) -> Outcome:
        return Outcome.refused(Reason.NOT_ALLOWED, "an HHT executes no Remote Party commands")
