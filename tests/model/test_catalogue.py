"""What every catalogue file shares: one reading, one way of naming a mistake."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nowan.model.catalogue import catalogue_entries, check_fields, one_line_text, read_catalogue
from nowan.model.errors import InputError, ModelError

GOOD = "a:\n  title: T\n  note: N\n"


def _parse(text: str) -> dict[str, str]:
    src, entries = catalogue_entries(text, "c.yaml", "id -> {title, note}")
    out = {}
    for key, raw in entries:
        check_fields(raw, ("title",), ("note",), error=src.error, path=(key,))
        out[key] = one_line_text(raw["title"], error=src.error, path=(key, "title"))
    return out


@pytest.mark.parametrize("old, new, where, what", [
    ("  title: T\n", "", "c.yaml:2 field 'a'", "missing field 'title'"),
    ("  note: N\n", "  note: N\n  colour: red\n", "c.yaml:4 field 'a.colour'", "unknown field; expected one of title, note"),
    ("title: T", "title: '  '", "c.yaml:2 field 'a.title'", "expected a non-empty text"),
    ("a:\n  title: T\n  note: N\n", "[1, 2]\n", "c.yaml:1", "expected a mapping of id -> {title, note}"),
    ("  title: T\n  note: N\n", " x\n", "c.yaml:2 field 'a'", "expected a mapping with title"),
])
def test_a_catalogue_mistake_is_one_line_naming_file_line_and_field(old, new, where, what, one_mistake) -> None:
    assert _parse(GOOD) == {"a": "T"}
    one_mistake(_parse, GOOD, old, new, where, what)


def test_a_catalogue_file_is_read_like_every_input(tmp_path: Path) -> None:
    fifo = tmp_path / "decisions.yaml"
    os.mkfifo(fifo)  # would block a plain read for ever
    with pytest.raises(InputError, match="decisions.yaml"):
        read_catalogue(fifo)
    (tmp_path / "latin1.yaml").write_bytes(b"a: caf\xe9\n")
    with pytest.raises(InputError, match="latin1.yaml"):
        read_catalogue(tmp_path / "latin1.yaml")
    assert issubclass(ModelError, InputError)
