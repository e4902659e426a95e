"""Hypothesis state machines, one per channel: legitimate parties and the attacker interleaved.

Each rule draws the arguments of one :class:`~attacks.steps.Step` and runs it on the channel's
world; the base class checks the invariants after every step. Rule sets are mixins so that the
UTRN attacks, frame attacks and common steps are written once and combined per channel.
"""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from attacks.harness import ChannelMachine
from attacks.steps import Step
from attacks.worlds.base import METERS
from attacks.worlds.frames import UsbWorld, WanWorld, WifiPpmidRelayWorld
from attacks.worlds.han import PairingWorld
from attacks.worlds.mp169 import Mp169World
from attacks.worlds.utrn import ExtendedWorld, KeypadWorld, NfcWorld, WifiPpmidUtrnWorld

meters = st.sampled_from(METERS)
index = st.integers(0, 7)
amount = st.integers(0, 5)
waits = st.sampled_from([1, 60, 601, 3600, 90000])
small_bytes = st.binary(max_size=64).map(bytes.hex)


class CommonRules(ChannelMachine):
    @rule(seconds=waits)
    def wait(self, seconds: int) -> None:
        self.run(Step("env", "wait", {"seconds": seconds}))

    @rule(meter=meters, kwh=st.integers(1, 400))
    def consume(self, meter: str, kwh: int) -> None:
        self.run(Step("legit", "consume", {"meter": meter, "kwh": kwh}))


class UtrnRules(CommonRules):
    @rule(meter=meters, amount=amount)
    def buy(self, meter: str, amount: int) -> None:
        self.run(Step("legit", "buy", {"meter": meter, "amount": amount}))

    @rule(index=index)
    def enter(self, index: int) -> None:
        self.run(Step("legit", "enter", {"index": index}))

    @rule(meter=meters)
    def raise_floor(self, meter: str) -> None:
        self.run(Step("legit", "raise-floor", {"meter": meter}))

    @rule(index=index, meter=meters)
    def replay(self, index: int, meter: str) -> None:
        self.run(Step("attacker", "replay", {"index": index, "meter": meter}))

    @rule(index=index, pence=st.integers(1, 8191), mac=st.integers(0, 2**32 - 1), ahead=st.integers(-2, 3))
    def forge(self, index: int, pence: int, mac: int, ahead: int) -> None:
        self.run(Step("attacker", "forge", {"index": index, "pence": pence, "mac": mac, "ahead": ahead}))

    @rule(index=index, pence=st.integers(1, 8191), start=st.integers(0, 2**32 - 1), count=st.integers(1, 96))
    def bruteforce(self, index: int, pence: int, start: int, count: int) -> None:
        self.run(Step("attacker", "bruteforce", {"index": index, "pence": pence, "start": start, "count": count}))

    @rule(index=index, path=st.sampled_from(["keypad", "han"]))
    def begin(self, index: int, path: str) -> None:
        self.run(Step("attacker", "begin", {"index": index, "path": path}))

    @rule(slot=st.integers(0, 3))
    def finish(self, slot: int) -> None:
        self.run(Step("attacker", "finish", {"slot": slot}))


class KeypadMachine(UtrnRules):
    world_class = KeypadWorld


class WifiPpmidUtrnMachine(UtrnRules):
    world_class = WifiPpmidUtrnWorld


class NfcMachine(UtrnRules):
    world_class = NfcWorld

    @rule(meter=meters, payload=small_bytes)
    def malformed(self, meter: str, payload: str) -> None:
        self.run(Step("attacker", "malformed", {"meter": meter, "payload": payload}))

    @rule(index=index, meter=meters, delay=st.sampled_from([0, 5, 3600]))
    def relay(self, index: int, meter: str, delay: int) -> None:
        self.run(Step("attacker", "relay", {"index": index, "meter": meter, "delay": delay}))


class ExtendedMachine(UtrnRules):
    world_class = ExtendedWorld

    @rule(meter=meters, amounts=st.lists(amount, min_size=2, max_size=3))
    def buy_extended(self, meter: str, amounts: list[int]) -> None:
        self.run(Step("legit", "buy-extended", {"meter": meter, "amounts": amounts}))

    @rule(index=index)
    def enter_extended(self, index: int) -> None:
        self.run(Step("legit", "enter-extended", {"index": index}))

    @rule(a=index, b=index, block=st.integers(0, 2), meter=meters)
    def splice(self, a: int, b: int, block: int, meter: str) -> None:
        self.run(Step("attacker", "splice", {"a": a, "b": b, "block": block, "meter": meter}))

    @rule(index=index, digits=st.integers(0, 60))
    def truncate(self, index: int, digits: int) -> None:
        self.run(Step("attacker", "truncate", {"index": index, "digits": digits}))


class FrameRules(CommonRules):
    @rule(meter=meters, command=st.integers(0, 8), value=st.integers(0, 60000))
    def command(self, meter: str, command: int, value: int) -> None:
        self.run(Step("legit", "command", {"meter": meter, "command": command, "value": value}))

    @rule(meter=meters, amount=amount)
    def topup(self, meter: str, amount: int) -> None:
        self.run(Step("legit", "topup", {"meter": meter, "amount": amount}))

    @rule(index=index)
    def deliver(self, index: int) -> None:
        self.run(Step("legit", "deliver", {"index": index}))

    @rule(index=index)
    def drop(self, index: int) -> None:
        self.run(Step("attacker", "drop", {"index": index}))

    @rule(index=index)
    def replay(self, index: int) -> None:
        self.run(Step("attacker", "replay", {"index": index}))

    @rule(index=index, pos=st.integers(0, 400), bit=st.integers(0, 7))
    def flip(self, index: int, pos: int, bit: int) -> None:
        self.run(Step("attacker", "flip", {"index": index, "pos": pos, "bit": bit}))

    @rule(index=index, donor=index, field=st.integers(0, 8))
    def splice(self, index: int, donor: int, field: int) -> None:
        self.run(Step("attacker", "splice", {"index": index, "donor": donor, "field": field}))

    @rule(index=index, pos=st.integers(0, 400), value=st.integers(0, 255), guess=st.integers(0, 255))
    def guess_mac(self, index: int, pos: int, value: int, guess: int) -> None:
        self.run(Step("attacker", "guess-mac", {"index": index, "pos": pos, "value": value, "guess": guess}))

    @rule(data=small_bytes)
    def malformed(self, data: str) -> None:
        self.run(Step("attacker", "malformed", {"data": data}))


class WanMachine(FrameRules):
    world_class = WanWorld

    @rule(meter=meters, command=st.integers(0, 8), value=st.integers(0, 60000))
    def acb_forge(self, meter: str, command: int, value: int) -> None:
        self.run(Step("attacker", "acb-forge", {"meter": meter, "command": command, "value": value}))


class UsbMachine(FrameRules):
    world_class = UsbWorld


class WifiPpmidRelayMachine(FrameRules):
    world_class = WifiPpmidRelayWorld


class PairingMachine(CommonRules):
    world_class = PairingWorld

    @rule(kind=st.just(0))
    def add_device(self, kind: int) -> None:
        self.run(Step("legit", "add-device", {"kind": kind}))

    @rule()
    def power_cut(self) -> None:
        self.run(Step("attacker", "power-cut", {}))

    @rule(device_type=st.sampled_from(["ppmid", "hht"]))
    def rogue_join(self, device_type: str) -> None:
        self.run(Step("attacker", "rogue-join", {"device_type": device_type}))

    @rule(index=index)
    def replay_ccs01(self, index: int) -> None:
        self.run(Step("attacker", "replay-ccs01", {"index": index}))

    @rule(action=st.integers(0, 2), meter=meters)
    def rogue_send(self, action: int, meter: str) -> None:
        self.run(Step("attacker", "rogue-send", {"action": action, "meter": meter}))


class Mp169Machine(CommonRules):
    world_class = Mp169World

    @rule(meter=meters, value=st.booleans())
    def set_flag(self, meter: str, value: bool) -> None:
        self.run(Step("legit", "set-flag", {"meter": meter, "value": value}))

    @rule(meter=meters, code=st.integers(0, 5))
    def read(self, meter: str, code: int) -> None:
        self.run(Step("legit", "read", {"meter": meter, "code": code}))

    @rule()
    def change_supplier(self) -> None:
        self.run(Step("legit", "change-supplier", {}))

    @rule(meter=meters, code=st.integers(0, 5))
    def other_read(self, meter: str, code: int) -> None:
        self.run(Step("attacker", "other-read", {"meter": meter, "code": code}))

    @rule(meter=meters)
    def other_clear(self, meter: str) -> None:
        self.run(Step("attacker", "other-clear", {"meter": meter}))

    @rule(index=index)
    def replay_read(self, index: int) -> None:
        self.run(Step("attacker", "replay-read", {"index": index}))


MACHINES: dict[str, type[ChannelMachine]] = {m.world_class.channel: m for m in (
    KeypadMachine, ExtendedMachine, WifiPpmidRelayMachine, WifiPpmidUtrnMachine, NfcMachine, UsbMachine,
    PairingMachine, WanMachine, Mp169Machine)}
