"""Shared command-line helpers: option parsing that every sub-command uses the same way."""
from __future__ import annotations

import json
import sys
from typing import Any, Iterable

import click

from nowan.model.errors import InputError


def parse_int(text: str, field: str) -> int:
    """Parse a decimal or 0x-hex integer, naming the option on error."""
    try:
        return int(text, 0)
    except ValueError:
        raise InputError(f"expected a decimal or 0x-hex integer, got {text!r}", where=field) from None


def split_ids(values: Iterable[str]) -> list[str]:
    """Accept ``--channels a,b --channels c`` as well as repeated options."""
    out: list[str] = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def emit_json(data: Any) -> None:
    """Write deterministic JSON (sorted keys off: field order is part of the shape) to stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def is_interactive() -> bool:
    """True on a terminal outside CI: only then show progress displays."""
    import os

    return sys.stderr.isatty() and not os.environ.get("CI")
