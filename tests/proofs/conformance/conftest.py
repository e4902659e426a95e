"""The conformance budget of the tests: longer under the Hypothesis ``ci`` profile."""
from __future__ import annotations

import pytest
from hypothesis import settings

from nowan.proofs.conformance import Budget


@pytest.fixture(scope="session")
def budget() -> Budget:
    """``default`` profile (40 examples) -> 10 premises x 16 steps; ``ci`` (150) -> 37 x 25, shrinking."""
    n = settings.default.max_examples
    ci = n > 40
    return Budget(examples=max(6, n // 4), steps=25 if ci else 16, seed=0, shrink=ci)
