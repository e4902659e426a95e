"""EUI-64 parsing and formatting: the party identifiers ("system titles") of GBCS."""
from __future__ import annotations

import re

from nowan.model.errors import InputError

_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")


def parse_eui(text: str, field: str = "EUI") -> bytes:
    """Accept ``90-B3-D5-1F-30-01-00-00`` or ``90b3d51f30010000`` (also ':' separators)."""
    compact = text.strip().replace("-", "").replace(":", "")
    if not _HEX16.match(compact):
        raise InputError(
            f"expected an EUI-64 as 90-B3-D5-1F-30-01-00-00 or 90b3d51f30010000, got {text!r}", where=field
        )
    return bytes.fromhex(compact)


def format_eui(eui: bytes) -> str:
    """The dashed upper-case form used in DUIS and in reports."""
    return eui.hex("-").upper()
