"""Whether a source text says what each citation in it is cited for.

Why: a bare "domain.md 1.5" or "S21" beside a control or a proposal tells a reviewer nothing about
which claim rests on it. Model files, the modification catalogue and the assumptions cite in the
forms docs/sources.md resolves (``domain.md N``, ``design.md N``, ``seed 00N``, ``Sn``); each
';'-separated part of a source that cites one must either read ``CITATION: what it supports`` or
carry the citation inside a sentence of its own (three words or more besides citations and labels).
"""
from __future__ import annotations

import re

CITATION = re.compile(r"\b(?:domain\.md|design\.md) \d[\d.,\- ]*(?:and \d[\d.]*)?|\bseed 00\d\b|\bS\d{1,2}\b")
_LABEL = re.compile(r"\[(?:C|C-V|C2|I|U|A)\]")
_WORD = re.compile(r"[A-Za-z][\w'+-]*")


def bare(text: str) -> list[str]:
    """The parts of ``text`` that cite something without saying what for (empty when none)."""
    out = []
    for part in str(text).split(";"):
        if not CITATION.search(part) or re.search(r": \S", part):
            continue
        if len(_WORD.findall(_LABEL.sub(" ", CITATION.sub(" ", part)))) < 3:
            out.append(part.strip())
    return out


def problem(text: str) -> str | None:
    """A one-line complaint about ``text``'s first bare citation, or None."""
    found = bare(text)
    return (f"citation {found[0]!r} does not say what it is cited for; write 'CITATION: what it supports'"
            if found else None)
