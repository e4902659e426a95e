"""Attack graphs laid out by Graphviz ``dot`` where it is installed, by the built-in layout otherwise.

Why both: Graphviz draws the clearest graphs (curved edges routed round the boxes, ranks packed),
but it is a system program that a committee member's or CI's machine may lack, so the report must
also be complete without it. The report says which one drew its graphs (``graph_layout`` in
``report.json``).

Graphviz is run as an untrusted-input consumer: its input is built here from escaped labels
(``graph_render.dot_string``) with fixed attributes, it runs with a wall-clock timeout, a CPU limit
and a cap on the bytes it may write, and a graph it cannot draw in those bounds is drawn by the
built-in layout instead (and named in ``graph_layout.fallback``). Its output is pinned: the
version comment and every other comment are removed (and the unused XLink namespace), element ids are set in the input, and the
orientation (top-down or left-right) is the one that fits the printed page at the larger scale.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from nowan.model.errors import InputError
from nowan.reports.graph_render import to_dot, to_svg

#: Choices of ``--layout``: Graphviz where installed, Graphviz or an error, always the built-in one.
LAYOUTS = ("auto", "dot", "built-in")
#: Bounds on one ``dot`` run: wall seconds, CPU seconds, bytes written (SVG and messages).
TIMEOUT_S = 20.0
CPU_S = 20
MAX_OUTPUT = 4 * 1024 * 1024
#: The printed page's content box in points (A4 less the paper's margins, less room for a heading).
PAGE_PT = (516.0, 680.0)
#: The font the paper's text uses; Graphviz sizes each box with its metrics.
FONT = "DejaVu Sans"

_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


class DotFailed(Exception):
    """One ``dot`` run did not give a drawing within its bounds (the graph falls back)."""


@dataclass
class Layout:
    """Which renderer draws the attack graphs of one run, and the graphs it could not draw."""

    renderer: str  # "graphviz-dot" or "built-in"
    executable: str | None = None
    version: str | None = None
    fallback: dict[str, str] = field(default_factory=dict)  # channel id -> why dot did not draw it

    def to_dict(self) -> dict[str, object]:
        return {"renderer": self.renderer, "version": self.version,
                "fallback": [{"channel": k, "reason": v} for k, v in sorted(self.fallback.items())]}


def find_dot() -> str | None:
    """The ``dot`` executable on PATH, or None."""
    return shutil.which("dot")


def dot_version(executable: str) -> str | None:
    """Graphviz's version ("2.43.0") from ``dot -V``, or None if it does not answer."""
    try:
        done = subprocess.run([executable, "-V"], capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(rb"version ([0-9][0-9A-Za-z.~+-]*)", done.stderr + done.stdout)
    return m.group(1).decode("ascii") if m else None


def choose(requested: str = "auto") -> Layout:
    """The layout for ``--layout requested``: 'dot' without Graphviz is a one-line error."""
    if requested not in LAYOUTS:
        raise InputError(f"expected one of {', '.join(LAYOUTS)}, got {requested!r}", where="--layout")
    exe = find_dot() if requested != "built-in" else None
    version = dot_version(exe) if exe else None
    if exe and version:
        return Layout("graphviz-dot", exe, version)
    if requested == "dot":
        raise InputError("Graphviz 'dot' is not installed (or does not answer 'dot -V'); install graphviz "
                         "or use --layout built-in", where="--layout dot")
    return Layout("built-in")


def _limits() -> None:  # pragma: no cover - runs in the child process
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_S, CPU_S))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_OUTPUT, MAX_OUTPUT))


def run_dot(executable: str, source: str, *, timeout: float = TIMEOUT_S) -> str:
    """``dot -Tsvg`` on ``source`` within the bounds; the SVG text, or DotFailed saying why."""
    with tempfile.TemporaryDirectory(prefix="nowan-dot-") as tmp:
        out, err = Path(tmp) / "graph.svg", Path(tmp) / "messages"
        with open(out, "wb") as fo, open(err, "wb") as fe:
            try:
                done = subprocess.run([executable, "-Tsvg"], input=source.encode("utf-8"), stdout=fo, stderr=fe,
                                      timeout=timeout, preexec_fn=_limits, check=False,
                                      env={**os.environ, "LC_ALL": "C.UTF-8"})
            except subprocess.TimeoutExpired:
                raise DotFailed(f"dot took longer than {timeout:g} s") from None
            except OSError as exc:
                raise DotFailed(f"dot could not be run ({exc.strerror})") from None
        size = out.stat().st_size
        if size >= MAX_OUTPUT:
            raise DotFailed(f"dot wrote more than {MAX_OUTPUT} bytes")
        if done.returncode != 0:
            first = err.read_bytes()[:200].decode("utf-8", "replace").splitlines()[:1]
            raise DotFailed(f"dot exited with status {done.returncode}" + (f": {first[0]}" if first else ""))
        text = out.read_bytes().decode("utf-8", "replace")
    return text


def clean_svg(raw: str) -> str:
    """Graphviz's SVG pinned for the report: from ``<svg`` on, comments (the version one included) gone."""
    start = raw.find("<svg")
    if start < 0 or not raw.rstrip().endswith("</svg>"):
        raise DotFailed("dot's output is not an SVG document")
    svg = _COMMENT.sub("", raw[start:]).rstrip() + "\n"
    if "xlink:" not in svg:  # the namespace is declared but nothing links anywhere
        svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    return svg


def _fit(svg: str) -> float:
    """The scale at which the drawing fits the printed page (at most 1)."""
    m = _SIZE.search(svg)
    if not m:
        return 0.0
    w, h = float(m.group(1)), float(m.group(2))
    return min(1.0, PAGE_PT[0] / max(w, 1.0), PAGE_PT[1] / max(h, 1.0))


def dot_svg(g: nx.DiGraph, executable: str, id_prefix: str = "") -> str:
    """The graph drawn by Graphviz, top-down or left-right, whichever is printed larger (top-down on a tie)."""
    best, best_scale = "", -1.0
    for rankdir in ("TB", "LR"):
        svg = clean_svg(run_dot(executable, to_dot(g, rankdir=rankdir, wrap=True, id_prefix=id_prefix, font=FONT)))
        scale = _fit(svg)
        if scale > best_scale:
            best, best_scale = svg, scale
    return best


def draw(g: nx.DiGraph, layout: Layout, id_prefix: str = "") -> str:
    """The graph's SVG by ``layout``; a graph Graphviz cannot draw is drawn built-in and recorded."""
    if layout.renderer == "graphviz-dot" and layout.executable:
        try:
            return dot_svg(g, layout.executable, id_prefix)
        except DotFailed as exc:
            layout.fallback[str(g.graph.get("channel"))] = str(exc)
    return to_svg(g, id_prefix=id_prefix)
