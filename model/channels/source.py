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

from nowan.model.errors import ModelError

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


def _convert(node: Node, path: Path_, lines: dict[Path_, int], ctor: yaml.SafeLoader, file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            key = ctor.construct_object(knode, deep=True)
            if key in out:
                raise ModelError.at(f"duplicate key {key!r}", source=file,
                                    line=knode.start_mark.line + 1, field=".".join(map(str, path + (key,))))
            out[key] = _convert(vnode, path + (key,), lines, ctor, file)
        return out
    if isinstance(node, SequenceNode):
        return [_convert(v, path + (i,), lines, ctor, file) for i, v in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return ctor.construct_object(node, deep=True)


def parse_yaml(text: str, file: str) -> Sourced:
    """Parse YAML text, keeping lines; a syntax error becomes a one-line ModelError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ModelError.at(f"not valid YAML ({getattr(exc, 'problem', exc)})", source=file,
                            line=mark.line + 1 if mark else None) from None
    if node is None:
        raise ModelError.at("empty file; expected a mapping", source=file, line=1)
    lines: dict[Path_, int] = {}
    ctor = yaml.SafeLoader("")
    return Sourced(file=file, data=_convert(node, (), lines, ctor, file), lines=lines)


@lru_cache(maxsize=256)
def _read_cached(path: str, mtime_ns: int, size: int, label: str) -> Sourced:
    return parse_yaml(Path(path).read_text(encoding="utf-8"), label)


def read_yaml(path: Path, label: str | None = None) -> Sourced:
    """Read and parse a YAML file, cached on (path, mtime, size): models are re-scored often."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ModelError(f"cannot read file ({exc.strerror})", where=str(label or path)) from None
    return _read_cached(str(path), st.st_mtime_ns, st.st_size, label or str(path))
