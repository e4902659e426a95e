"""The Sources annex: every citation a report makes, resolved to the document or section it names.

Why: a committee member reading "seed 002", "S27" or "domain.md 11.4" in the PDF cannot open the
repository's docs/sources.md during a meeting. The report itself must say what each citation is.
The resolutions are data (``model/data/sources.yaml``, kept in step with docs/sources.md and
docs/domain.md by a test); this module only finds which of them a report uses.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator, Mapping

import yaml

from nowan.model.citations import CITATION

#: Kinds in the order the annex lists them, with the heading each gets.
KINDS = (("seeds", "The SEC documents this assessment starts from"),
         ("references", "Public references (the domain brief's source list)"),
         ("domain", "Sections of the project's domain brief (docs/domain.md)"))
_DOMAIN = re.compile(r"domain\.md (\d+(?:\.\d+)?)")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """kind -> {citation id -> what it is}, from the packaged ``model/data/sources.yaml``."""
    text = resources.files("nowan.model").joinpath("data", "sources.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {kind: {str(k): str(v) for k, v in (data.get(kind) or {}).items()} for kind, _ in KINDS}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _ids(text: str) -> Iterator[str]:
    """The citation ids in ``text``: ``seed 00N``, ``Sn``, and each section of a ``domain.md``
    citation (``domain.md 1.4, 1.5`` cites two)."""
    for m in CITATION.finditer(text):
        cite = m.group(0).strip()
        if cite.startswith(("seed", "S")):
            yield cite
        elif cite.startswith("domain.md"):
            for number in re.findall(r"\d+(?:\.\d+)?", cite[len("domain.md"):]):
                yield f"domain.md {number}"


def cited(*documents: Any) -> list[dict[str, str]]:
    """Every citation in ``documents`` (a report bundle, key findings...), resolved: a list of
    ``{kind, id, title}`` in annex order. A section missing from the catalogue resolves to its
    parent section (``domain.md 1.9`` to ``domain.md 1``); an id that resolves to nothing is listed
    with the title 'not in the source list' rather than dropped, so a reader sees the gap."""
    known = catalogue()
    found: set[str] = set()
    for doc in documents:
        for s in _strings(doc):
            found.update(_ids(s))
    out: list[dict[str, str]] = []
    for kind, _ in KINDS:
        table = known[kind]
        ids = sorted((i for i in found if _kind_of(i) == kind), key=_order)
        for i in ids:
            title = table.get(i) or _parent(table, i) or "not in the source list"
            out.append({"kind": kind, "id": i, "title": title})
    return out


def _parent(table: Mapping[str, str], cite: str) -> str | None:
    """``domain.md 8.4`` (an item of section 8, which has no heading of its own) as section 8's title."""
    head, _, item = cite.rpartition(".")
    if not head or not item.isdigit() or head not in table:
        return None
    return f"{table[head]}, item {item}"


def _kind_of(cite: str) -> str:
    return "seeds" if cite.startswith("seed") else "domain" if cite.startswith("domain.md") else "references"


def _order(cite: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", cite))


def headings() -> dict[str, str]:
    """kind -> the heading the annex gives it."""
    return dict(KINDS)
