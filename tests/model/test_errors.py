"""``printable``: what may reach a terminal or a report unescaped."""
from __future__ import annotations

import sys

from hypothesis import given, strategies as st

from nowan.model.errors import _UNPRINTABLE, _UNPRINTABLE_KEEP_LINES, printable


def _escaped(text: str, keep_lines: bool) -> str:
    pattern = _UNPRINTABLE_KEEP_LINES if keep_lines else _UNPRINTABLE
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def test_isprintable_refuses_every_character_the_patterns_escape() -> None:
    """printable() skips the patterns when str.isprintable() holds, so that must never hide one."""
    for pattern in (_UNPRINTABLE, _UNPRINTABLE_KEEP_LINES):
        matched = [chr(c) for c in range(sys.maxunicode + 1) if pattern.match(chr(c))]
        assert len(matched) > 60 and not any(ch.isprintable() for ch in matched)


@given(st.text(), st.booleans())
def test_printable_escapes_as_the_patterns_do(text: str, keep_lines: bool) -> None:
    assert printable(text, keep_lines=keep_lines) == _escaped(text, keep_lines)


def test_a_terminal_escape_and_a_newline_are_shown_not_acted_on() -> None:
    assert printable("a\x1b[31mb\nc\u202e") == "a\\x1b[31mb\\nc\\u202e"
    assert printable("a\nb\tc", keep_lines=True) == "a\nb\tc"
