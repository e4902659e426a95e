"""Fuzz steps declared on the world methods that perform them, in the style of Hypothesis's ``@rule``.

A world method ``do_<name>`` decorated with :func:`step` is a step the fuzzer may take: the
decorator records who takes it (a ``legit`` party, the ``attacker`` or the ``env``ironment) and a
domain per argument. The method is the one place a step is defined: its name, its arguments, what it
does and what values the fuzzer draws for it. :func:`vocabulary` collects a world class's steps
(inherited ones first, in definition order; an override without the decorator keeps the
declaration it overrides), and a channel model may leave some out (``fuzz.omit``).

A step is drawn from one packed integer (:meth:`StepSpec.decode`): arguments take its low-order
digits first, so a shrunk, small integer is a simple step.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, TypeVar, Union

from nowan.model.traces import Step

F = TypeVar("F", bound=Callable[..., Any])


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
    """One kind of step a world may take, with a domain per argument."""

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


#: Domains many steps share: a position in what the attacker observed, an amount's index in
#: worlds.base.AMOUNTS, a 32-bit value (a MAC guess), a short byte string.
INDEX = range(8)
AMOUNT = range(6)
U32 = range(2**32)
SMALL_HEX = Hex(64)


def step(actor: str, **domains: Domain) -> Callable[[F], F]:
    """Declare the decorated ``do_<name>`` method as the fuzz step ``<name>`` (underscores as dashes)."""
    if actor not in ("legit", "attacker", "env"):
        raise ValueError(f"step actor must be legit, attacker or env, got {actor!r}")

    def mark(fn: F) -> F:
        if not fn.__name__.startswith("do_"):
            raise ValueError(f"a fuzz step is a do_<name> method, got {fn.__name__}")
        action = fn.__name__[3:].replace("_", "-")
        fn.fuzz_step = StepSpec(actor, action, tuple(domains.items()))  # type: ignore[attr-defined]
        return fn
    return mark


def vocabulary(world_class: type, omit: tuple[str, ...] = ()) -> tuple[StepSpec, ...]:
    """The steps a world class declares (base classes first), without the actions in ``omit``."""
    specs: dict[str, StepSpec] = {}
    for klass in reversed(world_class.__mro__):
        for value in vars(klass).values():
            spec = getattr(value, "fuzz_step", None)
            if isinstance(spec, StepSpec):
                specs[spec.action] = spec
    return tuple(s for a, s in specs.items() if a not in omit)
