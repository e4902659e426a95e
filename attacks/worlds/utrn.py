"""Channels that carry UTRN digits: the keypad, extended (40/60-digit) codes, Wi-Fi to the PPMID, NFC.

The attacker sees every UTRN the consumer buys (receipt, SMS, Wi-Fi, NFC), and can type or relay
any digits: replay a UTRN, enter one minted for another meter, change the value and guess the
32-bit MAC (the check digit is public arithmetic), brute-force MACs while waiting out the lockout,
and interleave two entries of the same UTRN on two paths (keypad and PPMID) to look for the
check-then-record race of domain.md 10.
"""
from __future__ import annotations

from typing import ClassVar

from nowan.attacks.vocabulary import AMOUNT, INDEX, SMALL_HEX, U32, step
from nowan.attacks.worlds.base import AMOUNTS, LIMITS, METERS, Observed, PremisesWorld
from nowan.model.devices.content import ORIGIN_PPMID, zse_topup_content
from nowan.model.devices.meter import HAN_TOPUP, PATH_HAN, PATH_KEYPAD, HanMessage, UtrnTicket
from nowan.model.devices.outcomes import Outcome
from nowan.model.devices.scenario import PPMID_EUI


class UtrnWorld(PremisesWorld):
    """UTRN digits typed on the keypad (the base of every UTRN channel; ``deliver`` is how digits
    reach the meter)."""

    world = "keypad"
    checks: ClassVar[tuple[str, ...]] = PremisesWorld.checks + ("topup-credited",)

    #: The path the channel delivers UTRNs by (keypad, or han via the PPMID).
    path: ClassVar[str] = PATH_KEYPAD
    #: True where a relay carries the consumer's UTRN to the meter (and so can withhold it).
    relayed: ClassVar[bool] = False

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.pending: list[tuple[str, UtrnTicket]] = []
        self.in_transit: list[Observed] = []  # relayed channels: bought, not yet sent on by the relay

    def deliver(self, meter: str, utrn: str) -> Outcome:
        m = self.meter(meter)
        if self.path == PATH_KEYPAD:
            return m.enter_utrn(utrn, PATH_KEYPAD)
        return self.sc.ppmid.top_up(m.eui, m.kind, utrn)

    # -- legitimate parties ---------------------------------------------------------------------
    @step("legit", meter=METERS, amount=AMOUNT)
    def do_buy(self, meter: str, amount: int) -> None:
        """The consumer pays; the supplier vends a UTRN; the attacker sees it."""
        self.buy(meter, AMOUNTS[amount % len(AMOUNTS)])

    def buy(self, meter: str, pence: int) -> Observed:
        item = self.mint(meter, pence)
        self.observed.append(item)
        if self.relayed:
            self.in_transit.append(item)
        return item

    @step("legit", meter=METERS, amount=AMOUNT)
    def do_top_up(self, meter: str, amount: int) -> None:
        """The consumer buys a UTRN and enters it at once (the common case; keeps examples short)."""
        self.top_up(meter, AMOUNTS[amount % len(AMOUNTS)])

    @step("legit", meter=METERS, limit=LIMITS)
    def do_top_up_limit(self, meter: str, limit: str) -> None:
        """The consumer buys and enters a top-up of exactly a limit (the Max Credit Threshold, or what
        takes the balance to the Max Meter Balance): the boundary a random amount never hits."""
        pence = self.limit_amount(meter, limit)
        if pence > 0:
            self.top_up(meter, pence)

    def top_up(self, meter: str, pence: int) -> None:
        """Buy ``pence`` and enter it at once; a top-up the rules oblige the meter to credit must be
        credited (``topup-credited``)."""
        item = self.buy(meter, pence)
        due = self.credit_due(meter, item.upper or 0, pence, self.path)
        self.do_enter(len(self.in_transit) - 1 if self.relayed else len(self.observed) - 1)
        self.expect_credited(meter, item.upper or 0, pence, due)

    @step("legit", index=INDEX)
    def do_enter(self, index: int) -> None:
        """The consumer enters a UTRN they bought, on the meter it was bought for.

        On a relayed channel the relay sends on one it holds (any of them: reordering).
        """
        if self.relayed:
            if self.in_transit:
                item = self.in_transit.pop(index % len(self.in_transit))
                self.deliver(item.meter, item.data)
            return
        item = self.pick(index, "utrn")
        if item is not None:
            self.deliver(item.meter, item.data)

    def do_wait(self, seconds: int) -> None:
        """Legitimate parties deliver eventually: a faithful relay sends on all it holds first."""
        while self.in_transit:
            item = self.in_transit.pop(0)
            self.deliver(item.meter, item.data)
        super().do_wait(seconds)

    # -- attacker ---------------------------------------------------------------------------------
    @step("attacker", index=INDEX, meter=METERS)
    def do_replay(self, index: int, meter: str) -> None:
        """Enter an observed UTRN again, or on another meter (cross-meter replay)."""
        item = self.pick(index, "utrn")
        if item is not None:
            self.deliver(meter, item.data)

    @step("attacker", index=INDEX, pence=range(1, 8192), ahead=range(-2, 4), mac=U32)
    def do_forge(self, index: int, pence: int, mac: int, ahead: int) -> None:
        """Change an observed UTRN's value (and counter) and guess its MAC."""
        item = self.pick(index, "utrn")
        if item is None:
            return
        forged = self.forged_utrn(index, pence, mac, (item.upper or 0) + ahead)
        if forged is not None:
            self.deliver(item.meter, forged)

    @step("attacker", index=INDEX, count=range(1, 97), pence=range(1, 8192), start=U32)
    def do_bruteforce(self, index: int, pence: int, start: int, count: int) -> None:
        """Guess ``count`` consecutive MACs for a forged UTRN, waiting out every lockout."""
        item = self.pick(index, "utrn")
        if item is None:
            return
        m = self.meter(item.meter)
        for k in range(count):
            if m.lockout.locked(self.sc.clock.now):
                self.sc.clock.set(m.lockout.locked_until)
            forged = self.forged_utrn(index, pence, start + k, (item.upper or 0) + 1)
            if forged is not None:
                self.deliver(item.meter, forged)

    @step("attacker", index=INDEX, path=("keypad", "han"))
    def do_begin(self, index: int, path: str) -> None:
        """Start entering an observed UTRN on a path (keypad or the PPMID's HAN relay)."""
        item = self.pick(index, "utrn")
        if item is not None:
            self.pending.append((item.meter, self.meter(item.meter).begin_utrn(item.data, path)))

    @step("attacker", slot=range(4))
    def do_finish(self, slot: int) -> None:
        """Complete a started entry (possibly after another entry of the same UTRN)."""
        if self.pending:
            meter, ticket = self.pending.pop(slot % len(self.pending))
            self.meter(meter).finish_utrn(ticket)


class RelayedUtrnWorld(UtrnWorld):
    """A relay carries the consumer's UTRN to the meter over the HAN, and can keep it back."""

    path = PATH_HAN
    relayed = True
    checks = PremisesWorld.checks + ("topup-credited", "han-guess-rate-bounded", "topup-delivered")

    @step("attacker", index=INDEX)
    def do_withhold(self, index: int) -> None:
        """The attacker relay keeps a consumer's UTRN back (it still knows the digits)."""
        if self.in_transit:
            self.in_transit.pop(index % len(self.in_transit)).withheld = True

class WifiPpmidUtrnWorld(RelayedUtrnWorld):
    """The UTRN reaches the PPMID over Wi-Fi; the PPMID (or whoever holds the Wi-Fi) relays it.

    The relay can withhold it: ``topup-delivered`` is a channel weakness here.
    """

    world = "utrn-ppmid-relay"


class NfcWorld(RelayedUtrnWorld):
    """NFC: a tap carries the ZSE top-up payload into the PPMID, which relays it on the HAN.

    The attacker relays taps at a distance (to another meter, later), holds a tap back to relay it
    later, replays them, and sends malformed payloads into the parser. A compromised phone app can
    withhold a paid top-up (the channel model's ``withhold@nfc@phone-app``): ``topup-delivered`` is a
    channel weakness here, as on the Wi-Fi PPMID.
    """

    world = "nfc"

    @step("attacker", meter=METERS, payload=SMALL_HEX)
    def do_malformed(self, meter: str, payload: str) -> None:
        """Arbitrary bytes as the NFC top-up payload, straight into the meter's HAN parser."""
        m = self.meter(meter)
        self.sc.hub.han_send(HanMessage(PPMID_EUI, m.eui, HAN_TOPUP[m.kind], bytes.fromhex(payload)))

    @step("attacker", index=INDEX, meter=METERS, delay=(0, 5, 3600))
    def do_relay(self, index: int, meter: str, delay: int) -> None:
        """Relay a consumer's tap at a distance: later, and to any meter."""
        item = self.pick(index, "utrn")
        if item is None:
            return
        self.sc.clock.advance(delay)
        m = self.meter(meter)
        self.sc.hub.han_send(HanMessage(PPMID_EUI, m.eui, HAN_TOPUP[m.kind],
                                        zse_topup_content(item.data, ORIGIN_PPMID)))


class ExtendedWorld(UtrnWorld):
    """40/60-digit codes as concatenated 20-digit blocks (domain.md 1.8 [I]).

    The device model executes only credit blocks, so an extended code is two or three UTRNs typed
    as one; the attacker splices blocks between codes, reorders and truncates them.
    """

    world = "extended-keypad"

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.codes: list[tuple[str, list[str]]] = []

    @step("legit", meter=METERS, first=AMOUNT, second=AMOUNT, third=range(-1, 6))
    def do_buy_extended(self, meter: str, first: int, second: int, third: int) -> None:
        """A 40-digit code (two credit blocks), or 60 digits when ``third`` is not -1."""
        blocks = []
        for a in (first, second) + ((third,) if third >= 0 else ()):
            item = self.mint(meter, AMOUNTS[a % len(AMOUNTS)])
            self.observed.append(item)
            blocks.append(item.data)
        self.codes.append((meter, blocks))

    def enter_code(self, meter: str, digits: str) -> None:
        """The meter splits a code into 20-digit blocks; an incomplete code is rejected whole."""
        if not digits or len(digits) % 20:
            return
        for i in range(0, len(digits), 20):
            self.deliver(meter, digits[i:i + 20])

    @step("legit", index=INDEX)
    def do_enter_extended(self, index: int) -> None:
        if self.codes:
            meter, blocks = self.codes[index % len(self.codes)]
            self.enter_code(meter, "".join(blocks))

    @step("attacker", a=INDEX, b=INDEX, block=range(3), meter=METERS)
    def do_splice(self, a: int, b: int, block: int, meter: str) -> None:
        """Take code ``a`` with one block replaced by a block of code ``b``; enter it on ``meter``."""
        if not self.codes:
            return
        _, ba = self.codes[a % len(self.codes)]
        _, bb = self.codes[b % len(self.codes)]
        mixed = list(ba)
        mixed[block % len(mixed)] = bb[block % len(bb)]
        self.enter_code(meter, "".join(mixed))

    @step("attacker", index=INDEX, digits=range(61))
    def do_truncate(self, index: int, digits: int) -> None:
        if self.codes:
            meter, blocks = self.codes[index % len(self.codes)]
            self.enter_code(meter, "".join(blocks)[:digits])

