"""Test-suite settings: Hypothesis profiles and paths to the copied DCC test data.

Profiles: ``default`` is fast for laptops; ``ci`` (selected when the CI variable is set, or by
HYPOTHESIS_PROFILE=ci) runs more examples, derandomised, without a database, so every CI run
replays the same examples.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Test data copied into the project (DCC public test keys and RTDS messages)."""
    return DATA
