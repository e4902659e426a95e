"""The Supplier head-end: mints UTRNs and builds (and signs) commands for the DCC.

- UTRNs: minted with the Supplier's prepayment top-up KA key and a per-meter UTRN counter whose
  low 32 bits are zero (``upper << 32``), in a counter space separate from commands (domain.md 1.5).
- Commands: one originator counter for all commands, strictly increasing; Critical ones are signed
  with the DS key. A CS01a/CS01b top-up over the WAN carries the UTRN's own counter in the header,
  as the DCC reference messages do.
"""
from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from nowan.model.devices.clock import SimClock
from nowan.model.devices.commands import COMMANDS, ESME, encode_command
from nowan.model.devices.keys import Party
from nowan.model.gbcs import codes
from nowan.model.gbcs.crypto import CRA_COMMAND
from nowan.model.gbcs.envelope import GeneralSigning, other_info_for
from nowan.model.gbcs.protect import sign
from nowan.model.gbcs.utrn import ValueClass, generate_utrn


def value_and_class(pence: int) -> tuple[int, ValueClass]:
    """Encode an amount as a PTUT value: pennies up to 8191, else whole pounds."""
    if 0 <= pence < 8192:
        return pence, ValueClass.PENNIES
    if pence % 100 == 0 and pence // 100 < 8192:
        return pence // 100, ValueClass.POUNDS
    raise ValueError(f"{pence} pence cannot be carried by one UTRN")


class SupplierHeadEnd:
    """One Supplier's systems (vending and command submission)."""

    def __init__(self, party: Party, clock: SimClock, *, command_counter: int = 0x3E8) -> None:
        if party.pp_ka is None or party.ds is None:
            raise ValueError("a supplier needs DS and prepayment top-up KA keys")
        self.party, self.clock = party, clock
        self.name, self.eui = party.name, party.eui
        self.utrn_counters: dict[bytes, int] = {}
        self.command_counter = command_counter
        self.minted: list[dict[str, Any]] = []

    def next_utrn_counter(self, meter: bytes) -> int:
        upper = self.utrn_counters.get(meter, 0) + 1
        self.utrn_counters[meter] = upper
        return upper << 32

    def mint_utrn(self, meter: bytes, meter_ka_public: ec.EllipticCurvePublicKey, pence: int,
                  counter: int | None = None) -> str:
        """A UTRN for ``pence`` to ``meter``; the next counter unless one is given."""
        value, vclass = value_and_class(pence)
        c = self.next_utrn_counter(meter) if counter is None else counter
        utrn = generate_utrn(self.party.pp_ka, meter_ka_public, self.eui, meter, c, value, vclass)  # type: ignore[arg-type]
        self.minted.append({"meter": meter.hex(), "counter": c, "pence": pence, "utrn": utrn})
        return utrn

    def _signing(self, meter: bytes, code: int, counter: int, content: bytes) -> GeneralSigning:
        s = GeneralSigning(CRA_COMMAND, counter, self.eui, meter, None, other_info_for(code), content, None)
        entry = codes.lookup(code)
        if entry is not None and entry.critical:
            s = sign(s, self.party.ds)  # type: ignore[arg-type]
        return s

    def command(self, meter: bytes, command_id: str, value: int | bool | None = None, *, kind: str = ESME,
                counter: int | None = None) -> GeneralSigning:
        """A (signed, if Critical) MP094 command for the DCC; uses the next command counter."""
        if command_id == "top-up":
            raise ValueError("use topup_command for top-ups")
        if counter is None:
            self.command_counter += 1
            counter = self.command_counter
        cdef = COMMANDS[command_id]
        code = cdef.code_for(kind, None if value is None else int(value))
        return self._signing(meter, code, counter, encode_command(command_id, counter, value))

    def topup_command(self, meter: bytes, utrn: str, counter: int, *, kind: str = ESME) -> GeneralSigning:
        """CS01a (ESME) / CS01b (GSME): the UTRN over the WAN, header counter = the UTRN counter."""
        code = COMMANDS["top-up"].code_for(kind)
        return self._signing(meter, code, counter, encode_command("top-up", counter, utrn))

    def raw_command(self, meter: bytes, code: int, content: bytes, counter: int | None = None) -> GeneralSigning:
        """Any message code and payload (reads, unknown codes) for tests and attackers."""
        if counter is None:
            self.command_counter += 1
            counter = self.command_counter
        return self._signing(meter, code, counter, content)
