"""What a robustness sweep scores, and the task functions the executors run.

A :class:`Subject` is plain, picklable data (model directory, channel ids, the ``--assume``
overrides) so that a task can travel to a worker process or a Dask worker on another machine
and load the same models there. The task functions are module-level for the same reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.catalogues import scales
from nowan.model.channels.risk import residual_rank
from nowan.model.channels.types import Channel

Sample = Mapping[str, Any]   # input id -> value


@dataclass(frozen=True)
class Subject:
    """The channels whose verdicts are swept, and the overrides every sample starts from."""

    channels: tuple[str, ...]
    models: str | None = None                       # a --models directory, or the packaged models
    base: tuple[tuple[str, Any], ...] = ()          # --assume overrides: pinned, never swept

    def load(self) -> dict[str, Channel]:
        return load_channels(self.channels, Path(self.models) if self.models else None)

    def assumptions(self, sample: Sample) -> Assumptions:
        return Assumptions({**dict(self.base), **sample})


def rank_of(channel: Channel, assumptions: Assumptions) -> int:
    """Residual risk level of one channel as a rank (0 very-low .. 4 very-high), without traces."""
    return residual_rank(channel, assumptions)


def above(rank: int) -> bool:
    """Whether a residual rank is above the SSC's appetite (risk.yaml ``appetite``)."""
    sc = scales()
    return rank > sc.rank(sc.appetite)


def score_samples(task: tuple[Subject, Sequence[str], Sequence[Sample]]) -> list[list[int]]:
    """Task: residual ranks of the channels ``ids`` for each sample (one row per sample)."""
    subject, ids, samples = task
    channels = subject.load()
    chosen = [channels[i] for i in ids]
    return [[rank_of(ch, a) for ch in chosen] for a in map(subject.assumptions, samples)]
