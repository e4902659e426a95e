"""One checker for every number nowan takes from outside: options, model files and traces.

Why: a NaN compares false with everything, so ``nan < 0`` and ``nan > max`` both pass a naive
range check and then move a verdict without a word; a negative cost or a zero attempt time does
the same. Every number from any source is checked here against its declared type and range, and
the caller turns the returned message into a one-line error naming its file, line or field.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nowan.model.errors import InputError


@dataclass(frozen=True)
class NumberSpec:
    """The declared type and range of one number.

    ``minimum``/``maximum`` are inclusive unless ``exclusive_minimum``; ``allow_inf`` admits
    +infinity (a removed timeout); ``integer`` demands a whole number.
    """

    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    allow_inf: bool = False
    integer: bool = False

    def describe(self) -> str:
        """The range in words, for error messages ("a number > 0", "an integer 1..5")."""
        kind = "an integer" if self.integer else "a number"

        def show(x: float) -> str:  # an integer bound in full (2**64 - 1, not 1.84467e+19)
            return str(int(x)) if self.integer and float(x).is_integer() else f"{x:g}"

        if self.minimum is not None and self.maximum is not None and not self.exclusive_minimum:
            span = f" {show(self.minimum)}..{show(self.maximum)}"
        else:
            parts = []
            if self.minimum is not None:
                parts.append(f"{'>' if self.exclusive_minimum else '>='} {show(self.minimum)}")
            if self.maximum is not None:
                parts.append(f"<= {show(self.maximum)}")
            span = " " + " and ".join(parts) if parts else ""
        return kind + span + (" (or inf)" if self.allow_inf else "")


#: The largest integer any input may hold (as model expressions allow): beyond it, converting
#: to a float overflows, so it is no quantity nowan reasons about.
MAX_INT_BITS = 256

NON_NEGATIVE = NumberSpec(minimum=0)
POSITIVE = NumberSpec(minimum=0, exclusive_minimum=True)
ANY_FINITE = NumberSpec()


def check_number(value: Any, spec: NumberSpec = ANY_FINITE) -> str | None:
    """None if ``value`` is a number that fits ``spec``; otherwise what was expected, in words."""
    expected = f"expected {spec.describe()}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{expected}, got {value!r}"
    if isinstance(value, float):
        if math.isnan(value):
            return f"{expected}, got NaN"
        if math.isinf(value) and not (spec.allow_inf and value > 0):
            return f"{expected}, got {value!r}"
    if spec.integer and isinstance(value, float) and not math.isinf(value) and value != int(value):
        return f"{expected}, got {value!r}"
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:  # no float holds it: not a quantity
        return f"{expected}, got a number too large (over 2^{MAX_INT_BITS})"
    if isinstance(value, float) and math.isinf(value):
        return None
    if spec.minimum is not None:
        if value < spec.minimum or (spec.exclusive_minimum and value == spec.minimum):
            return f"{expected}, got {value!r}"
    if spec.maximum is not None and value > spec.maximum:
        return f"{expected}, got {value!r}"
    return None


def finite_json(value: Any, where: str = "") -> Any:
    """``value`` with every NaN or infinity replaced by a string: JSON has no such numbers.

    Infinity is meaningful in nowan (a removed timeout) and is written as ``"inf"``; a NaN means
    an input produced an undefined number (``inf - inf`` in a model expression, say) and is an
    error naming where it landed, never written silently.
    """
    if isinstance(value, float):
        if math.isnan(value):
            raise InputError("a computed value is not a number (NaN); check the model expressions and "
                             "assumptions it depends on", where=where or "output")
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {k: finite_json(v, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


_JSON_UNSAFE = {c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def json_safe_text(text: str) -> str:
    """JSON text with line separators and bidi overrides written as ``\\uXXXX`` escapes.

    JSON permits them raw, but they reorder or split what a reader sees in a terminal, an editor
    or a code-review page; escaped, the decoded value is unchanged.
    """
    return text.translate(_JSON_UNSAFE)
