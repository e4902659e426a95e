"""All-or-nothing output: a report directory is replaced in one step, or left as it was.

The committee reads a report as a whole; a mix of old and new files would pair one run's verdicts
with another run's evidence. So every file is written into a staging directory beside the target
(same parent, hence same filesystem), and the staging directory then takes the target's place in
one ``rename``: on Linux an atomic exchange (``renameat2(RENAME_EXCHANGE)``), elsewhere two renames
a microsecond apart. Any failure before the swap (no space left, a bad name) removes the staging
directory and leaves the previous report complete. Files in the target that this report does not
write (a fuzz campaign's output kept beside the report, say) are carried over as hard links.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import stat
import tempfile
from glob import escape as glob_escape
from pathlib import Path
from typing import Mapping

from nowan.model.errors import InputError, printable

_NAME_MAX = 255
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_output_dir(out_dir: str | Path, option: str = "--out", *, replaced: bool = True) -> Path:
    """The output directory, checked before any work is done: usable, or a one-line InputError.

    Catches the mistakes that would otherwise surface only after a long run: a path that exists
    and is not a directory (``/dev/null``, a file), a parent that is a file, an over-long name,
    a parent where we may not write, a kernel filesystem (``/proc/self``). ``replaced``: the folder
    is swapped for a new one (a report), so an existing one must also be swappable and hold only
    a report's kind of content; a folder written in place (an example database) need not.
    """
    out = Path(out_dir)
    where = f"{option} {out_dir}"
    if not str(out_dir).strip():
        raise InputError("expected a directory name", where=option)
    for part in out.parts:
        if len(os.fsencode(part)) > _NAME_MAX:
            raise InputError(f"a path component is longer than {_NAME_MAX} bytes", where=where)
    try:
        if out.exists() and not out.is_dir():
            raise InputError("exists and is not a directory; expected a directory", where=where)
        resolved = out.resolve()
        if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
            raise InputError("is the working directory or one of its parents; expected a folder for the report",
                             where=where)
        parent = resolved.parent
        probe = parent
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise InputError(f"'{probe}' is not a directory", where=where)
        if not os.access(probe, os.W_OK | os.X_OK):
            raise InputError(f"cannot write in '{probe}'", where=where)
        fs = _filesystem(resolved if resolved.exists() else probe)
        if fs in _PSEUDO_FILESYSTEMS:
            raise InputError(f"is on the kernel's {fs} filesystem; expected a folder on a disk", where=where)
        if replaced and resolved.is_dir():
            _check_existing(resolved, where)
    except OSError as exc:
        raise InputError(f"not a usable directory ({exc.strerror})", where=where) from None
    return out


#: Kernel filesystems where a report cannot live (files there are not files: /proc, /sys, /dev).
_PSEUDO_FILESYSTEMS = frozenset({"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs",
                                 "tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl", "mqueue",
                                 "hugetlbfs", "binfmt_misc", "efivarfs", "autofs", "nsfs", "rpc_pipefs"})
#: The most entries an existing output folder may hold: a report is a few dozen files, so a folder
#: with more is a mistake (``--out /usr``), not a report to replace.
_MAX_EXISTING_ENTRIES = 10_000


def _filesystem(path: Path) -> str | None:
    """The type of the filesystem ``path`` is on (Linux ``/proc/self/mountinfo``), None if unknown."""
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best, fstype = -1, None
    text = str(path)
    for line in lines:
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        mount = fields[4].replace("\\040", " ")
        if (text == mount or text.startswith(mount.rstrip("/") + "/")) and len(mount) > best:
            best, fstype = len(mount), right.split()[0]
    return fstype


def _check_existing(folder: Path, where: str) -> None:
    """An existing output folder is replaced by renaming: it must not be a mount point, and what it
    holds must be a report's kind of content (regular files, folders, links), few enough to carry
    over. A device or FIFO would be read for ever when its content is carried over."""
    if os.path.ismount(folder):
        raise InputError("is a mount point, which cannot be swapped for the new report; choose a folder inside it",
                         where=where)
    count = 0
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            count += 1
            if count > _MAX_EXISTING_ENTRIES:
                raise InputError(f"holds more than {_MAX_EXISTING_ENTRIES:,} entries; expected a report folder "
                                 "(it would be replaced)", where=where)
            entry = Path(root, name)
            mode = entry.lstat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                raise InputError(f"holds {printable(str(entry.relative_to(folder)), 80)!r}, which is not a file "
                                 "(a device, FIFO or socket); expected a report folder", where=where)


def write_all(out_dir: str | Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``files`` (name -> content) as the new content of ``out_dir``, swapped in at once."""
    out = check_output_dir(out_dir)
    target = out.resolve() if out.is_symlink() else out
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in target.parent.glob(f".{glob_escape(target.name)}.new-*"):  # left by a killed run
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:
        raise InputError(f"cannot create the output directory: {exc.strerror}", where=str(out)) from None
    try:
        try:
            for name, content in files.items():
                dest = staging / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, str):
                    dest.write_text(content, encoding="utf-8", newline="\n")
                else:
                    dest.write_bytes(content)
            if target.is_dir():
                _carry_over(target, staging, set(files))
            _swap(staging, target)
        except OSError as exc:
            raise InputError(f"cannot write the report ({_reason(exc)}); the previous report is unchanged",
                             where=str(out)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in files]


def write_file(path: str | Path, content: str, option: str) -> Path:
    """One output file (SARIF, JUnit) written whole or not at all: a temporary file, then a rename."""
    target = Path(path)
    if (target.exists() or target.is_symlink()) and not target.is_file():
        raise InputError("exists and is not a regular file; expected a file path", where=f"{option} {path}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise InputError(f"cannot write ({_reason(exc)})", where=f"{option} {path}") from None
    return target


def _carry_over(old: Path, staging: Path, written: set[str]) -> None:
    """Hard-link the old directory's other files into the staging one (cheap; old stays intact)."""
    tops = {Path(n).parts[0] for n in written}
    for entry in old.iterdir():
        if entry.name in tops or entry.name.startswith(f".{old.name}.new-"):
            continue
        dest = staging / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(dest))


def _link_or_copy(src: str, dst: str) -> None:
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:
        if not stat.S_ISREG(os.lstat(src).st_mode):  # a device or FIFO would be read for ever
            raise OSError(errno.EINVAL, f"{src} is not a regular file") from None
        shutil.copy2(src, dst)


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` where ``target`` is; afterwards ``staging`` holds the old content (or is gone)."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)
        raise
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux's renameat2; False where it is not available."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err))


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno == errno.EXDEV:
        return "the output directory is on another device than its parent (a mount point?); choose a folder inside it"
    if exc.errno in (errno.EBUSY,):
        return "the output directory is busy (a mount point?); choose a folder inside it"
    return exc.strerror or type(exc).__name__
