"""One number checker for options, model files and traces: NaN, infinity and ranges."""
from __future__ import annotations

import math

import pytest

from nowan.model.errors import InputError
from nowan.model.values import NON_NEGATIVE, POSITIVE, NumberSpec, check_number, finite_json


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, "1", None])
def test_non_numbers_and_non_finite_are_refused_by_default(value: object) -> None:
    assert check_number(value) is not None


def test_nan_never_passes_a_range_check() -> None:
    # a naive `value < lo or value > hi` lets NaN through
    assert check_number(math.nan, NumberSpec(minimum=0, maximum=1)) is not None


def test_ranges() -> None:
    assert check_number(0, NON_NEGATIVE) is None
    assert check_number(-0.01, NON_NEGATIVE) is not None
    assert check_number(0, POSITIVE) is not None
    assert check_number(1e-9, POSITIVE) is None
    assert check_number(math.inf, NumberSpec(minimum=0, allow_inf=True)) is None
    assert check_number(-math.inf, NumberSpec(allow_inf=True)) is not None
    assert check_number(2.5, NumberSpec(integer=True)) is not None


def test_finite_json_writes_inf_as_text_and_refuses_nan() -> None:
    assert finite_json({"a": [math.inf, 1.5]}) == {"a": ["inf", 1.5]}
    with pytest.raises(InputError, match=r"channels\[0\]\.x"):
        finite_json({"channels": [{"x": math.nan}]})
