"""How robust is each verdict? One input at a time, all at once, and which inputs drive it.

``analyse(Subject(channel_ids, models, base_overrides), samples=, seed=, executor=)`` returns, per
channel, the verdict, whether any single input in its declared range flips it (and where), the
probability of being above appetite over all ranges at once with its confidence interval, and the
inputs that drive it. Ranges come from :mod:`model.ranges`; samples run on :mod:`.executor`
(local processes or Dask). docs/methodology.md section 12 describes the method.
"""
from __future__ import annotations

from nowan.model.robustness.analysis import SAMPLES, TRAJECTORIES, analyse
from nowan.model.robustness.executor import Dask, Local, make
from nowan.model.robustness.subject import Subject

__all__ = ["SAMPLES", "TRAJECTORIES", "Dask", "Local", "Subject", "analyse", "make"]
