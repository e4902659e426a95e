"""The exception hierarchy for user-facing errors.

Every mistake a user can make (a malformed model file, UTRN, hex message, key or option) is raised
as a :class:`NowanError` whose ``str()`` is one line naming *where* (file, line, field) and *what
was expected*. The command line prints that line and exits non-zero; it never shows a traceback
for a user mistake. Anything else escaping is a bug in nowan.
"""
from __future__ import annotations


class NowanError(Exception):
    """Base of every error that is the user's to fix, printed as one line."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


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
