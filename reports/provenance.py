"""Reproducibility facts for the report footer: versions, the model hash, the date if one is given.

Two runs with the same inputs and seed must give byte-identical files, so nothing here reads the
clock: a date appears only when SOURCE_DATE_EPOCH is set (the reproducible-builds convention).
"""
from __future__ import annotations

import hashlib
import os
import platform
from datetime import datetime, timezone
from importlib import metadata, resources
from typing import Iterable

#: Distributions whose versions can change a verdict or a byte of output.
DEPENDENCIES = ("cryptography", "z3-solver", "networkx", "hypothesis", "jinja2", "PyYAML", "click", "rich",
                "jsonschema", "weasyprint")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def tool_versions() -> dict[str, str]:
    """nowan, Python and each dependency, in a fixed order."""
    out = {"nowan": _version("nowan"), "python": platform.python_version()}
    out.update({d: _version(d) for d in DEPENDENCIES})
    return out


def model_files() -> list[tuple[str, bytes]]:
    """Every data file a verdict depends on: channel models, assumptions, scales, catalogues."""
    found: list[tuple[str, bytes]] = []
    root = resources.files("nowan.model")
    for sub in ("channels", "data"):
        folder = root.joinpath(sub)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml", ".json")):
                found.append((f"model/{sub}/{entry.name}", entry.read_bytes()))
    return found


def model_hash(files: Iterable[tuple[str, bytes]] | None = None) -> str:
    """SHA-256 over the names and contents of the model files, in name order."""
    h = hashlib.sha256()
    for name, data in sorted(files if files is not None else model_files()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def source_date() -> str | None:
    """The ISO date from SOURCE_DATE_EPOCH, or None: reports carry no date otherwise."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return None
