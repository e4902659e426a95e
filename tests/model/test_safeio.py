"""Untrusted files: every bad file is a one-line InputError naming it, never a hang or traceback."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nowan.model.errors import InputError
from nowan.model.safeio import read_bytes, read_text


def test_reads_a_regular_file(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("héllo", encoding="utf-8")
    assert read_text(f) == "héllo"


def test_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes(fifo)


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_bytes(tmp_path)


def test_a_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(InputError, match="symbolic links"):
        read_bytes(a)


def test_size_is_capped(tmp_path: Path) -> None:
    f = tmp_path / "big"
    f.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match="too large"):
        read_bytes(f, limit=1000)


def test_a_device_is_refused() -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes("/dev/zero")


def test_non_utf8_names_the_offset(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_bytes(b"id: \xff\n")
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xff at offset 4\)"):
        read_text(f)


def test_error_messages_are_one_printable_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_bytes(tmp_path / "no\x1b[31m\nsuch")
    text = str(exc.value)
    assert "\n" not in text and "\x1b" not in text and "\\x1b" in text
