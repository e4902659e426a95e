"""Relay counterexamples (SECMP0038): real frames queued at the PPMID, withheld, reordered or forged.

One premises runs the availability and reorder traces; the relay's choice (withhold or deliver,
the traced order or the issue order) is the only thing that differs between the harmful run and
the reference run the verdict compares it with.
"""
from __future__ import annotations

from typing import Any, ClassVar

from nowan.attacks.counterexamples.args import takes
from nowan.attacks.counterexamples.base import INDEX, KWH, PENCE, CounterexampleWorld
from nowan.model.devices.account import SUPPLY_OFF
from nowan.model.devices.commands import COMMANDS, encode_command
from nowan.model.gbcs.crypto import CRA_COMMAND
from nowan.model.gbcs.envelope import MAC_LEN, GeneralCiphering, GeneralSigning, other_info_for
from nowan.model.traces import Trace
from nowan.model.values import NumberSpec

#: A command's value (a price in pence per kWh, a mode, a debt): what the fuzzer's commands draw.
COMMAND_VALUE = NumberSpec(minimum=0, maximum=60_000, integer=True)
#: The command the Supplier issues in a forgery trace, and the one the relay forges (both add-debt).
FORGED = ("add-debt", 100)


class RelayWorld(CounterexampleWorld):
    """The consumer, the Supplier's frames queued at the PPMID, and a relay that withholds or reorders.

    ``deliver``: the reference run, in which the relay forwards what the trace withholds;
    ``in_issue_order``: the reference run, in which it forwards in the order the Supplier issued.
    """

    def __init__(self, trace: Trace, deliver: bool = False, in_issue_order: bool = False) -> None:
        super().__init__(trace)
        self.deliver = deliver
        forwards = [int(s.args["issued"]) for s in trace.steps if s.action == "relay-forwards"]
        self.order = sorted(forwards) if in_issue_order else forwards

    @takes(pence=PENCE)
    def do_keypad_topup(self, pence: int) -> None:
        out = self.sc.esme.enter_utrn(self.sc.mint("esme", int(pence)), "keypad")
        self.log.append({"action": "keypad-topup", "accepted": out.accepted})

    def _queue(self, action: str, frame: bytes | None) -> None:
        assert frame is not None
        self.sc.ppmid.receive_wifi(frame)
        self.log.append({"action": action, "queued": len(self.sc.ppmid.inbox)})

    @takes(pence=PENCE)
    def do_supplier_sends_topup(self, pence: int) -> None:
        self._queue("supplier-sends-topup", self.sc.wan_topup_frame("esme", int(pence)))

    @takes(command=tuple(c for c in COMMANDS if c != "top-up"), value=COMMAND_VALUE)
    def do_supplier_sends_command(self, command: str, value: int) -> None:
        self._queue("supplier-sends-command", self.sc.send_command("esme", command, value))

    @takes()
    def do_relay_withholds(self) -> None:
        ppmid = self.sc.ppmid
        self.log.append({"action": "relay-forwards", "accepted": ppmid.forward(0).accepted} if self.deliver
                        else {"action": "relay-withholds", "dropped": ppmid.drop(0)})

    @takes(issued=INDEX)
    def do_relay_forwards(self, issued: int) -> None:
        ppmid = self.sc.ppmid
        nth = self.order.pop(0)
        out = ppmid.forward(ppmid.inbox.index(ppmid.seen[nth]))  # a queued frame, maybe out of turn
        self.log.append({"action": "relay-forwards", "issued": nth, "accepted": out.accepted,
                         "reason": out.reason.value})

    @takes(kwh=KWH)
    def do_consume(self, kwh: int) -> None:
        self.log.append({"action": "consume", "charged": self.sc.esme.consume(int(kwh))})

    #: The reference run the verdict compares with (``rerun`` arguments), and how each run reads.
    reference: ClassVar[dict[str, bool]] = {}
    wording: ClassVar[tuple[str, str]] = ("", "")

    def verdict(self) -> tuple[bool, str]:
        """Reproduced if the traced run ends with the supply off and the reference run does not."""
        traced = self.sc.esme.account.supply
        intended = self.rerun(**self.reference).sc.esme.account.supply  # type: ignore[attr-defined]
        return (traced == SUPPLY_OFF and intended != SUPPLY_OFF,
                f"supply {traced} {self.wording[0]}, {intended} {self.wording[1]}")


class RelayAvailabilityWorld(RelayWorld):
    """Reproduced if withholding ends with the supply off and delivering does not."""

    reference = {"deliver": True}
    wording = ("when withheld", "when delivered")


class RelayReorderWorld(RelayWorld):
    """Reproduced if the traced order ends off supply and the issue order does not."""

    reference = {"in_issue_order": True}
    wording = ("when reordered", "in issue order")


class RelayForgeryWorld(CounterexampleWorld):
    """Reproduced if the meter executes a counter the Supplier never issued, or one counter twice."""

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.issued: list[bytes] = []
        self.counters: list[int] = []

    @takes(index=INDEX)
    def do_supplier_issues(self, index: int) -> None:
        frame = self.sc.send_command("esme", *FORGED)
        assert frame is not None
        self.sc.ppmid.receive_wifi(frame)
        self.issued.append(frame)
        self.counters.append(self.sc.supplier.command_counter)
        self.log.append({"action": "supplier-issues", "counter": self.counters[-1]})

    @takes(index=INDEX)
    def do_relay_delivers(self, index: int) -> None:
        ppmid = self.sc.ppmid
        frame = self.issued[int(index) - 1]
        out = (ppmid.forward(ppmid.inbox.index(frame)) if frame in ppmid.inbox
               else ppmid.replay(ppmid.seen.index(frame)))
        self.log.append({"action": "relay-delivers", "index": index, "accepted": out.accepted})

    @takes(index=INDEX)
    def do_relay_forges(self, index: int) -> None:
        self.log.append(self._forge(self.sc.supplier.command_counter + int(index)))

    @takes(index=INDEX)
    def do_idle(self, index: int) -> None:
        """The solver's no-op step."""

    def _forge(self, counter: int) -> dict[str, Any]:
        """The relay builds an unsigned add-debt frame and guesses the MAC's first byte (no keys)."""
        sc = self.sc
        code = COMMANDS[FORGED[0]].code_for("esme", FORGED[1])
        signing = GeneralSigning(CRA_COMMAND, counter, sc.supplier.eui, sc.esme.eui, None, other_info_for(code),
                                 encode_command(FORGED[0], counter, FORGED[1]), None)
        for guess in range(256):
            raw = GeneralCiphering(signing, bytes([guess]) + bytes(MAC_LEN - 1)).encode()
            if sc.hub.han_relay_remote(sc.ppmid.eui, raw).accepted:
                return {"action": "relay-forges", "counter": counter, "attempts": guess + 1, "accepted": True}
        return {"action": "relay-forges", "counter": counter, "attempts": 256, "accepted": False}

    def verdict(self) -> tuple[bool, str]:
        runs = [e.counter for e in self.sc.esme.executed]
        forged = sorted(set(runs) - set(self.counters))
        twice = sorted({k for k in runs if runs.count(k) > 1})
        return bool(forged or twice), f"executed, never issued: {forged}; executed twice: {twice}"
