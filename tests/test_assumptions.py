import math

import pytest

from nowan.model.assumptions import Assumptions, catalogue
from nowan.model.errors import AssumptionError


def test_defaults_match_design_keys():
    a = Assumptions()
    assert a["utrn.cache_size"] == 100
    assert a["lockout.max_failures"] == 5
    assert a["pairing.window_s"] == 3600
    assert a["nowan.share"] == 0.007
    assert a["bruteforce.max_probability"] == 1e-6


def test_override_parses_types():
    a = Assumptions.from_cli(["pairing.window_s=inf", "lockout.covers_han=false", "utrn.cache_size=0x10"])
    assert a["pairing.window_s"] == math.inf
    assert a["lockout.covers_han"] is False
    assert a["utrn.cache_size"] == 16
    assert a.to_dict()["pairing.window_s"]["overridden"] is True


@pytest.mark.parametrize("pair,needle", [
    ("nope.key=1", "unknown assumption"),
    ("utrn.cache_size=ten", "expected an int"),
    ("utrn.reconstruction=random", "expected one of"),
    ("lockout.lock_s", "expected KEY=VALUE"),
])
def test_bad_overrides_name_the_key(pair, needle):
    with pytest.raises(AssumptionError) as e:
        Assumptions.from_cli([pair])
    assert needle in str(e.value)
    assert "\n" not in str(e.value)


def test_every_assumption_has_label_and_source():
    for a in catalogue().values():
        assert a.label.startswith("A-") and a.source
