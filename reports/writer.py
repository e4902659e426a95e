"""All-or-nothing output: a report directory is written completely or left as it was.

Every file is rendered in memory first, written to a temporary directory beside the target, and
moved into place only when all of them are ready, so a failure never leaves a half-written report.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

from nowan.model.errors import InputError


def write_all(out_dir: str | Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``files`` (name -> content) into ``out_dir`` atomically per directory; return the paths."""
    out = Path(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".nowan-", dir=out.parent))
    except OSError as exc:
        raise InputError(f"cannot create the output directory: {exc.strerror}", where=str(out)) from None
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8", newline="\n")
            else:
                target.write_bytes(content)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in files:
            dest = out / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, dest)
            written.append(dest)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
