"""YAML with line numbers: every value of a model file keeps the line it came from.

Why: a reviewer must be able to trace every number in a verdict back to a model line, and a
loader error must name file, line and field. PyYAML's compose API gives node marks; we turn the
node tree into plain data plus a map ``path -> line``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nowan.model.errors import InputError, ModelError
from nowan.model.safeio import read_text, stat_regular

Path_ = tuple[Any, ...]


@dataclass(frozen=True, eq=False)
class Sourced:
    """Plain data read from one YAML file, with the line of every value (1-based)."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get(())

    def error(self, message: str, path: Path_ = ()) -> ModelError:
        """A ModelError naming this file, the line of ``path`` and the dotted field."""
        fld = ".".join(str(p) for p in path) or None
        return ModelError.at(message, source=self.file, line=self.line(path), field=fld)


#: Bounds on one YAML document: a model file is a few hundred nodes; an alias "billion laughs"
#: bomb of 700 bytes expands to billions. Aliases are allowed (they are handy for shared lists),
#: but every node they expand to counts against the budget.
MAX_NODES = 200_000
MAX_DEPTH = 64


def _convert(root: Node, lines: dict[Path_, int], ctor: yaml.SafeLoader, file: str) -> Any:
    """Node tree -> plain data, iteratively (no recursion limit), within the node and depth budget."""
    budget = MAX_NODES
    result: list[Any] = [None]
    # Each task: (node, path, container, slot); the converted value is stored in container[slot].
    stack: list[tuple[Node, Path_, Any, Any]] = [(root, (), result, 0)]
    while stack:
        node, path, container, slot = stack.pop()
        budget -= 1
        if budget < 0:
            raise ModelError.at(f"document too large (more than {MAX_NODES} values once aliases are "
                                "expanded); expected a model file", source=file, line=node.start_mark.line + 1)
        if len(path) > MAX_DEPTH:
            raise ModelError.at(f"nested more than {MAX_DEPTH} levels deep; expected a model file", source=file,
                                line=node.start_mark.line + 1, field=_dotted(path[:8]) + "...")
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            container[slot] = out
            for knode, vnode in node.value:
                if not isinstance(knode, ScalarNode):
                    raise ModelError.at("a mapping key must be a plain string", source=file,
                                        line=knode.start_mark.line + 1, field=_dotted(path) or None)
                key = _construct(ctor, knode, file)
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise ModelError.at(f"a mapping key must be a string, got {key!r}", source=file,
                                        line=knode.start_mark.line + 1, field=_dotted(path) or None)
                if key in out:
                    raise ModelError.at(f"duplicate key {key!r}", source=file,
                                        line=knode.start_mark.line + 1, field=_dotted(path + (key,)))
                out[key] = None
                stack.append((vnode, path + (key,), out, key))
        elif isinstance(node, SequenceNode):
            seq: list[Any] = [None] * len(node.value)
            container[slot] = seq
            for i, v in enumerate(node.value):
                stack.append((v, path + (i,), seq, i))
        else:
            container[slot] = _construct(ctor, node, file)
    return result[0]


def _construct(ctor: yaml.SafeLoader, node: Node, file: str) -> Any:
    """One scalar, with PyYAML's own errors (a bad timestamp, an over-long integer) made one line."""
    try:
        return ctor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise ModelError.at(f"cannot read value ({exc})", source=file, line=node.start_mark.line + 1) from None


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def parse_yaml(text: str, file: str) -> Sourced:
    """Parse YAML text, keeping lines; a syntax error becomes a one-line ModelError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ModelError.at(f"not valid YAML ({getattr(exc, 'problem', exc)})", source=file,
                            line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise ModelError.at(f"nested too deeply; expected a model file (at most {MAX_DEPTH} levels)",
                            source=file) from None
    if node is None:
        raise ModelError.at("empty file; expected a mapping", source=file, line=1)
    lines: dict[Path_, int] = {}
    ctor = yaml.SafeLoader("")
    return Sourced(file=file, data=_convert(node, lines, ctor, file), lines=lines)


@lru_cache(maxsize=256)
def _read_cached(path: str, mtime_ns: int, size: int, label: str) -> Sourced:
    return parse_yaml(read_text(path, label), label)


def read_yaml(path: Path, label: str | None = None) -> Sourced:
    """Read and parse a YAML file, cached on (path, mtime, size): models are re-scored often."""
    try:
        st = stat_regular(path, label)
    except InputError as exc:
        raise ModelError(exc.message, where=exc.where) from None
    return _read_cached(str(path), st.st_mtime_ns, st.st_size, label or str(path))
