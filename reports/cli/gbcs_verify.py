"""``nowan gbcs verify`` without click: the verification run, and the fast path that starts it.

Why a second way in: verifying many files from the command line must cost no more than a plain
script making the same cryptographic calls (bench/gbcs_verify.py), and importing click is most of
the difference. The run itself (:func:`run`) is the one both ways share: the click command in
``reports/cli/gbcs.py`` calls it with the options click parsed, and :func:`fast_path` calls it with
the options it parsed itself. :func:`fast_path` takes only the plain forms of the command line
(``FILE.HEX... --keystore DIR [--json] [--strict]``, in any order) and leaves everything else
(``--help``, ``--``, a missing or unknown option, a keystore path that is not a readable
directory) to click, so every error about the command line itself is click's. Both ways write
every line through :func:`error_line` and standard output, so their bytes are the same
(tests/reports/test_cli_gbcs_fast.py compares them).
"""
from __future__ import annotations

import errno
import gc
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from nowan.model.errors import NowanError, printable
from nowan.model.gbcs.envelope import parse_hex
from nowan.model.gbcs.eui import format_eui
from nowan.model.gbcs.keystore import Keystore
from nowan.model.gbcs.verify import CRA_NAMES, Verification, Verifier
from nowan.model.safeio import read_text

#: A GBCS message is at most a few kB; its hex file is twice that plus white space.
MAX_HEX_BYTES = 256 * 1024
#: The flags the fast path understands; any other argument that starts with ``-`` goes to click.
_FLAGS = {"--json": "as_json", "--strict": "strict"}


def error_line(line: str) -> None:
    """One line on stderr, flushed (the lines are already escaped by ``printable``)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _verify_file(verifier: Verifier, name: str) -> Verification | NowanError:
    """One file's verdict, or the user error that stopped it (an unreadable or malformed file)."""
    base = os.path.basename(name)  # of a file that reads, the same as Path(name).name, and cheaper
    try:
        return verifier.verify_bytes(parse_hex(read_text(name, name, encoding="ascii", limit=MAX_HEX_BYTES), base),
                                     base)
    except NowanError as exc:
        return exc


class _Lines:
    """Standard output written a block of lines at a time: one write per message costs a system
    call each when output is unbuffered (``PYTHONUNBUFFERED``, as CI runners set), which shows on a
    thousand files. Flushed before any line on stderr, so the two streams stay in order."""

    def __init__(self, block: int = 256) -> None:
        self._lines: list[str] = []
        self._block = block

    def add(self, line: str) -> None:
        self._lines.append(line)
        if len(self._lines) >= self._block:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            sys.stdout.write("\n".join(self._lines) + "\n")
            sys.stdout.flush()
            self._lines.clear()


def _text_line(v: Verification) -> str:
    """The line for one message: the fields of ``to_dict`` in words (made directly, not through the
    dict, as it is made once per file)."""
    via = f" (for {format_eui(v.supplementary_originator)})" if v.supplementary_originator is not None else ""
    signed_by = f" by {v.signer_role or 'party'} {format_eui(v.signer)}" if v.signer is not None else ""
    code = v.code
    critical = " critical" if code is not None and code.critical else ""
    notes = f"  [{'; '.join(v.notes)}]" if v.notes else ""
    return (f"{v.source}: {code.use_case if code else '?'} 0x{v.message_code:04X}{critical} {CRA_NAMES[v.cra]} "
            f"({v.frame}) counter 0x{v.counter:x} {format_eui(v.originator)}{via} -> {format_eui(v.recipient)}: "
            f"mac {v.mac.value}, signature {v.signature.value}{signed_by}: {v.status}{notes}")


def run(files: Sequence[str], keystore_dir: Path, as_json: bool, strict: bool) -> int:
    """Verify ``files`` against the keystore in ``keystore_dir``, print a line per file, and return
    the exit status: 0 when nothing is invalid, 1 when a MAC or signature is invalid (or, with
    ``strict``, when any message is not fully verified), 2 when a file or the keystore cannot be
    read or parsed."""
    try:
        verifier = Verifier(Keystore.load(keystore_dir))
    except NowanError as exc:
        error_line(f"nowan: error: {exc}")
        return exc.exit_code
    failed_input = invalid = False
    not_verified: list[str] = []
    out = _Lines()
    try:
        for name in files:
            result = _verify_file(verifier, name)
            if isinstance(result, NowanError):
                failed_input = True
                if as_json:
                    out.add(json.dumps({"file": Path(name).name, "error": str(result)}))
                else:
                    out.flush()  # the error line comes after the verdicts before it, on a terminal too
                    error_line(f"nowan: error: {result}")
                continue
            invalid |= result.status == "rejected"
            if not result.fully_verified:
                not_verified.append(printable(result.source, 120))
            out.add(json.dumps(result.to_dict()) if as_json else printable(_text_line(result)))
    finally:
        out.flush()
    if strict and not_verified:
        error_line(f"nowan: --strict: {len(not_verified)} of {len(files)} messages not verified: "
                   f"{', '.join(not_verified)}")
    if failed_input or invalid or (strict and not_verified):
        return 2 if failed_input else 1
    return 0


def parse_args(args: Sequence[str]) -> tuple[list[str], Path, bool, bool] | None:
    """``(files, keystore_dir, as_json, strict)`` from the arguments after ``gbcs verify``, or None
    for anything but the plain forms click would accept the same way (then click decides)."""
    files: list[str] = []
    keystore: str | None = None
    flags = {"as_json": False, "strict": False}
    it = iter(args)
    for arg in it:
        if "\x00" in arg:
            return None
        if not arg.startswith("-"):
            files.append(arg)
        elif arg in _FLAGS:
            flags[_FLAGS[arg]] = True
        elif arg == "--keystore" or arg.startswith("--keystore="):
            value = arg.partition("=")[2] if "=" in arg else next(it, None)
            if not value or value.startswith("-") or "\x00" in value:
                return None
            keystore = value  # the last one given wins, as in click
        else:  # --help, --, -, an unknown or misspelt option: click's to answer
            return None
    # click's Path type refuses a keystore that is a file or unreadable, each with its own message
    if not files or keystore is None or not os.path.isdir(keystore) or not os.access(keystore, os.R_OK):
        return None
    return files, Path(keystore), flags["as_json"], flags["strict"]


class _PacifyFlush:
    """A stream whose flush ignores a closed pipe (``nowan gbcs verify ... | head``), as click does."""

    def __init__(self, wrapped) -> None:  # noqa: ANN001 - a text stream
        self._wrapped = wrapped

    def flush(self) -> None:
        try:
            self._wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._wrapped, name)


def fast_path(args: Sequence[str]) -> int | None:
    """Run ``nowan gbcs verify ARGS`` without click and return its exit status, or None when the
    arguments are not a plain form (or a shell-completion request): then the click command runs.
    Interrupts and a closed pipe end as click ends them: ``nowan: aborted`` and 1, or quietly 1.
    The cyclic garbage collector is on when it returns (the entry point turns it off to import)."""
    parsed = None if os.environ.get("_NOWAN_COMPLETE") else parse_args(args)
    if parsed is not None:
        # The modules imported so far live until the process ends. Over a thousand files the
        # cyclic collector runs many times and would walk all of them each time; frozen, it walks
        # only what the verification allocates (bench/gbcs_verify.py, 1,000 files: 0.012 s of
        # 0.16 s of CPU time, more than the command line then cost over a plain script). Only
        # here, in a process of its own: the click path may run inside a test runner's process.
        gc.freeze()
    gc.enable()  # the entry point switched it off for the imports
    if parsed is None:
        return None
    try:
        return run(*parsed)
    except (EOFError, KeyboardInterrupt):
        error_line("")
        error_line("nowan: aborted")
        return 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout, sys.stderr = _PacifyFlush(sys.stdout), _PacifyFlush(sys.stderr)
        return 1
