"""The report directory is replaced in one step; a failure leaves the previous report complete."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nowan.model.errors import InputError
from nowan.reports import writer
from nowan.reports.writer import check_output_dir, write_all


def test_first_write_creates_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "a" / "out"
    write_all(out, {"index.html": "x", "report.json": b"{}"})
    assert (out / "index.html").read_text() == "x"
    assert sorted(p.name for p in tmp_path.joinpath("a").iterdir()) == ["out"]  # no staging left


def test_rewrite_replaces_every_file_and_keeps_foreign_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(out, {"index.html": "old", "report.md": "old"})
    (out / "fuzz").mkdir()
    (out / "fuzz" / "finding.json").write_text("kept")
    write_all(out, {"index.html": "new", "report.md": "new"})
    assert (out / "index.html").read_text() == "new" and (out / "report.md").read_text() == "new"
    assert (out / "fuzz" / "finding.json").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failure_part_way_leaves_the_old_report_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_all(out, {"index.html": "old", "report.md": "old"})
    real = Path.write_text

    def full_disk(self: Path, *a, **k):  # the second file hits a full disk
        if self.name == "report.md":
            raise OSError(28, "No space left on device")
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(InputError, match=r"no space left on the device\); the previous report is unchanged"):
        write_all(out, {"index.html": "new", "report.md": "new"})
    monkeypatch.undo()
    assert (out / "index.html").read_text() == "old" and (out / "report.md").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_swap_without_renameat2_also_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_all(out, {"a": "1"})
    write_all(out, {"a": "2"})
    assert (out / "a").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("make", [
    lambda t: "/dev/null",
    lambda t: str(t / "file.txt" / "out"),
    lambda t: str(t / "file.txt"),
    lambda t: str(t / ("x" * 300)),
    lambda t: "",
])
def test_unusable_output_directories_are_refused_before_any_work(tmp_path: Path, make) -> None:
    (tmp_path / "file.txt").write_text("a file")
    with pytest.raises(InputError):
        check_output_dir(make(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_parent_is_refused(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    with pytest.raises(InputError, match="cannot write"):
        check_output_dir(ro / "out")
