"""The exception hierarchy for user-facing errors.

Every mistake a user can make (a malformed model file, UTRN, hex message, key or option) is raised
as a :class:`NowanError` whose ``str()`` is one line naming *where* (file, line, field) and *what
was expected*. The command line prints that line and exits non-zero; it never shows a traceback
for a user mistake. Anything else escaping is a bug in nowan.
"""
from __future__ import annotations

import re

# C0 and C1 control characters (NUL, ESC, newlines, DEL, CSI...) and Unicode line/paragraph
# separators and bidi overrides: none of them may reach a terminal or a report unescaped.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_MESSAGE = 600


def printable(text: object, limit: int | None = None, *, keep_lines: bool = False) -> str:
    """``text`` on one line, control characters shown as escapes (``\\x1b``), optionally cut.

    Why: error messages and reports quote what the user gave (file names, field values, ids), and
    a terminal escape sequence or a newline in them would otherwise act on the reader's terminal
    or split the promised one-line error. ``keep_lines`` keeps newlines and tabs (report prose).
    """
    s = str(text)
    if not s.isprintable():  # every character the patterns match is one isprintable() refuses
        pattern = _UNPRINTABLE_KEEP_LINES if keep_lines else _UNPRINTABLE
        s = pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), s)
    if limit is not None and len(s) > limit:
        s = s[: limit - 3] + "..."
    return s


class NowanError(Exception):
    """Base of every error that is the user's to fix, printed as one line."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = printable(message)
        self.where = printable(where) if where is not None else None
        line = f"{self.where}: {self.message}" if self.where else self.message
        super().__init__(printable(line, MAX_MESSAGE))


class InputError(NowanError):
    """Bad input: the message says where (file:line, field) and what was expected."""

    @classmethod
    def at(cls, message: str, *, source: str | None = None, line: int | None = None,
           field: str | None = None) -> "InputError":
        parts = []
        if source:
            parts.append(f"{source}:{line}" if line is not None else source)
        if field:
            parts.append(f"field '{field}'")
        return cls(message, where=" ".join(parts) or None)


class UtrnFormatError(InputError):
    """A UTRN string that is not 20 digits, has a bad prefix or a bad check digit."""


class FrameError(InputError):
    """A GBCS frame that cannot be parsed: the message names the offset and field."""


class KeyError_(InputError):
    """A key or certificate that cannot be loaded or does not fit its use."""


class ModelError(InputError):
    """A channel model file that fails validation (file, line and field in the message)."""


class AssumptionError(InputError):
    """An unknown assumption key or a value of the wrong type."""
