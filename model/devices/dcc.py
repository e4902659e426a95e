"""The DCC with its Access Control Broker (ACB), and the MP169 reduced-communications flag.

:meth:`Dcc.submit` takes a Remote Party's General-Signing APDU (signed when Critical) and returns
the General-Ciphering bytes a device will accept, or a refusal:

1. the sender is a registered user whose role may send this message code (catalogue ``sender``),
   and HAN-only codes are never accepted from the WAN side;
2. a Supplier may address only devices for which it is the responsible supplier;
3. MP169: while a device's flag is set, consumption-related requests are refused; alerts, firmware
   and everything else pass. Only the responsible supplier may set or clear the flag, and it stays
   with the device on a change of supplier (it is the consumer's choice, not the supplier's);
4. Critical commands must carry a signature the DCC can verify with the sender's DS key;
5. the ACB MAC (ACB KA x device KA) is applied.

Device-log changes (CCS01/CCS02) are originated by the ACB itself on the supplier's behalf
(supplementary originator and counter in other-information, as in the reference test messages).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.devices.base import Device
from nowan.model.devices.clock import SimClock
from nowan.model.devices.devicelog import CCS01, CCS02, encode_ccs01, encode_ccs02
from nowan.model.devices.flaws import Flaw
from nowan.model.devices.keys import Party
from nowan.model.devices.outcomes import Outcome, Reason
from nowan.model.errors import NowanError
from nowan.model.gbcs import codes
from nowan.model.gbcs.crypto import CRA_ALERT, CRA_COMMAND
from nowan.model.gbcs.envelope import GeneralCiphering, GeneralSigning, other_info_for, parse_frame
from nowan.model.gbcs.protect import apply_mac, check_mac, check_signature, command_mac_key

#: Requests that relate directly to the consumer's consumption, the only ones MP169 suppresses
#: (seed 001 section 2.5): what the meter measured as imported, in any form. Electricity: import
#: energy, power and TOU registers (ECS17b-e), import maximum demand (ECS18b), prepayment registers
#: (ECS19), billing data logs (ECS20a-d), daily read logs (ECS21a-b), half-hour import profiles
#: (ECS22b-c), the daily consumption log (ECS66) and the meter balance (ECS82). Gas: consumption and
#: TOU registers (GCS13a, GCS13c), prepayment registers (GCS14), billing data logs (GCS15b-e), daily
#: read logs (GCS16a-b), the profile data log (GCS17), the network data log (GCS18), the meter
#: balance (GCS60) and the daily consumption log (GCS61). Export (generation) reads, event and
#: security logs, configuration and tariff reads still pass: which messages count is left to the
#: solution's development (seed 001), and those that pass are the data that still flows.
CONSUMPTION_RELATED = frozenset({
    0x0027, 0x0028, 0x0029, 0x002A, 0x002C, 0x002D, 0x002E, 0x002F, 0x0030, 0x00C9,   # ECS17b-ECS20d
    0x0033, 0x0034, 0x0037, 0x0038, 0x0060, 0x0069,                                   # ECS21a-ECS82
    0x0074, 0x00B6, 0x0075, 0x00C3, 0x0076, 0x00C4, 0x00C5, 0x0077, 0x0096,           # GCS13a-GCS16b
    0x0078, 0x0079, 0x008D, 0x00A0,                                                   # GCS17-GCS61
})

#: Catalogue originator forms a user may send as itself. ``remote-party-or-acb`` codes (joins and
#: unjoins such as CS03A2, CS03C, CS04AC) exist in a form the Supplier originates and signs, and a
#: form the DCC originates; this DCC only relays user-originated commands, so it takes the first.
REMOTE_PARTY_FORMS = frozenset({"remote-party", "remote-party-or-acb"})


@dataclass
class UserRecord:
    role: str  # catalogue sender label: supplier | network-operator | acb ...
    ds_public: ec.EllipticCurvePublicKey | None


@dataclass
class DeviceRecord:
    kind: str
    ka_public: ec.EllipticCurvePublicKey
    supplier: bytes | None
    mp169: bool = False


@dataclass(frozen=True)
class Submission:
    """What the DCC did with a request: the outcome, and the frame to deliver if accepted."""

    outcome: Outcome
    frame: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome.to_dict(), "frame": self.frame.hex() if self.frame else None}


class Dcc(Device):
    """DCC access control and the ACB."""

    def __init__(self, acb: Party, clock: SimClock, flaws: Iterable[Flaw] | Flaw | None = None) -> None:
        super().__init__(acb.name, acb.eui, clock, flaws)
        self.acb = acb
        self.users: dict[bytes, UserRecord] = {}
        self.devices: dict[bytes, DeviceRecord] = {}
        self.acb_counter = 0x500
        self.alerts: list[dict[str, Any]] = []
        self.last_alert_counter: dict[bytes, int] = {}

    def register_user(self, eui: bytes, role: str, ds_public: ec.EllipticCurvePublicKey | None) -> None:
        self.users[eui] = UserRecord(role, ds_public)

    def register_device(self, eui: bytes, kind: str, ka_public: ec.EllipticCurvePublicKey,
                        supplier: bytes | None) -> None:
        self.devices[eui] = DeviceRecord(kind, ka_public, supplier)

    # ---------------------------------------------------------------- MP169
    def set_mp169(self, sender: bytes, device: bytes, value: bool) -> Outcome:
        rec = self.devices.get(device)
        if rec is None:
            return Outcome.refused(Reason.NO_ROUTE, f"unknown device {device.hex()}")
        if rec.supplier != sender and not self.has(Flaw.MP169_ANY_SENDER):
            self.log("mp169-refused", None, sender=sender.hex(), device=device.hex())
            return Outcome.refused(Reason.NOT_RESPONSIBLE_SUPPLIER, "only the responsible supplier may change MP169")
        rec.mp169 = bool(value)
        self.log("mp169-set" if value else "mp169-cleared", None, device=device.hex(), sender=sender.hex())
        return Outcome.ok()

    def change_supplier(self, device: bytes, new_supplier: bytes) -> None:
        """Change of supplier: the responsible supplier changes, the MP169 flag stays."""
        self.devices[device].supplier = new_supplier
        if self.has(Flaw.MP169_CLEARED_ON_COS):
            self.devices[device].mp169 = False
        self.log("change-of-supplier", None, device=device.hex(), supplier=new_supplier.hex())

    # ---------------------------------------------------------------- commands
    def _refuse(self, reason: Reason, detail: str) -> Submission:
        self.log("request-refused", None, reason=reason.value, detail=detail)
        return Submission(Outcome.refused(reason, detail))

    def submit(self, sender: bytes, signing: GeneralSigning) -> Submission:
        """Access control, then the ACB MAC; returns the frame for the device or why not."""
        user = self.users.get(sender)
        if user is None or signing.originator != sender:
            return self._refuse(Reason.UNKNOWN_ORIGINATOR, f"sender {sender.hex()}")
        entry = codes.lookup(signing.message_code)
        if entry is None or entry.kind != "command" or signing.cra != CRA_COMMAND:
            return self._refuse(Reason.UNKNOWN_CODE, f"0x{signing.message_code:04X}")
        if entry.originator not in REMOTE_PARTY_FORMS or not entry.may_be_sent_by(user.role):
            return self._refuse(Reason.WRONG_ROLE, f"{entry.use_case} may not be sent by a {user.role}")
        rec = self.devices.get(signing.recipient)
        if rec is None:
            return self._refuse(Reason.NO_ROUTE, f"unknown device {signing.recipient.hex()}")
        if user.role == "supplier" and rec.supplier != sender:
            return self._refuse(Reason.NOT_RESPONSIBLE_SUPPLIER, f"{sender.hex()} for {signing.recipient.hex()}")
        if rec.mp169 and signing.message_code in CONSUMPTION_RELATED and not self.has(Flaw.MP169_NOT_ENFORCED):
            return self._refuse(Reason.MP169_BLOCKED, f"{entry.use_case} while MP169 is set")
        if entry.critical and (user.ds_public is None or not check_signature(signing, user.ds_public)):
            return self._refuse(Reason.BAD_SIGNATURE, entry.use_case)
        frame = apply_mac(signing, command_mac_key(self.acb.ka, rec.ka_public, signing))  # type: ignore[arg-type]
        self.log("command-protected", None, message_code=signing.message_code, device=signing.recipient.hex(),
                 counter=signing.counter)
        return Submission(Outcome.ok(entry.use_case), frame.encode())

    def device_log_change(self, sender: bytes, sender_counter: int, hub: bytes, device: bytes, *, add: bool,
                          install_code: bytes = b"", device_type: int = 0, join_timeout_s: int = 90) -> Submission:
        """SRV 8.11: the ACB originates CCS01/CCS02 to the hub on the responsible supplier's behalf.

        The sender must be entitled to the code (catalogue ``sender``) and, for a supplier, be the
        hub's responsible supplier: otherwise a second supplier could add a device to another
        supplier's hub, or remove the consumer's PPMID.
        """
        user = self.users.get(sender)
        code = CCS01 if add else CCS02
        entry = codes.lookup(code)
        if user is None or entry is None or not entry.may_be_sent_by(user.role):
            return self._refuse(Reason.WRONG_ROLE, f"device log change by {sender.hex()}")
        hub_rec = self.devices.get(hub)
        if hub_rec is None:
            return self._refuse(Reason.NO_ROUTE, f"unknown hub {hub.hex()}")
        if user.role == "supplier" and hub_rec.supplier != sender:
            # as submit() does for commands: only the hub's responsible supplier changes its log
            return self._refuse(Reason.NOT_RESPONSIBLE_SUPPLIER, f"{sender.hex()} for hub {hub.hex()}")
        self.acb_counter += 1
        content = (encode_ccs01(self.acb_counter, device, install_code, device_type, join_timeout_s) if add
                   else encode_ccs02(self.acb_counter, device))
        s = GeneralSigning(CRA_COMMAND, self.acb_counter, self.acb.eui, hub, None,
                           other_info_for(code, sender, sender_counter), content, None)
        frame = apply_mac(s, command_mac_key(self.acb.ka, hub_rec.ka_public, s))  # type: ignore[arg-type]
        self.log("device-log-command", None, add=add, device=device.hex(), hub=hub.hex())
        return Submission(Outcome.ok("CCS01" if add else "CCS02"), frame.encode())

    # ---------------------------------------------------------------- alerts (always pass, MP169 or not)
    def receive_alert(self, raw: bytes) -> Outcome:
        """Check an alert's device MAC (device KA x ACB KA) and counter; keep it."""
        try:
            frame = parse_frame(bytes(raw))
        except NowanError as exc:
            return Outcome.refused(Reason.MALFORMED, str(exc))
        if not isinstance(frame, GeneralCiphering) or frame.signing.cra != CRA_ALERT:
            return Outcome.refused(Reason.MALFORMED, "not an alert frame")
        s = frame.signing
        rec = self.devices.get(s.originator)
        if rec is None or not check_mac(frame, command_mac_key(self.acb.ka, rec.ka_public, s)):  # type: ignore[arg-type]
            return Outcome.refused(Reason.BAD_MAC, f"alert from {s.originator.hex()}")
        if s.counter <= self.last_alert_counter.get(s.originator, -1):
            return Outcome.refused(Reason.REPLAYED_COUNTER, f"alert counter {s.counter}")
        self.last_alert_counter[s.originator] = s.counter
        self.alerts.append({"t": self.clock.now, "device": s.originator.hex(), "code": s.message_code,
                            "content": s.content.hex()})
        return Outcome.ok("alert accepted")
