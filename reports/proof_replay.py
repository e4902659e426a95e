"""Replay every refuted proof on the devices at run time, for ``nowan prove`` and ``assess``.

A counterexample is only evidence if the devices do the same thing, so each refutation's trace goes
through the one replayer (:func:`nowan.attacks.replay.replay`) when the proofs run, not only in the
test suite, and ``PropertyResult.reproduced`` says whether the violation showed up. This sits in
``reports`` because proofs and attacks each depend on the model only.
"""
from __future__ import annotations

from typing import Iterable

from nowan.attacks.replay import replay
from nowan.model.traces import TraceError
from nowan.proofs.result import REFUTED, PropertyResult


def mark_reproduced(results: Iterable[PropertyResult]) -> None:
    """Set ``reproduced`` on every refuted result; a trace the devices cannot take did not reproduce."""
    for r in results:
        if r.status != REFUTED:
            continue
        try:
            r.reproduced = r.trace is not None and replay(r.trace).reproduced
        except TraceError:
            r.reproduced = False
