"""Hypothesis state machines, one per channel: legitimate parties and the attacker interleaved.

A machine declares its step vocabulary as data (:class:`StepSpec`: actor, action, a domain per
argument); :class:`SpecMachine` turns it into Hypothesis rules. Rule selection and per-argument
draws are the costly part of a stateful run, so the ``burst`` rule draws a list of packed integers,
one per step, and decodes each into a step: Hypothesis's overhead is paid once per operation, not
once per argument, keeping the time in the reference implementation (design.md, Fuzzing notes).
Shrinking still deletes steps from the list and shrinks each integer, which shrinks its arguments.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar, Union

from hypothesis import strategies as st
from hypothesis.stateful import rule

from nowan.attacks.harness import ChannelMachine
from nowan.model.traces import Step
from nowan.attacks.worlds.base import METERS
from nowan.attacks.worlds.frames import UsbWorld, WanWorld, WifiPpmidRelayWorld
from nowan.attacks.worlds.han import PairingWorld
from nowan.attacks.worlds.mp169 import Mp169World
from nowan.attacks.worlds.utrn import ExtendedWorld, KeypadWorld, NfcWorld, WifiPpmidUtrnWorld

#: Most steps one ``burst`` rule draws.
BURST = 12
_PACKED = st.integers(0, 2**63 - 1)


class Hex:
    """An argument holding up to ``max_size`` arbitrary bytes, as hex."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size


Domain = Union[range, tuple, Hex]


def _arg_decode(d: Domain, x: int) -> tuple[Any, int]:
    """Take one argument value from the packed integer ``x``; return it and what is left of ``x``."""
    if isinstance(d, range):
        return d.start + x % len(d), x // len(d)
    if isinstance(d, Hex):
        n = x % (d.max_size + 1)
        stream = hashlib.sha256(x.to_bytes(8, "big")).digest() * (1 + d.max_size // 32)
        return stream[:n].hex(), x // (d.max_size + 1)
    return d[x % len(d)], x // len(d)


def _in_domain(d: Domain, v: Any) -> bool:
    if isinstance(d, range):
        return isinstance(v, int) and not isinstance(v, bool) and v in d
    if isinstance(d, Hex):
        try:
            return isinstance(v, str) and len(bytes.fromhex(v)) <= d.max_size
        except ValueError:
            return False
    return any(type(v) is type(x) and v == x for x in d)


def _describe(d: Domain) -> str:
    if isinstance(d, range):
        return f"integers {d.start}..{d.stop - 1}"
    if isinstance(d, Hex):
        return f"hex of at most {d.max_size} bytes"
    return "one of " + ", ".join(repr(x) for x in d)


@dataclass(frozen=True)
class StepSpec:
    """One kind of step a machine may take, with a domain per argument."""

    actor: str
    action: str
    args: tuple[tuple[str, Domain], ...] = ()

    def problem(self, step: Step) -> str | None:
        """Why ``step`` is not one this spec could have drawn (a hand-edited trace), or None."""
        if step.actor != self.actor:
            return f"{self.action} is a step of the {self.actor}, not the {step.actor}"
        names = [k for k, _ in self.args]
        if sorted(step.args) != sorted(names):
            return f"{self.action} takes arguments ({', '.join(names)}), got ({', '.join(step.args)})"
        for k, d in self.args:
            if not _in_domain(d, step.args[k]):
                return f"{self.action} argument {k}={step.args[k]!r} outside {_describe(d)}"
        return None

    def decode(self, x: int) -> Step:
        """A step from one packed integer; arguments take the low-order digits first."""
        out = {}
        for k, d in self.args:
            out[k], x = _arg_decode(d, x)
        return Step(self.actor, self.action, out)


def spec(actor: str, name: str, **args: Domain) -> StepSpec:
    return StepSpec(actor, name, tuple(args.items()))


meters = METERS
index = range(8)
amount = range(6)
small_hex = Hex(64)
U32 = range(2**32)

COMMON = (spec("env", "wait", seconds=(1, 60, 601, 3600, 90000)),
          spec("legit", "consume", meter=meters, kwh=range(1, 401)),
          spec("legit", "emergency-credit", meter=meters, via=("keypad", "ppmid")))
UTRN = COMMON + (
    spec("legit", "buy", meter=meters, amount=amount),
    spec("legit", "top-up", meter=meters, amount=amount),
    spec("legit", "enter", index=index),
    spec("legit", "raise-floor", meter=meters),
    spec("attacker", "replay", index=index, meter=meters),
    spec("attacker", "forge", index=index, pence=range(1, 8192), ahead=range(-2, 4), mac=U32),
    spec("attacker", "bruteforce", index=index, count=range(1, 97), pence=range(1, 8192), start=U32),
    spec("attacker", "begin", index=index, path=("keypad", "han")),
    spec("attacker", "finish", slot=range(4)),
)
FRAMES = COMMON + (
    spec("legit", "command", meter=meters, command=range(9), value=range(60001)),
    spec("legit", "raise-floor", meter=meters),
    spec("legit", "topup", meter=meters, amount=amount),
    spec("legit", "deliver", index=index),
    spec("attacker", "drop", index=index),
    spec("attacker", "replay", index=index),
    spec("attacker", "flip", index=index, bit=range(8), pos=range(401)),
    spec("attacker", "splice", index=index, donor=index, field=range(9)),
    spec("attacker", "guess-mac", index=index, value=range(256), guess=range(256), pos=range(401)),
    spec("attacker", "malformed", data=small_hex),
    spec("attacker", "cross-meter", index=index),
    spec("attacker", "flood", index=index, count=range(1, 201)),
)


class SpecMachine(ChannelMachine):
    """A channel machine whose rules are generated from its ``steps`` declaration."""

    steps_spec: ClassVar[tuple[StepSpec, ...]] = ()
    #: Most steps per burst: worlds whose steps are cheap take longer bursts, so that Hypothesis's
    #: per-rule overhead stays small next to the reference implementation's work.
    burst_max: ClassVar[int] = BURST

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "steps_spec" not in cls.__dict__:
            return  # a bound copy (see attacks.harness.bind) inherits its parent's rules
        specs = cls.steps_spec

        def burst(self: ChannelMachine, packed: list[int]) -> None:
            for x in packed:
                self.run(specs[x % len(specs)].decode(x // len(specs)))

        cls.burst = rule(packed=st.lists(_PACKED, min_size=1, max_size=cls.burst_max))(burst)  # type: ignore[attr-defined]


class KeypadMachine(SpecMachine):
    world_class = KeypadWorld
    steps_spec = UTRN


#: A relay between the consumer and the meter can keep a UTRN back.
RELAYED_UTRN = UTRN + (spec("attacker", "withhold", index=index),)


class WifiPpmidUtrnMachine(SpecMachine):
    world_class = WifiPpmidUtrnWorld
    steps_spec = RELAYED_UTRN


class NfcMachine(SpecMachine):
    world_class = NfcWorld
    steps_spec = RELAYED_UTRN + (
        spec("attacker", "malformed", meter=meters, payload=small_hex),
        spec("attacker", "relay", index=index, meter=meters, delay=(0, 5, 3600)),
    )


class ExtendedMachine(SpecMachine):
    world_class = ExtendedWorld
    steps_spec = UTRN + (
        spec("legit", "buy-extended", meter=meters, first=amount, second=amount, third=range(-1, 6)),
        spec("legit", "enter-extended", index=index),
        spec("attacker", "splice", a=index, b=index, block=range(3), meter=meters),
        spec("attacker", "truncate", index=index, digits=range(61)),
    )


class WanMachine(SpecMachine):
    world_class = WanWorld
    steps_spec = FRAMES + (
        spec("attacker", "acb-forge", meter=meters, command=range(9), value=range(60001)),
        spec("attacker", "acb-tamper", index=index, command=range(9), value=range(60001)),
        spec("attacker", "acb-topup", index=index, meter=meters, pence=range(1, 8192), mac=U32,
             forge=(False, True)))


class UsbMachine(SpecMachine):
    world_class = UsbWorld
    steps_spec = FRAMES


class WifiPpmidRelayMachine(SpecMachine):
    world_class = WifiPpmidRelayWorld
    steps_spec = FRAMES


class PairingMachine(SpecMachine):
    world_class = PairingWorld
    steps_spec = COMMON + (
        spec("legit", "add-device", kind=(0,)),
        spec("attacker", "power-cut"),
        spec("attacker", "other-log-change", add=(True, False)),
        spec("attacker", "rogue-join", device_type=("ppmid", "hht")),
        spec("attacker", "replay-ccs01", index=index),
        spec("attacker", "rogue-send", action=range(3), meter=meters),
    )


class Mp169Machine(SpecMachine):
    world_class = Mp169World
    burst_max = 8 * BURST
    steps_spec = COMMON + (
        spec("legit", "set-flag", meter=meters, value=(False, True)),
        spec("legit", "read", meter=meters, code=range(6)),
        spec("legit", "change-supplier"),
        spec("attacker", "other-read", meter=meters, code=range(6)),
        spec("attacker", "other-clear", meter=meters),
        spec("attacker", "replay-read", index=index),
    )


MACHINES: dict[str, type[ChannelMachine]] = {m.world_class.channel: m for m in (
    KeypadMachine, ExtendedMachine, WifiPpmidRelayMachine, WifiPpmidUtrnMachine, NfcMachine, UsbMachine,
    PairingMachine, WanMachine, Mp169Machine)}
