"""Hypothesis state machines built from a world's declared steps: legitimate parties and the attacker
interleaved.

Steps are declared on the world methods that perform them (:func:`attacks.vocabulary.step`);
:func:`machine_for` turns a world class (less the steps its channel model omits) into a Hypothesis
machine. Rule selection and per-argument draws are the costly part of a stateful run, so the one
``burst`` rule draws a list of packed integers, one per step, and decodes each into a step:
Hypothesis's overhead is paid once per operation, not once per argument, keeping the time in the
reference implementation (design.md, Fuzzing notes). Shrinking still deletes steps from the list
and shrinks each integer, which shrinks its arguments.
"""
from __future__ import annotations

from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import rule

from nowan.attacks.harness import ChannelMachine, World
from nowan.attacks.vocabulary import StepSpec, vocabulary

#: Most steps one ``burst`` rule draws.
BURST = 12
_PACKED = st.integers(0, 2**63 - 1)


class SpecMachine(ChannelMachine):
    """A channel machine whose one rule runs bursts of steps drawn from ``steps_spec``."""

    steps_spec: ClassVar[tuple[StepSpec, ...]] = ()

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "steps_spec" not in cls.__dict__:
            return  # a bound copy (see attacks.harness.bind) inherits its parent's rules
        specs = cls.steps_spec

        def burst(self: ChannelMachine, packed: list[int]) -> None:
            for x in packed:
                self.run(specs[x % len(specs)].decode(x // len(specs)))

        cls.burst = rule(packed=st.lists(_PACKED, min_size=1,  # type: ignore[attr-defined]
                                         max_size=BURST * cls.world_class.burst_factor))(burst)


def machine_for(world_class: type[World], channel: str, omit: tuple[str, ...] = ()) -> type[SpecMachine]:
    """The Hypothesis machine fuzzing ``world_class`` as channel ``channel``, without ``omit``ted steps."""
    specs = vocabulary(world_class, omit)
    if not specs:
        raise ValueError(f"{world_class.__name__} declares no fuzz step")
    name = "".join(p.title() for p in channel.replace("-", " ").split()) + "Machine"
    return type(name, (SpecMachine,), {"world_class": world_class, "channel": channel, "steps_spec": specs,
                                       "__qualname__": name, "__module__": __name__})
