"""What a counterexample step, and the evidence its world reads, may hold: declared beside the code.

Why: a proof's trace is a file, and in CI it comes from a pull request. Without a declaration a
step ``guess(count=10**30)`` runs until a wall-clock bound stops it, ``path="x"`` silently takes
the HAN path, and ``count="x"`` becomes a device crash reported as "not reproduced" with exit 0.
Each ``do_`` method of a counterexample world therefore declares its arguments with
:func:`takes` (the way Hypothesis's ``@rule`` declares a rule's strategies), each world declares
the evidence fields it reads (``CounterexampleWorld.reads``), and :func:`step_problem` /
:func:`evidence_problem` check a trace against them before any device is built, so a bad value is
one line naming ``steps[i]`` and the field. Numbers go through the one checker every number from
outside goes through (:func:`nowan.model.values.check_number`).
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar, Union

from nowan.model.values import NumberSpec, check_number


@dataclass(frozen=True)
class Record:
    """A JSON object holding at least ``fields`` (other keys are the solver's and are not read).

    A field named in ``optional`` may be missing or null.
    """

    fields: Mapping[str, "Domain"]
    optional: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ListOf:
    """A JSON list of at most ``max_len`` items, each in ``item``."""

    item: "Domain"
    max_len: int


@dataclass(frozen=True)
class Matches:
    """A string of at most ``max_len`` characters matching ``pattern`` (an id, a name)."""

    pattern: str
    what: str
    max_len: int = 200

    def fits(self, value: Any) -> bool:
        return isinstance(value, str) and len(value) <= self.max_len and re.fullmatch(self.pattern, value) is not None


#: A number range, one of a few literal values, a string pattern, an object or a list.
Domain = Union[NumberSpec, tuple, Matches, Record, ListOf]

F = TypeVar("F", bound=Callable[..., Any])


def takes(_also: Callable[[Mapping[str, Any]], tuple[str, str] | None] | None = None,
          **domains: Domain) -> Callable[[F], F]:
    """Declare a step method's arguments: ``@takes(path=("keypad", "han"), count=GUESSES)``.

    ``_also``: a check across arguments (``last - first`` at most so many), run once each fits.
    """
    def mark(fn: F) -> F:
        fn.step_args = domains  # type: ignore[attr-defined]
        fn.step_also = _also  # type: ignore[attr-defined]
        return fn
    return mark


def declared(handler: Callable[..., Any]) -> Mapping[str, Domain] | None:
    """The domains a step method declared with :func:`takes`, or None if it declared none."""
    return getattr(handler, "step_args", None)


def _describe(d: Domain) -> str:
    if isinstance(d, NumberSpec):
        return d.describe()
    if isinstance(d, Record):
        return "an object with " + ", ".join(d.fields)
    if isinstance(d, ListOf):
        return f"a list of at most {d.max_len} items"
    if isinstance(d, Matches):
        return d.what
    return "one of " + ", ".join(repr(v) for v in d)


def value_problem(d: Domain, value: Any, field: str) -> tuple[str, str] | None:
    """``(field, what was expected)`` if ``value`` is outside ``d``; None if it fits."""
    if isinstance(d, NumberSpec):
        problem = check_number(value, d)
        return (field, problem) if problem else None
    if isinstance(d, Record):
        if not isinstance(value, Mapping):
            return field, f"expected {_describe(d)}, got {type(value).__name__}"
        for key, inner in d.fields.items():
            if value.get(key) is None and key in d.optional:
                continue
            if key not in value:
                return f"{field}.{key}", "missing"
            found = value_problem(inner, value[key], f"{field}.{key}")
            if found:
                return found
        return None
    if isinstance(d, ListOf):
        if not isinstance(value, list) or len(value) > d.max_len:
            return field, f"expected {_describe(d)}"
        for i, item in enumerate(value):
            found = value_problem(d.item, item, f"{field}[{i}]")
            if found:
                return found
        return None
    if isinstance(d, Matches):
        return None if d.fits(value) else (field, f"expected {d.what}, got {value!r}")
    if not any(type(value) is type(v) and value == v for v in d):  # True is not 1 here
        return field, f"expected {_describe(d)}, got {value!r}"
    return None


def step_problem(handler: Callable[..., Any], args: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(field, problem)`` if ``args`` are not what ``handler`` declared; None if they are.

    Every argument must be declared (an undeclared one is a hand edit or another world's step),
    and every parameter without a default must be given.
    """
    domains = declared(handler) or {}
    params = [p for p in inspect.signature(handler).parameters.values()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"]
    for name in args:
        if name not in domains:
            return name, f"takes ({', '.join(domains) or 'no arguments'}), not {name!r}"
    for p in params:
        if p.default is p.empty and p.name not in args:
            return p.name, "missing"
    for name, value in args.items():
        found = value_problem(domains[name], value, name)
        if found:
            return found
    also = getattr(handler, "step_also", None)
    return also(args) if also is not None else None


def evidence_problem(reads: Record | None, evidence: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(field, problem)`` for the first evidence field a world reads that is missing or malformed."""
    return value_problem(reads, evidence, "evidence") if reads is not None else None
