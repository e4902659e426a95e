"""Run every property family on the chosen channels and return :class:`PropertyResult` records.

Which families apply to which channel is decided in each family's module (its ``CHANNELS`` and
docstring); this module only lists them in a fixed order, so the output is sorted and stable:
by channel, then by property id. Seconds are measured per property with a performance counter.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

from model.assumptions import Assumptions
from model.errors import InputError
from proofs import bruteforce, commands, controls, mp169, pairing, relay, utrn
from proofs.result import CHANNELS, Finding, PropertyResult

Check = Callable[[Assumptions], Finding]

#: Optional budget for family 7 (not in the assumption registry yet; absent = no budget).
BUDGET_KEY = "controls.budget_gbp"


def _plan(channel: str, a: Assumptions) -> list[tuple[str, Check]]:
    """(property name, check) for every property that applies to ``channel``."""
    plan: list[tuple[str, Check]] = []
    if channel in utrn.CHANNELS:
        plan.append(("utrn-anti-replay", lambda a: utrn.check_cell(channel, "replay")))
        plan.append(("utrn-floor", lambda a: utrn.check_cell(channel, "floor")))
        for policy in utrn.POLICIES:
            plan.append((f"utrn-availability.{policy}", lambda a, p=policy: utrn.availability(p, a)))
    if channel in commands.CHANNELS:
        plan.append(("command-anti-replay", lambda a: commands.check(channel)))
    if channel in bruteforce.CHANNELS:
        plan.append(("bruteforce-bound", lambda a: bruteforce.check(channel, a)))
    if channel in pairing.CHANNELS:
        plan.append(("pairing-window", lambda a: pairing.check(channel, a)))
    if channel in relay.CHANNELS:
        plan.append(("relay-no-forgery", lambda a: relay.no_forgery()))
        plan.append(("relay-availability", relay.availability))
    if channel in mp169.CHANNELS:
        plan.extend((p, lambda a, p=p: mp169.check(p)) for p in mp169.PROPERTIES)
    if controls.applies(channel, a):
        plan.append(("best-control-set", lambda a: controls.check(channel, a, a.get(BUDGET_KEY))))
    return sorted(plan, key=lambda item: item[0])


def select_channels(channels: Iterable[str] | None) -> list[str]:
    """The requested channel ids in canonical order (all when none given); unknown ids are an error."""
    wanted = list(channels or ())
    unknown = sorted(set(wanted) - set(CHANNELS))
    if unknown:
        raise InputError(f"unknown channel {unknown[0]!r}; expected one of {', '.join(CHANNELS)}",
                         where="--channels")
    return [c for c in CHANNELS if not wanted or c in wanted]


def run(channels: Iterable[str] | None = None, assumptions: Assumptions | None = None) -> list[PropertyResult]:
    """Every applicable property of every selected channel, in a stable order."""
    a = assumptions if assumptions is not None else Assumptions()
    out: list[PropertyResult] = []
    for channel in select_channels(channels):
        for name, check in _plan(channel, a):
            start = time.perf_counter()
            finding = check(a)
            out.append(PropertyResult(name, channel, finding.status, time.perf_counter() - start,
                                      finding.trace, finding.detail))
    return out
