"""Small arithmetic expressions over assumptions and channel parameters.

Model files say *why* a number is what it is: ``"limits.max_topup_pence / 100"`` rather than
``250``. Expressions are parsed once, checked at load time against the known names (a name that
cannot be resolved is a load error, never a silent zero), and evaluated without ``eval``.
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

from nowan.model.values import MAX_INT_BITS

#: Bounds on one expression: model expressions are a line long; these stop a pull request from
#: spinning the assessor (``9**9**9**9``) or exhausting memory with a giant integer.
MAX_EXPR_CHARS = 400
MAX_EXPR_NODES = 200


def _pow(base: Any, exp: Any) -> Any:
    """Exponentiation that cannot run away: exact for small integers, float (or an error) otherwise."""
    if (isinstance(base, int) and isinstance(exp, int) and 0 <= exp
            and abs(base).bit_length() * exp <= MAX_INT_BITS):
        return base ** exp
    return float(base) ** float(exp)


def _numbers(a: Any, b: Any) -> None:
    """Arithmetic is on numbers only: ``'a' * 10**12`` or ``'%9999999999d' % 1`` would exhaust memory."""
    for v in (a, b):
        if not isinstance(v, (int, float)):
            raise TypeError(f"arithmetic on {type(v).__name__}")


def _bounded(value: Any) -> Any:
    """Refuse integers too large to be a model number (they would make every later step slow)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise OverflowError(f"integer result over 2**{MAX_INT_BITS}")
    if isinstance(value, complex):
        raise TypeError("complex result")
    return value


_BIN: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Pow: _pow, ast.Mod: operator.mod,
}
_CMP: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
_FUNCS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "log2": math.log2, "log10": math.log10,
                                         "ceil": math.ceil, "floor": math.floor}
_CONSTS: dict[str, Any] = {"inf": math.inf, "true": True, "false": False}


class ExprError(ValueError):
    """An expression that cannot be parsed or evaluated; the loader adds file and line."""


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


@dataclass(frozen=True)
class Expr:
    """A parsed expression; ``names`` are the assumption/parameter keys it reads."""

    text: str
    tree: ast.AST
    names: frozenset[str]

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """The value in ``env``; mismatched types or a runaway number are an ExprError, not a crash."""
        try:
            return _eval(self.tree, env, self.text)
        except ExprError:
            raise
        except (TypeError, ValueError, OverflowError, ZeroDivisionError, MemoryError) as exc:
            raise ExprError(f"cannot evaluate {self.text!r}: {exc or type(exc).__name__}") from None


def _eval(node: ast.AST, env: Mapping[str, Any], text: str) -> Any:
    name = _dotted(node)
    if name is not None:
        if name in _CONSTS:
            return _CONSTS[name]
        if name not in env:
            raise ExprError(f"unknown name '{name}' in expression {text!r}")
        return env[name]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return _bounded(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        try:
            left, right = _eval(node.left, env, text), _eval(node.right, env, text)
            _numbers(left, right)
            return _bounded(_BIN[type(node.op)](left, right))
        except ExprError:
            raise
        except OverflowError:
            raise ExprError(f"cannot evaluate {text!r}: number too large") from None
        except (ZeroDivisionError, TypeError, ValueError) as exc:
            raise ExprError(f"cannot evaluate {text!r}: {exc}") from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        v = _eval(node.operand, env, text)
        return -v if isinstance(node.op, ast.USub) else (not v if isinstance(node.op, ast.Not) else v)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env, text)
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, env, text)
            if not _CMP[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        vals = (_eval(v, env, text) for v in node.values)
        return all(vals) if isinstance(node.op, ast.And) else any(vals)
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, env, text) else node.orelse, env, text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
        try:
            args = [_eval(a, env, text) for a in node.args]
            for a in args:
                _numbers(a, 0)
            return _FUNCS[node.func.id](*args)
        except ExprError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            raise ExprError(f"cannot evaluate {text!r}: {exc}") from None
    raise ExprError(f"unsupported syntax in expression {text!r}")


def _collect(node: ast.AST, out: set[str]) -> None:
    name = _dotted(node)
    if name is not None:
        if name not in _CONSTS:
            out.add(name)
        return
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in _FUNCS):
            raise ExprError("only min, max, log2, log10, ceil and floor may be called")
        for a in node.args:
            _collect(a, out)
        return
    allowed = (ast.Expression, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp,
               ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Load)
    if not isinstance(node, allowed):
        raise ExprError(f"unsupported syntax ({type(node).__name__})")
    for child in ast.iter_child_nodes(node):
        _collect(child, out)


@lru_cache(maxsize=2048)
def parse(text: str) -> Expr:
    """Parse an expression; raises ExprError on syntax the evaluator does not allow."""
    if len(text) > MAX_EXPR_CHARS:
        raise ExprError(f"expression longer than {MAX_EXPR_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExprError(f"not a valid expression: {text!r}") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_EXPR_NODES:
        raise ExprError(f"expression has more than {MAX_EXPR_NODES} parts")
    names: set[str] = set()
    _collect(tree, names)
    return Expr(text=text, tree=tree.body, names=frozenset(names))


def number(value: Any, env: Mapping[str, Any]) -> float:
    """A model number: a literal, or an expression string evaluated in ``env``."""
    if isinstance(value, bool):
        raise ExprError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return value
    result = parse(str(value)).evaluate(env)
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise ExprError(f"expression {value!r} gave {result!r}, expected a number")
    if result != result:
        raise ExprError(f"expression {value!r} is not a number (NaN)")
    return result
