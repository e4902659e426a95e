"""What every catalogue file shares: a mapping of id -> entry, each entry a mapping of fields.

The modification catalogue, the committee's decision tracking and the GBCS message-code catalogue
are all such files; reading them one way means one mistake reads the same in each (a missing or
unknown field, a blank text, a file that is a FIFO), always one line naming the file, line and
field. YAML with lines comes from :mod:`nowan.model.channels.source`, imported only when a
catalogue is parsed, so the field checks cost nothing at ``nowan gbcs verify`` start-up.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from nowan.model.errors import ModelError
from nowan.model.safeio import read_text

if TYPE_CHECKING:
    from nowan.model.channels.source import Sourced

FieldPath = tuple[Any, ...]
#: Builds the one-line error for a message and the path of the field it is about.
ErrorAt = Callable[[str, FieldPath], Exception]


def read_catalogue(path: str | Path, label: str | None = None) -> str:
    """A catalogue file's text, read as every input is (a regular file, bounded, UTF-8), or one
    line naming it: a FIFO given as ``--tracking`` must not block the assessment."""
    return read_text(Path(path), label or str(path))


def catalogue_entries(text: str, file: str, shape: str) -> tuple["Sourced", list[tuple[Any, Any]]]:
    """Parse a catalogue: a YAML mapping of id -> entry, with lines; anything else is one line."""
    from nowan.model.channels.source import parse_yaml

    src = parse_yaml(text, file)
    if not isinstance(src.data, dict):
        raise ModelError.at(f"expected a mapping of {shape}", source=file, line=1)
    return src, list(src.data.items())


def check_fields(raw: Any, required: Sequence[str], optional: Sequence[str] = (), *, error: ErrorAt,
                 path: FieldPath = ()) -> dict[str, Any]:
    """``raw`` if it is a mapping with every ``required`` field and none outside ``optional``.

    ``error`` builds the one-line error (``Sourced.error`` for a file read with lines).
    """
    if not isinstance(raw, dict):
        raise error(f"expected a mapping with {', '.join(required)}", path)
    allowed = (*required, *optional)
    for key in raw:
        if key not in allowed:
            raise error(f"unknown field; expected one of {', '.join(allowed)}", (*path, key))
    for key in required:
        if key not in raw:
            raise error(f"missing field '{key}'", path)
    return raw


def one_line_text(value: Any, *, error: ErrorAt, path: FieldPath = (), numbers: bool = False) -> str:
    """A non-empty text field on one line (runs of white space collapsed); ``numbers``: a number
    such as a ticket ``14`` is taken as its text."""
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise error("expected a non-empty text", path)
    return " ".join(value.split())
