"""Shared command-line helpers: option parsing that every sub-command uses the same way."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from nowan.model.ids import check_channel_id
from nowan.model.errors import InputError, printable


U64_MAX = 2**64 - 1


def parse_int(text: str, field: str, *, minimum: int = 0, maximum: int = U64_MAX) -> int:
    """Parse a decimal or 0x-hex integer in ``minimum..maximum``, naming the option on error.

    ASCII digits only (``int()`` would take Arabic-Indic or full-width digits), and no more than
    a 64-bit value needs: seeds, counters and values in GBCS are unsigned 64-bit at most.
    """
    top = f"{maximum:#x}" if maximum == U64_MAX else f"{maximum:,}"
    expected = f"expected a decimal or 0x-hex integer {minimum}..{top}"
    try:
        if not re.fullmatch(r"[0-9]{1,20}|0[xX][0-9a-fA-F]{1,16}", text):
            raise ValueError(text)
        value = int(text, 0)
    except ValueError:
        raise InputError(f"{expected}, got {printable(text, 80)!r}", where=field) from None
    if not minimum <= value <= maximum:
        raise InputError(f"{expected}, got {value if value.bit_length() < 80 else 'a larger number'}",
                         where=field)
    return value


def split_ids(values: Iterable[str], option: str = "--channels") -> list[str]:
    """Accept ``--channels a,b --channels c`` as well as repeated options.

    A channel id is an id, not a path: lower-case letters, digits and hyphens. So ``../x`` or an
    absolute path can never make the loader read a file outside the model directory. Given but
    empty (``--channels ""``) is an error: an assessment of nothing is a mistake, not a pass.
    """
    values = list(values)
    out: list[str] = []
    for v in values:
        for p in v.split(","):
            p = p.strip()
            if not p:
                continue
            out.append(check_channel_id(p, option))
    if values and not out:
        raise InputError("expected at least one channel id, separated by commas", where=option)
    return out


def emit_json(data: Any) -> None:
    """Write deterministic JSON (sorted keys off: field order is part of the shape) to stdout."""
    from nowan.model.values import finite_json

    click.echo(json.dumps(finite_json(data), indent=2, ensure_ascii=False, allow_nan=False))


def is_interactive() -> bool:
    """True on a terminal outside CI: only then show progress displays."""
    import os

    return sys.stderr.isatty() and not os.environ.get("CI")


def models_option(fn):
    """``--models DIR``: the channel registry is the model directory (default: the packaged models).

    Every sub-command that reads channels takes it, so a new or modified file in DIR is scored,
    drawn, proved, fuzzed and reported the same way by each.
    """
    return click.option("--models", "models", default=None, metavar="DIR",
                        type=click.Path(file_okay=False, exists=True, path_type=Path),
                        help="Directory of channel model files (default: the packaged models).")(fn)
