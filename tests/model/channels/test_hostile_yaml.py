"""Model files from a pull request: bombs, deep nesting, odd keys and bad numbers are one-line errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from nowan.model.channels import exprs
from nowan.model.channels.source import parse_yaml
from nowan.model.errors import ModelError

BOMB = "\n".join(
    [ 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]' ]
    + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
)


def test_alias_bomb_is_refused_quickly() -> None:
    assert len(BOMB) < 1000
    with pytest.raises(ModelError, match="document too large"):
        parse_yaml(BOMB, "bomb.yaml")


def test_small_aliases_still_work() -> None:
    src = parse_yaml("a: &x [1, 2]\nb: *x\n", "ok.yaml")
    assert src.data == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000, "a: " + "{b: " * 3000 + "1" + "}" * 3000])
def test_deep_nesting_is_a_one_line_error(text: str) -> None:
    with pytest.raises(ModelError, match="nested"):
        parse_yaml(text, "deep.yaml")


@pytest.mark.parametrize("text", ["? [1, 2]\n: 3\n", "true: 1\n", "1.5: x\n", "? {a: 1}\n: 2\n"])
def test_keys_must_be_strings(text: str) -> None:
    with pytest.raises(ModelError, match="key must be"):
        parse_yaml(text, "keys.yaml")


def test_oversized_integer_is_a_one_line_error() -> None:
    with pytest.raises(ModelError) as exc:
        parse_yaml("a: " + "9" * 5000 + "\n", "big.yaml")
    assert "big.yaml:1" in str(exc.value)


@pytest.mark.parametrize("text,message", [
    ("9**9**9**9", "too large"),
    ("10**400", "too large"),
    ("'a' < 3", "not supported"),
    ("-'x'", "bad operand"),
    ("1" * 500, "longer than"),
    ("-" * 300 + "1", "parts"),
    ("1+" * 199 + "1", "longer|parts"),
    ("inf - inf", "NaN"),
    ("ceil(inf)", "cannot"),
])
def test_expressions_are_bounded(text: str, message: str) -> None:
    with pytest.raises(exprs.ExprError, match=message):
        exprs.number(text, {})


def test_small_powers_stay_exact() -> None:
    assert exprs.number("2**10", {}) == 1024
