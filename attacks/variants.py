"""The assumption values a harness runs under: the channel's own, plus deliberate shrinking variants.

A campaign under the model's values alone misses code that only runs in states a short example
never reaches: with 100 cache entries no example gets past the cache size, and a window the
channel removes (SECMP0037) leaves the window code unexecuted. So besides the channel's values a
harness for implementation bugs also runs under variants that shrink the state space: a cache of 2
entries, the other counter reconstruction policy, a short pairing window. A variant only changes
how the premises is configured; the invariants are the same, and a finding's trace records the
values it ran under, so it replays as found. Channel weaknesses are evidence about the channel as
modelled, and are hunted under the channel's own values only.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from nowan.model.assumptions import Assumptions
from nowan.model.devices.utrn_cache import POLICIES

#: Small cache: a handful of top-ups already evicts (the eviction order matters within an example).
SMALL_CACHE = 2
#: Short pairing window (seconds): the waits a world takes straddle it (60 s is on its boundary).
SHORT_WINDOW_S = 60


def _shrinks(key: str, value: Any) -> list[Any]:
    """The deliberate alternatives to ``value`` for one assumption key (none for other keys)."""
    if key == "utrn.cache_size":
        return [SMALL_CACHE] if int(value) != SMALL_CACHE else []
    if key == "utrn.reconstruction":
        return [p for p in POLICIES if p != value]
    if key == "pairing.window_s":
        return [SHORT_WINDOW_S] if float(value) != SHORT_WINDOW_S else []
    return []


def variants(base: Assumptions, reads: Iterable[str]) -> list[Assumptions]:
    """``base`` first, then one variant per shrinking alternative of each key the world ``reads``,
    then the cache and policy alternatives together (a small cache under the other policy)."""
    out = [base]
    single: dict[str, list[Any]] = {}
    for key in reads:
        for value in _shrinks(key, base[key]):
            single.setdefault(key, []).append(value)
            out.append(_with(base, {key: value}))
    if "utrn.cache_size" in single and "utrn.reconstruction" in single:
        out.append(_with(base, {"utrn.cache_size": single["utrn.cache_size"][0],
                                "utrn.reconstruction": single["utrn.reconstruction"][0]}))
    return out


def _with(base: Assumptions, changes: Mapping[str, Any]) -> Assumptions:
    return Assumptions({**base.overridden, **changes})
