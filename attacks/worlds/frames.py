"""Channels that carry full GBCS frames: the WAN baseline, the PPMID Wi-Fi relay, and USB.

The attacker holds every frame it has seen (real General-Ciphering bytes from the DCC) and can
drop, delay, reorder and replay them, flip bits, splice fields between two frames (counter,
recipient, content, signature, MAC), re-address a frame to the other meter, guess MAC bytes, and
send arbitrary bytes into the parsers. On the WAN it may also be a DCC insider holding the ACB key
but not the Supplier's signing key: exactly the attacker a Critical command's signature stops.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import ClassVar

from nowan.attacks.envelope import SPLICE_FIELDS, _splice
from nowan.attacks.vocabulary import AMOUNT, INDEX, SMALL_HEX, U32, step
from nowan.attacks.worlds.base import AMOUNTS, LIMITS, METERS, Observed, PremisesWorld
from nowan.model.devices.commands import COMMANDS, decode_command
from nowan.model.devices.meter import PATH_WAN
from nowan.model.devices.scenario import PPMID_EUI
from nowan.model.errors import FrameError
from nowan.model.gbcs.envelope import MAC_LEN, GeneralCiphering, parse_frame
from nowan.model.gbcs.protect import apply_mac, command_mac_key

#: Commands the legitimate supplier sends (values drawn by the harness).
COMMAND_IDS = tuple(c for c in COMMANDS if c != "top-up")


class FrameWorld(PremisesWorld):
    """Base for frame channels; ``transport`` is how a frame reaches the hub on this channel."""

    checks: ClassVar[tuple[str, ...]] = PremisesWorld.checks + ("entitled-commands-only", "topup-credited")
    reads: ClassVar[tuple[str, ...]] = ("utrn.cache_size",)  # CS01a/b carry the full counter

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.queue: list[Observed] = []          # legitimate frames in flight on the channel
        #: (meter eui, counter, message code, SHA-256 of the content): the value is part of what was issued
        self.issued_commands: set[tuple[str, int, int, str]] = set()
        self._executed: set[tuple[str, int, int, str]] = set()
        self._executed_seen: dict[str, int] = {}

    def transport(self, raw: bytes) -> None:
        self.sc.hub.receive_wan(raw)

    # -- legitimate parties ---------------------------------------------------------------------
    def _send(self, item: Observed) -> None:
        self.observed.append(item)
        self.queue.append(item)

    @step("legit", meter=METERS, command=range(9), value=range(60001))
    def do_command(self, meter: str, command: int, value: int) -> None:
        """The supplier sends an MP094 command through the DCC."""
        cid = COMMAND_IDS[command % len(COMMAND_IDS)]
        v = value % 2 if cid in ("change-mode", "set-non-disconnect") else value
        frame = self.sc.send_command(meter, cid, v)
        if frame is None:
            return
        signing = parse_frame(frame).signing  # type: ignore[union-attr]
        self.issued_commands.add(issued_key(self.meter(meter).eui.hex(), signing.counter, signing.message_code,
                                            signing.content))
        self._send(Observed("frame", meter, frame.hex()))

    @step("legit", meter=METERS, amount=AMOUNT)
    def do_topup(self, meter: str, amount: int) -> None:
        """The consumer pays; the supplier sends CS01a/CS01b with the UTRN through the DCC."""
        self.topup(meter, AMOUNTS[amount % len(AMOUNTS)])

    def topup(self, meter: str, pence: int) -> Observed | None:
        frame = self.sc.wan_topup_frame(meter, pence)
        if frame is None:
            return None
        m = self.meter(meter)
        upper = self.sc.supplier.utrn_counters[m.eui]
        self.issued_utrns[(meter, upper)] = pence
        item = Observed("frame", meter, frame.hex(), self.sc.clock.now, upper)
        self.paid.append(item)
        self._send(item)
        self.observed.append(Observed("utrn", meter, parse_topup_utrn(frame), upper=upper))
        return item

    @step("legit", meter=METERS, limit=LIMITS)
    def do_topup_limit(self, meter: str, limit: str) -> None:
        """The consumer pays exactly a limit (the Max Credit Threshold, or what takes the balance to the
        Max Meter Balance, emergency credit owed included); the supplier sends it and the channel
        delivers it at once."""
        pence = self.limit_amount(meter, limit)
        if pence > 0 and self.topup(meter, pence) is not None:
            self.do_deliver(-1)

    @step("legit", meter=METERS)
    def do_set_credit_limit(self, meter: str) -> None:
        """The supplier sets the balance to exactly the Max Meter Balance (set-credit at the limit, which
        a random value never hits), and the channel delivers it at once."""
        frame_before = len(self.queue)
        self.do_command(meter, COMMAND_IDS.index("set-credit"), int(self.assumptions["limits.max_balance_pence"]))
        if len(self.queue) > frame_before:
            self.do_deliver(-1)

    @step("legit", index=INDEX)
    def do_deliver(self, index: int) -> None:
        """The channel delivers a frame in flight (any of them: the network may reorder). A paid
        top-up the rules oblige the meter to credit must be credited (``topup-credited``)."""
        if self.queue:
            item = self.queue.pop(index % len(self.queue))
            pence = self.issued_utrns.get((item.meter, item.upper), 0) if item.upper is not None else 0
            due = item in self.paid and self.credit_due(item.meter, item.upper or 0, pence, PATH_WAN)
            self.transport(bytes.fromhex(item.data))
            self.expect_credited(item.meter, item.upper or 0, pence, due)

    # -- attacker ---------------------------------------------------------------------------------
    @step("attacker", index=INDEX)
    def do_drop(self, index: int) -> None:
        if self.queue:
            self.queue.pop(index % len(self.queue))

    @step("attacker", index=INDEX)
    def do_replay(self, index: int) -> None:
        item = self.pick(index, "frame")
        if item is not None:
            self.transport(bytes.fromhex(item.data))

    @step("attacker", index=INDEX, bit=range(8), pos=range(401))
    def do_flip(self, index: int, pos: int, bit: int) -> None:
        item = self.pick(index, "frame")
        if item is not None:
            raw = bytearray.fromhex(item.data)
            raw[pos % len(raw)] ^= 1 << (bit % 8)
            self.transport(bytes(raw))

    @step("attacker", index=INDEX, donor=INDEX, field=range(9))
    def do_splice(self, index: int, donor: int, field: int) -> None:
        a, b = self.pick(index, "frame"), self.pick(donor, "frame")
        if a is None or b is None:
            return
        try:
            raw = _splice(bytes.fromhex(a.data), bytes.fromhex(b.data), SPLICE_FIELDS[field % len(SPLICE_FIELDS)])
        except (FrameError, ValueError):
            return
        self.transport(raw)

    @step("attacker", index=INDEX, value=range(256), guess=range(256), pos=range(401))
    def do_guess_mac(self, index: int, pos: int, value: int, guess: int) -> None:
        """Alter one byte before the MAC and guess the MAC's first byte (rest kept)."""
        item = self.pick(index, "frame")
        if item is None:
            return
        raw = bytearray.fromhex(item.data)
        body = len(raw) - MAC_LEN
        raw[pos % body] = value & 0xFF
        raw[body] = guess & 0xFF
        self.transport(bytes(raw))

    @step("attacker", index=INDEX, pos=range(MAC_LEN), bit=range(8))
    def do_tamper_mac(self, index: int, pos: int, bit: int) -> None:
        """Take a frame in flight and flip one bit of its MAC (byte ``pos``) before delivering it. The
        meter must refuse it: a MAC compared on fewer bytes than GBCS's lets it run."""
        if not self.queue:
            return
        item = self.queue.pop(index % len(self.queue))
        raw = bytearray.fromhex(item.data)
        raw[len(raw) - MAC_LEN + pos] ^= 1 << bit
        done = sum(len(self.meter(n).executed) + len(self.meter(n).credited) for n in METERS)
        self.transport(bytes(raw))
        if sum(len(self.meter(n).executed) + len(self.meter(n).credited) for n in METERS) > done:
            self.flag("entitled-commands-only", f"the {item.meter} acted on a frame whose MAC byte {pos} was altered "
                                                "in transit")

    @step("attacker", data=SMALL_HEX)
    def do_malformed(self, data: str) -> None:
        self.transport(bytes.fromhex(data))

    @step("attacker", index=INDEX)
    def do_cross_meter(self, index: int) -> None:
        """Re-address an observed frame to the other meter of the premises (MAC and signature kept)."""
        item = self.pick(index, "frame")
        if item is None or item.meter not in METERS:
            return
        other = self.meter(METERS[1 - METERS.index(item.meter)]).eui
        try:
            frame = parse_frame(bytes.fromhex(item.data))
        except FrameError:
            return
        if isinstance(frame, GeneralCiphering):
            self.transport(replace(frame, signing=replace(frame.signing, recipient=other)).encode())

    @step("attacker", index=INDEX, count=range(1, 201))
    def do_flood(self, index: int, count: int) -> None:
        """Flood the hub's forwarding with ``count`` copies of an observed frame and junk in between.

        The device model has no forwarding capacity, so this checks that nothing breaks or slips
        through under load; the availability impact itself is assessed in the risk model.
        """
        item = self.pick(index, "frame")
        raw = bytes.fromhex(item.data) if item is not None else b"\xdd"
        for k in range(count):
            self.transport(raw if k % 2 == 0 else raw[: k % max(1, len(raw))])

    # -- invariants -------------------------------------------------------------------------------
    def check(self) -> list[tuple[str, str]]:
        out = super().check()
        for name in METERS:
            m = self.meter(name)
            for e in m.executed[self._executed_seen.get(name, 0):]:
                if e.command == "top-up":
                    continue
                key = (m.eui.hex(), e.counter, e.message_code, e.content_sha256)
                if key not in self.issued_commands:
                    altered = any(k[:3] == key[:3] for k in self.issued_commands)
                    what = "with content the supplier never issued for that counter" if altered else \
                        "that the supplier never issued"
                    out.append(("entitled-commands-only", f"{name} executed {e.command} (counter {e.counter}) "
                                                          f"{what}"))
                elif key in self._executed:
                    out.append(("entitled-commands-only", f"{name} executed {e.command} (counter {e.counter}) "
                                                          "twice"))
                self._executed.add(key)
            self._executed_seen[name] = len(m.executed)
        return [v for v in out if v[0] in self.checks]


def parse_topup_utrn(frame: bytes) -> str:
    """The UTRN digits a CS01a/CS01b frame carries in clear (what anyone on the path sees)."""
    gc = parse_frame(frame)
    s = gc.signing if isinstance(gc, GeneralCiphering) else gc
    kind = next(k for k, codes in COMMANDS["top-up"].codes.items() if s.message_code in codes)
    return str(decode_command(s.content, s.message_code, kind).value)


def issued_key(eui_hex: str, counter: int, code: int, content: bytes) -> tuple[str, int, int, str]:
    """The record of one issued command, in the form :class:`ExecutedCommand` reports it."""
    return (eui_hex, counter, code, hashlib.sha256(content).hexdigest())


class WanWorld(FrameWorld):
    """Today's DCC path, with a network attacker and a DCC insider (ACB key, no Supplier DS key)."""

    world = "wan"

    @step("attacker", meter=METERS, command=range(9), value=range(60001))
    def do_acb_forge(self, meter: str, command: int, value: int) -> None:
        """An insider at the DCC MACs a Critical command the supplier never signed."""
        self._insider_send(meter, command, value, self.sc.supplier.command_counter + 1 + (value % 7))

    @step("attacker", index=INDEX, command=range(9), value=range(60001))
    def do_acb_tamper(self, index: int, command: int, value: int) -> None:
        """An insider at the DCC drops a command in flight and MACs another in its place, same counter.

        Originator, counter (and, for the same command, message code) match what the supplier issued:
        only the content differs, so only the signature on a Critical command stops it.
        """
        if not self.queue:
            return
        item = self.queue.pop(index % len(self.queue))
        try:
            frame = parse_frame(bytes.fromhex(item.data))
        except FrameError:
            return
        if isinstance(frame, GeneralCiphering):
            self._insider_send(item.meter, command, value, frame.signing.counter)

    @step("attacker", index=INDEX, meter=METERS, pence=range(1, 8192), mac=U32, forge=(False, True),
          ahead=(0, 1, 1024))
    def do_acb_topup(self, index: int, meter: str, pence: int, mac: int, forge: bool, ahead: int) -> None:
        """An insider at the DCC MACs a CS01a/CS01b top-up the supplier never sent: an observed UTRN
        (possibly minted for the other meter: a foreign UTRN), or one with its value changed and a
        random MAC, with the UTRN's own counter in the header or one ``ahead`` of it (a fresh header
        counter for a spent UTRN; 1,024 ahead keeps the UTRN's 10 low bits). Only the UTRN's MAC
        stops it."""
        item = self.pick(index, "utrn")
        if item is None or item.upper is None:
            return
        utrn = self.forged_utrn(index, pence, mac) if forge else item.data
        if utrn is None:
            return
        m = self.meter(meter)
        s = self.sc.supplier.topup_command(m.eui, utrn, (item.upper + ahead) << 32, kind=m.kind)
        frame = apply_mac(s, command_mac_key(self.sc.dcc.acb.ka, m.party.ka_public, s))  # type: ignore[arg-type]
        self.observed.append(Observed("frame", meter, frame.encode().hex()))
        self.transport(frame.encode())

    def _insider_send(self, meter: str, command: int, value: int, counter: int) -> None:
        cid = COMMAND_IDS[command % len(COMMAND_IDS)]
        m = self.meter(meter)
        s = self.sc.supplier.command(m.eui, cid, value % 2 if cid in ("change-mode", "set-non-disconnect") else value,
                                     kind=m.kind, counter=counter).with_signature(None)
        frame = apply_mac(s, command_mac_key(self.sc.dcc.acb.ka, m.party.ka_public, s))  # type: ignore[arg-type]
        self.observed.append(Observed("frame", meter, frame.encode().hex()))
        self.transport(frame.encode())


class UsbWorld(FrameWorld):
    """A USB stick carries frames into the PPMID, which puts them on the HAN."""

    world = "usb"

    def transport(self, raw: bytes) -> None:
        self.sc.hub.han_relay_remote(PPMID_EUI, raw)


class WifiPpmidRelayWorld(FrameWorld):
    """SECMP0038: frames reach the PPMID over Wi-Fi and it relays them; the relay is the attacker.

    A faithful PPMID forwards everything it holds when time passes (``wait``); the attacker relay
    can drop a frame instead. Withholding a paid top-up is within its power: ``topup-delivered`` is a
    channel weakness here, flagged only for a top-up the relay dropped.
    """

    world = "frames-ppmid-relay"
    checks = FrameWorld.checks + ("topup-delivered",)

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.relay_queue: list[Observed] = []  # what the PPMID holds, in step with ppmid.inbox

    def _send(self, item: Observed) -> None:
        self.observed.append(item)
        self.sc.ppmid.receive_wifi(bytes.fromhex(item.data))
        self.relay_queue.append(item)

    def transport(self, raw: bytes) -> None:
        self.sc.hub.han_relay_remote(PPMID_EUI, raw)

    def do_deliver(self, index: int) -> None:
        """The PPMID forwards a queued frame (any position: reordering)."""
        if self.sc.ppmid.inbox:
            i = index % len(self.sc.ppmid.inbox)
            self.relay_queue.pop(i)
            self.sc.ppmid.forward(i)

    def do_wait(self, seconds: int) -> None:
        """A faithful relay forwards everything it holds before time passes."""
        while self.sc.ppmid.inbox:
            self.relay_queue.pop(0)
            self.sc.ppmid.forward(0)
        super().do_wait(seconds)

    def do_drop(self, index: int) -> None:
        """The attacker relay withholds a frame (for a paid top-up: the consumer's credit)."""
        if self.sc.ppmid.inbox:
            i = index % len(self.sc.ppmid.inbox)
            self.relay_queue.pop(i).withheld = True
            self.sc.ppmid.drop(i)
