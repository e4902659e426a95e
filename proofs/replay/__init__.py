"""Replaying proof traces on the reference implementation (``model.devices``).

A counterexample is only evidence if the executable model does the same thing. Each family's trace
is plain data in the model's own terms (paths, upper counter words, floors, seconds, command ids);
:func:`replay` dispatches on the trace's ``kind`` to a module that builds a ``Scenario`` with the
trace's parameters and flaws, performs the steps with real UTRNs and GBCS frames, and reports
whether the violation the trace claims shows up in the devices' own state.
"""
from __future__ import annotations

from typing import Any, Callable

from nowan.proofs.replay.base import Replay

_REPLAYERS: dict[str, Callable[[dict[str, Any]], Replay]] = {}


def register(kind: str) -> Callable[[Callable[[dict[str, Any]], Replay]], Callable[[dict[str, Any]], Replay]]:
    def deco(fn: Callable[[dict[str, Any]], Replay]) -> Callable[[dict[str, Any]], Replay]:
        _REPLAYERS[kind] = fn
        return fn
    return deco


def replay(trace: dict[str, Any]) -> Replay:
    """Run ``trace`` on the devices; ``Replay.reproduced`` says whether the violation appeared."""
    from nowan.proofs.replay import bruteforce, commands, controls, mp169, pairing, relay, utrn  # noqa: F401  (registers)
    kind = trace.get("kind")
    if kind not in _REPLAYERS:
        raise ValueError(f"no replayer for trace kind {kind!r}; expected one of {', '.join(sorted(_REPLAYERS))}")
    return _REPLAYERS[kind](trace)


__all__ = ["Replay", "register", "replay"]
