"""Channel ids are ids, not paths.

A channel id names a model file inside the model directory (``<id>.yaml``). If an id could hold
``/`` or ``..``, ``--channels ../x`` or an absolute path would make the loader read any YAML file
on the machine; so an id is lower-case letters, digits and hyphens, checked wherever one enters.
"""
from __future__ import annotations

import re

from nowan.model.errors import InputError, printable

CHANNEL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def check_channel_id(cid: object, where: str) -> str:
    """``cid`` if it is a well-formed channel id; otherwise a one-line InputError at ``where``."""
    if not isinstance(cid, str) or not CHANNEL_ID.fullmatch(cid):
        raise InputError("expected a channel id (lower-case letters, digits and hyphens), got "
                         f"{printable(cid, 80)!r}", where=where)
    return cid
