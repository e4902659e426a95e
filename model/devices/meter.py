"""The smart meter (ESME or GSME) prepayment state machine.

Inputs, each returning an :class:`Outcome` and leaving entries in ``events``:

- :meth:`Meter.enter_utrn` (keypad, or ``path="han"`` for a UTRN relayed by the PPMID/HAN), also as
  :meth:`begin_utrn` + :meth:`finish_utrn` so that attackers can interleave two entries. The faithful
  meter checks and records in ``finish_utrn`` in one step (domain.md 10: check-and-record atomic).
- :meth:`Meter.receive_remote`: a Remote Party command as real GBCS bytes (General-Ciphering from the
  DCC, forwarded by the hub). Checked in order: frame, recipient, ACB MAC (meter KA x ACB KA), message
  code known and not HAN-only, originator is this meter's Supplier, Supplier signature when Critical,
  A-REPLAY (counter strictly above the last accepted for that originator and CRA), then the effect.
  CS01a/CS01b top-ups use the UTRN counter rules (A-UTRN-CACHE) with the header counter instead.
- :meth:`Meter.receive_han`: HAN-only PPMID commands (top-up relay, emergency credit, supply on); the
  hub has already dropped senders that are not on its device log.

State for invariants: ``account`` (balance, debt, emergency credit, limits), ``utrn_cell`` (floor and
cache), ``credited`` (one record per credited UTRN), ``executed`` (every command run, with its
originator and counter), ``last_counter``, ``lockout`` and ``events``.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.assumptions import Assumptions
from nowan.model.devices.account import (MODE_CREDIT, MODE_PREPAYMENT, SUPPLY_ARMED, SUPPLY_OFF, SUPPLY_ON,
                                   DEFAULT_PRICE_PENCE_PER_KWH, PrepaymentAccount, PrepaymentConfig)
from nowan.model.devices.base import Device
from nowan.model.devices.clock import SimClock
from nowan.model.devices.commands import ESME, GSME, MODE_CREDIT as CMD_MODE_CREDIT, decode_command
from nowan.model.devices.content import decode_zse_topup
from nowan.model.devices.flaws import SHORT_MAC_BYTES, Flaw
from nowan.model.devices.keys import Party
from nowan.model.devices.lockout import Lockout
from nowan.model.devices.outcomes import UTRN_REJECTION_CODES, Alert, Outcome, Reason, ZseResult
from nowan.model.devices.utrn_cache import UtrnCounterCache
from nowan.model.errors import NowanError
from nowan.model.gbcs import codes
from nowan.model.gbcs.crypto import CRA_COMMAND
from nowan.model.gbcs.envelope import MAC_LEN, GeneralCiphering, parse_frame
from nowan.model.gbcs.protect import check_mac, check_signature, command_mac_key
from nowan.model.gbcs.utrn import Ptut, decode_utrn, utrn_tag

PATH_KEYPAD, PATH_HAN, PATH_WAN = "keypad", "han", "wan"

# HAN-only message codes (domain.md 2.3 / 4) by meter kind.
HAN_TOPUP = {ESME: 0x0116, GSME: 0x009B}
HAN_EMERGENCY_CREDIT = {ESME: 0x0117, GSME: 0x0090}
HAN_SUPPLY_ON = {ESME: 0x0118}
SUPPLY_ON_REQUEST = 0x02  # ZSE Local Change Supply: only "Supply ON" can succeed from a PPMID


@dataclass(frozen=True)
class SupplierAnchor:
    """The responsible Supplier's credentials as installed on the meter (trust-anchor cells)."""

    eui: bytes
    ds_public: ec.EllipticCurvePublicKey
    pp_public: ec.EllipticCurvePublicKey


@dataclass(frozen=True)
class HanMessage:
    """A HAN-only message between devices on the hub's log (ZSE/APS security abstracted)."""

    source: bytes
    dest: bytes
    message_code: int
    payload: bytes = b""

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source.hex(), "dest": self.dest.hex(), "message_code": self.message_code,
                "payload": self.payload.hex()}


@dataclass(frozen=True)
class CreditRecord:
    """One credited UTRN: which counter (upper word), how much, by which path, when."""

    t: float
    upper: int
    pence: int
    path: str
    utrn: str


@dataclass(frozen=True)
class ExecutedCommand:
    """One Remote Party command that passed the security checks and was executed."""

    t: float
    originator: str
    counter: int
    message_code: int
    command: str
    outcome: str
    #: SHA-256 (hex) of the command content as executed: an auditor (or attacker harness) compares it
    #: with what the supplier issued, since originator, counter and message code alone do not fix
    #: the value (an insider re-MACing an unsigned command keeps all three).
    content_sha256: str = ""


@dataclass
class UtrnTicket:
    """A UTRN entry in progress (between :meth:`Meter.begin_utrn` and :meth:`Meter.finish_utrn`)."""

    utrn: str
    path: str
    ptut: Ptut | None = None
    header_upper: int | None = None
    originator: bytes | None = None
    decided: tuple[Reason, int] | None = None  # set at begin only by NON_ATOMIC_UTRN_CHECK
    done: bool = False


class Meter(Device):
    """An ESME (``kind="esme"``) or GSME (``kind="gsme"``) in prepayment mode."""

    def __init__(self, party: Party, clock: SimClock, assumptions: Assumptions, *, kind: str,
                 acb_eui: bytes, acb_ka_public: ec.EllipticCurvePublicKey, supplier: SupplierAnchor,
                 pp_floor: int = 0, flaws: Iterable[Flaw] | Flaw | None = None) -> None:
        super().__init__(party.name, party.eui, clock, flaws)
        if kind not in (ESME, GSME):
            raise ValueError(f"meter kind must be esme or gsme, got {kind!r}")
        self.party, self.kind, self.assumptions = party, kind, assumptions
        self.acb_eui, self.acb_ka_public = acb_eui, acb_ka_public
        self.supplier = supplier
        self.account = PrepaymentAccount(PrepaymentConfig.from_assumptions(assumptions))
        self.utrn_cell = UtrnCounterCache(int(assumptions["utrn.cache_size"]), str(assumptions["utrn.reconstruction"]),
                                          floor=pp_floor)
        self.lockout = Lockout(int(assumptions["lockout.max_failures"]), float(assumptions["lockout.window_s"]),
                               float(assumptions["lockout.lock_s"]), enabled=Flaw.LOCKOUT_OFF not in self.flaws)
        self.lockout_covers_han = bool(assumptions["lockout.covers_han"])
        self.last_counter: dict[tuple[bytes, int], int] = {}
        self.credited: list[CreditRecord] = []
        self.executed: list[ExecutedCommand] = []

    # ---------------------------------------------------------------- UTRN paths
    def enter_utrn(self, utrn: str, path: str = PATH_KEYPAD) -> Outcome:
        """Type (keypad) or relay (han) a UTRN: begin and finish in one go."""
        return self.finish_utrn(self.begin_utrn(utrn, path))

    def begin_utrn(self, utrn: str, path: str = PATH_KEYPAD) -> UtrnTicket:
        """Start a UTRN entry. Faithful: only remembers it. NON_ATOMIC_UTRN_CHECK: decides here."""
        if path not in (PATH_KEYPAD, PATH_HAN):
            raise ValueError(f"UTRN path must be keypad or han, got {path!r}")
        ticket = UtrnTicket(utrn, path)
        if self.has(Flaw.NON_ATOMIC_UTRN_CHECK):
            self._decide(ticket)
        return ticket

    def finish_utrn(self, ticket: UtrnTicket) -> Outcome:
        """Check and record atomically (faithful), then credit."""
        if ticket.done:
            raise ValueError("UTRN ticket already finished")
        ticket.done = True
        if ticket.decided is None:
            self._decide(ticket)
        assert ticket.decided is not None
        reason, upper = ticket.decided
        return self._conclude(ticket, reason, upper)

    def _lockout_applies(self, path: str) -> bool:
        return path == PATH_KEYPAD or (path == PATH_HAN and self.lockout_covers_han)

    def _decide(self, ticket: UtrnTicket) -> None:
        """Everything up to and including the MAC: lockout, format, counter rules, authenticity."""
        now = self.clock.now
        if self._lockout_applies(ticket.path) and self.lockout.locked(now):
            ticket.decided = (Reason.LOCKED_OUT, -1)
            return
        try:
            ticket.ptut = ticket.ptut or decode_utrn(ticket.utrn)
        except NowanError:
            ticket.decided = (Reason.MALFORMED, -1)
            return
        ptut = ticket.ptut
        floor_check = not self.has(Flaw.NO_FLOOR_CHECK)
        upper = (ticket.header_upper if ticket.header_upper is not None
                 else self.utrn_cell.reconstruct(ptut.counter10, use_floor=floor_check))
        verdict = self.utrn_cell.check(upper, duplicate_check=not self.has(Flaw.NO_DUPLICATE_CHECK),
                                       floor_check=floor_check)
        if verdict is not Reason.ACCEPTED:
            ticket.decided = (verdict, upper)
            return
        originator = ticket.originator or self.supplier.eui
        if not self._utrn_mac_ok(ptut, originator, upper << 32):
            ticket.decided = (Reason.NOT_AUTHENTIC, upper)
            return
        ticket.decided = (Reason.ACCEPTED, upper)

    def _utrn_mac_ok(self, ptut: Ptut, originator: bytes, counter: int) -> bool:
        if (counter >> 32) & 0x3FF != ptut.counter10:
            return False
        tag = utrn_tag(self.party.ka, self.supplier.pp_public, originator, self.eui, counter,  # type: ignore[arg-type]
                       ptut.high32)
        mac = int.from_bytes(tag[-4:], "big")
        if self.has(Flaw.SHORT_MAC_COMPARE):
            mask = (1 << (8 * SHORT_MAC_BYTES)) - 1
            return (mac & mask) == (ptut.mac & mask)
        return mac == ptut.mac

    def _conclude(self, ticket: UtrnTicket, reason: Reason, upper: int) -> Outcome:
        now = self.clock.now
        covered = self._lockout_applies(ticket.path)
        if reason is Reason.ACCEPTED:
            assert ticket.ptut is not None
            pence = ticket.ptut.pence
            limit = self.account.credit_check(pence)
            if limit is not None:
                reason = Reason.EXCEEDS_MAX_TOPUP if limit == "max-topup" else Reason.EXCEEDS_MAX_BALANCE
            else:
                self.utrn_cell.record(upper)
                self.account.add_credit(pence, f"utrn:{ticket.path}")
                self.credited.append(CreditRecord(now, upper, pence, ticket.path, ticket.utrn))
                alert = Alert.CREDIT_ADDED_LOCALLY if ticket.path != PATH_WAN else None
                self.log("utrn-credited", alert, upper=upper, pence=pence, path=ticket.path)
                return Outcome.ok(f"credited {pence} pence", zse_result=int(self._accepted_code()),
                                  alert=None if alert is None else int(alert), credited_pence=pence)
        zse, alert = UTRN_REJECTION_CODES[reason]
        self.log("utrn-rejected", alert, reason=reason.value, path=ticket.path, upper=upper)
        if covered and reason not in (Reason.LOCKED_OUT, Reason.EXCEEDS_MAX_TOPUP, Reason.EXCEEDS_MAX_BALANCE):
            if self.lockout.record_failure(now):
                self.log("utrn-entry-suspended", Alert.UTRN_MANUAL_ENTRY_SUSPENDED,
                         until=self.lockout.locked_until)
        return Outcome.refused(reason, zse_result=int(zse), alert=None if alert is None else int(alert))

    def _accepted_code(self) -> int:
        return {SUPPLY_ON: ZseResult.ACCEPTED_SUPPLY_ENABLED, SUPPLY_OFF: ZseResult.ACCEPTED_SUPPLY_DISABLED,
                SUPPLY_ARMED: ZseResult.ACCEPTED_SUPPLY_ARMED}[self.account.supply]

    # ---------------------------------------------------------------- Remote Party commands
    def _mac_ok(self, frame: GeneralCiphering) -> bool:
        key = command_mac_key(self.party.ka, self.acb_ka_public, frame.signing)  # type: ignore[arg-type]
        return check_mac(frame, key, SHORT_MAC_BYTES if self.has(Flaw.SHORT_MAC_COMPARE) else MAC_LEN)

    def receive_remote(self, raw: bytes) -> Outcome:
        """A GBCS command from the DCC (via the hub, or relayed by a PPMID/HHT)."""
        try:
            frame = parse_frame(bytes(raw))
        except NowanError as exc:
            return self._refuse_remote(Reason.MALFORMED, str(exc))
        if not isinstance(frame, GeneralCiphering):
            return self._refuse_remote(Reason.MALFORMED, "not a General-Ciphering frame (no ACB MAC)")
        s = frame.signing
        if s.cra != CRA_COMMAND:
            return self._refuse_remote(Reason.NOT_ALLOWED, f"CRA flag {s.cra} is not a command")
        if s.recipient != self.eui:
            return self._refuse_remote(Reason.NOT_FOR_DEVICE, f"recipient {s.recipient.hex()}")
        if not self._mac_ok(frame):
            return self._refuse_remote(Reason.BAD_MAC, f"message code 0x{s.message_code:04X}")
        entry = codes.lookup(s.message_code)
        if entry is None or entry.kind != "command":
            return self._refuse_remote(Reason.UNKNOWN_CODE, f"0x{s.message_code:04X}")
        if entry.han_only:
            return self._refuse_remote(Reason.NOT_ALLOWED, f"{entry.use_case} is HAN-only")
        if entry.sender != "supplier" or s.originator != self.supplier.eui:
            return self._refuse_remote(Reason.UNKNOWN_ORIGINATOR, f"{entry.use_case} from {s.originator.hex()}")
        if entry.critical and not self.has(Flaw.CRITICAL_SIGNATURE_UNCHECKED):
            if not check_signature(s, self.supplier.ds_public):
                return self._refuse_remote(Reason.BAD_SIGNATURE, entry.use_case)
        try:
            cmd = decode_command(s.content, s.message_code, self.kind)
        except NowanError as exc:
            return self._refuse_remote(Reason.MALFORMED, str(exc))
        if cmd.command.id == "top-up":
            return self._remote_topup(s.counter, s.originator, str(cmd.value), s.message_code)
        if entry.replay:
            cell = (s.originator, s.cra)
            last = self.last_counter.get(cell, -1)
            fresh = s.counter >= last if self.has(Flaw.COUNTER_EQUAL_ACCEPTED) else s.counter > last
            if not fresh:
                return self._refuse_remote(Reason.REPLAYED_COUNTER, f"counter {s.counter} <= last {last}")
            self.last_counter[cell] = max(last, s.counter)
        outcome = self._apply(cmd.command.id, cmd.value, s.message_code)
        self.executed.append(ExecutedCommand(self.clock.now, s.originator.hex(), s.counter, s.message_code,
                                             cmd.command.id, outcome.reason.value,
                                             hashlib.sha256(s.content).hexdigest()))
        self.log("command-executed" if outcome.accepted else "command-refused", None, command=cmd.command.id,
                 counter=s.counter, originator=s.originator.hex(), reason=outcome.reason.value)
        return outcome

    def _refuse_remote(self, reason: Reason, detail: str) -> Outcome:
        self.log("remote-refused", None, reason=reason.value, detail=detail)
        return Outcome.refused(reason, detail)

    def _remote_topup(self, counter: int, originator: bytes, utrn: str, code: int) -> Outcome:
        """CS01a/CS01b: the UTRN counter travels in full in the header; A-UTRN-CACHE rules apply."""
        ticket = UtrnTicket(utrn, PATH_WAN, header_upper=counter >> 32, originator=originator)
        try:
            ticket.ptut = decode_utrn(utrn)
        except NowanError:
            ticket.decided = (Reason.MALFORMED, -1)
        if ticket.ptut is not None and (counter & 0xFFFFFFFF or (counter >> 32) & 0x3FF != ticket.ptut.counter10):
            ticket.decided = (Reason.NOT_AUTHENTIC, counter >> 32)
        if ticket.decided is None:
            self._decide(ticket)
        assert ticket.decided is not None
        ticket.done = True
        out = self._conclude(ticket, *ticket.decided)
        self.executed.append(ExecutedCommand(self.clock.now, originator.hex(), counter, code, "top-up",
                                             out.reason.value))
        return out

    def _apply(self, command: str, value: Any, code: int) -> Outcome:
        """The effect of an authenticated, fresh MP094 command on the prepayment registers."""
        acc = self.account
        if command in ("deduct-credit", "set-credit"):
            # ECS04a/GCS40a deduct: the amount is a non-negative number of pence taken off the
            # balance (a negative amount would credit the meter through a "deduction").
            if command == "deduct-credit" and int(value) < 0:
                return Outcome.refused(Reason.NOT_ALLOWED, "negative deduction")
            new = acc.balance_pence - int(value) if command == "deduct-credit" else int(value)
            if new > acc.config.max_balance_pence:
                return Outcome.refused(Reason.EXCEEDS_MAX_BALANCE, alert=int(Alert.CREDIT_EXCEEDS_MAX_BALANCE))
            acc.balance_pence = new
            if acc.available_pence() <= 0 and not acc.non_disconnect and acc.mode == MODE_PREPAYMENT:
                acc.supply = SUPPLY_OFF
        elif command == "change-price":
            if int(value) < 0:
                return Outcome.refused(Reason.NOT_ALLOWED, "negative price")
            acc.price_pence_per_kwh = int(value)
        elif command == "revert-defaults":
            acc.config = PrepaymentConfig.from_assumptions(self.assumptions)
            acc.price_pence_per_kwh = DEFAULT_PRICE_PENCE_PER_KWH
            acc.non_disconnect = False
        elif command == "change-mode":
            acc.mode = MODE_CREDIT if int(value) == CMD_MODE_CREDIT else MODE_PREPAYMENT
        elif command in ("add-debt", "deduct-debt", "set-debt"):
            v = int(value)
            if v < 0:
                return Outcome.refused(Reason.NOT_ALLOWED, "negative debt amount")
            acc.debt_pence = {"add-debt": acc.debt_pence + v, "deduct-debt": max(0, acc.debt_pence - v),
                              "set-debt": v}[command]
        elif command == "set-non-disconnect":
            acc.non_disconnect = bool(value)
        else:  # pragma: no cover - decode_command only yields known ids
            return Outcome.refused(Reason.UNKNOWN_CODE, command)
        return Outcome.ok(command)

    # ---------------------------------------------------------------- HAN-only (PPMID)
    def receive_han(self, msg: HanMessage, source_type: str) -> Outcome:
        """A HAN-only command from a device on the hub's log; only a PPMID holds this authority."""
        if source_type != "ppmid":
            return Outcome.refused(Reason.NOT_ALLOWED, f"HAN commands from a {source_type}")
        code = msg.message_code
        if code == HAN_TOPUP[self.kind]:
            try:
                _, utrn = decode_zse_topup(msg.payload)
            except NowanError as exc:
                return Outcome.refused(Reason.MALFORMED, str(exc), zse_result=int(ZseResult.REJECTED_INVALID))
            out = self.enter_utrn(utrn, PATH_HAN)
            self.log("han-topup", code, source=msg.source.hex(), accepted=out.accepted)
            return out
        if code == HAN_EMERGENCY_CREDIT[self.kind]:
            return self.activate_emergency_credit(source=msg.source.hex(), code=code)
        if code == HAN_SUPPLY_ON.get(self.kind):
            if msg.payload != bytes([SUPPLY_ON_REQUEST]):
                return Outcome.refused(Reason.NOT_ALLOWED, "only Supply ON may be requested from a PPMID")
            return self.request_supply_on(source=msg.source.hex(), code=code)
        return Outcome.refused(Reason.UNKNOWN_CODE, f"HAN message code 0x{code:04X}")

    # ---------------------------------------------------------------- consumer / physical
    def activate_emergency_credit(self, source: str = "keypad", code: int | None = None) -> Outcome:
        if self.account.activate_emergency_credit():
            self.log("emergency-credit-activated", code, source=source)
            return Outcome.ok("emergency credit activated")
        return Outcome.refused(Reason.NOT_ALLOWED, "emergency credit not available")

    def request_supply_on(self, source: str = "keypad", code: int | None = None) -> Outcome:
        if self.account.request_supply_on():
            self.log("supply-on", code, source=source)
            return Outcome.ok("supply on")
        return Outcome.refused(Reason.NOT_ALLOWED, f"supply is {self.account.supply}")

    def consume(self, kwh: int) -> int:
        """Simulated consumption; returns pence charged."""
        charged = self.account.consume(kwh)
        if self.account.supply == SUPPLY_OFF:
            self.log("supply-disabled", None)
        return charged

    def replace_supplier(self, supplier: SupplierAnchor, pp_floor: int, command_floor: int | None = None) -> None:
        """Change of supplier: new trust anchors, a new PP-KA cell with its floor, fresh cache.

        ``command_floor``: the floor for the new Supplier's command cell (issue 4 family 2): A-REPLAY
        then refuses every command counter at or below it, as the UTRN floor does for UTRNs.
        """
        self.supplier = supplier
        self.utrn_cell = UtrnCounterCache(self.utrn_cell.size, self.utrn_cell.policy, floor=pp_floor)
        if command_floor is not None and not self.has(Flaw.NO_FLOOR_CHECK):
            cell = (supplier.eui, CRA_COMMAND)
            self.last_counter[cell] = max(self.last_counter.get(cell, -1), command_floor)
        self.log("supplier-replaced", None, supplier=supplier.eui.hex(), pp_floor=pp_floor,
                 command_floor=command_floor)

    def snapshot(self) -> dict[str, Any]:
        """Plain data for invariants and traces."""
        return {"name": self.name, "eui": self.eui.hex(), "kind": self.kind, "account": self.account.snapshot(),
                "utrn_cell": self.utrn_cell.snapshot(), "lockout": self.lockout.snapshot(self.clock.now),
                "credited": [asdict(c) for c in self.credited], "executed": [asdict(e) for e in self.executed],
                "last_counter": {f"{k[0].hex()}/{k[1]}": v for k, v in self.last_counter.items()}}
