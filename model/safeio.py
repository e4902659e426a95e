"""Reading untrusted files without hanging, exhausting memory or leaking a traceback.

Model files, traces, hex messages and keys may come from a pull request. A FIFO given as a file
would block ``open()`` forever, ``/dev/zero`` would fill memory, a directory or a symlink loop
would raise an OSError deep inside a parser, and bytes that are not UTF-8 would raise a
UnicodeDecodeError. Every file nowan reads on a user's behalf goes through :func:`read_bytes` or
:func:`read_text`, which check the file type and size first and answer with a one-line
:class:`~nowan.model.errors.InputError` naming the file.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from nowan.model.errors import InputError

#: The largest file nowan reads on a user's behalf (model files and traces are a few kB; a hex
#: GBCS message is under 10 kB). Large enough for any real input, small enough to bound memory.
MAX_FILE_BYTES = 4 * 1024 * 1024


def read_bytes(path: str | os.PathLike[str], label: str | None = None, *,
               limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a one-line InputError.

    The file is opened non-blocking, so a FIFO cannot stall the open, and its type is checked on
    the open descriptor (no race between the check and the read).
    """
    where = str(label if label is not None else path)
    try:
        fd = os.open(os.fspath(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read file ({_reason(exc)})", where=where) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a directory; expected a file", where=where)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("is not a regular file (a FIFO, socket or device?); expected a file", where=where)
        if st.st_size > limit:
            raise InputError(f"file too large ({st.st_size} bytes; at most {limit})", where=where)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # the file grew while we read it
                raise InputError(f"file too large (more than {limit} bytes)", where=where)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read file ({_reason(exc)})", where=where) from None
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], label: str | None = None, *, encoding: str = "utf-8",
              limit: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file, decoded strictly; an undecodable byte names its offset."""
    data = read_bytes(path, label, limit=limit)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"not {encoding.upper()} text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                         where=str(label if label is not None else path)) from None


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return exc.strerror or type(exc).__name__


def stat_regular(path: Path, label: str | None = None) -> os.stat_result:
    """``stat`` of a path that must be a regular file, with the same one-line errors."""
    where = str(label if label is not None else path)
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read file ({_reason(exc)})", where=where) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory; expected a file", where=where)
    if not stat.S_ISREG(st.st_mode):
        raise InputError("is not a regular file (a FIFO, socket or device?); expected a file", where=where)
    return st
