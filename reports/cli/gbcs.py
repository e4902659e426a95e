"""``nowan gbcs verify FILE.HEX ... --keystore DIR [--json]``: envelope, counter, MAC and signature.

Each file is reported on its own, so one unreadable frame does not hide the verdict on the others.
Exit status: 0 when nothing failed, 1 when a MAC or signature is invalid, 2 when a file could not be
read or parsed (a user-input problem, reported as one line naming the file and offset). ``unknown``
(keys not in the keystore) is honest, not a failure; ``--strict`` makes it one, for CI gates where a
tampered EUI that no key matches must not pass.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from nowan.model.errors import NowanError, printable
from nowan.model.gbcs.envelope import parse_hex
from nowan.model.gbcs.keystore import Keystore
from nowan.model.gbcs.eui import format_eui
from nowan.model.gbcs.verify import CRA_NAMES, Verification, Verifier
from nowan.model.safeio import read_text

#: A GBCS message is at most a few kB; its hex file is twice that plus white space.
MAX_HEX_BYTES = 256 * 1024


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


@click.group()
def command() -> None:
    """Parse and verify GBCS messages."""


@command.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE.HEX...")  # checked when read (one stat each)
@click.option("--keystore", "keystore_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory of DCC-style certificates (.pem) and private keys (.key).")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per message per line: file, message_code, use_case, title, critical "
                   "(from the message-code catalogue), cra, frame, counter, originator, recipient, "
                   "supplementary_originator (when the DCC acts for a Remote Party), mac, signature "
                   "(valid|invalid|unknown|absent), signer and signer_role (whose DS key verified the "
                   "signature), status, notes; an unreadable file gives {file, error}.")
@click.option("--strict", is_flag=True,
              help="Exit 1 unless every message is verified: message code in the catalogue, MAC valid "
                   "(signature valid on a signed-only response or alert) and signature valid where the "
                   "message code is Critical. Without it, 'unknown' (keys not in the keystore) exits 0.")
def verify(files: tuple[str, ...], keystore_dir: Path, as_json: bool, strict: bool) -> None:
    """Report each message's use case, counter, parties, and whether its MAC and signature verify.

    Exit status: 0 when nothing is invalid, 1 when a MAC or signature is invalid (or, with --strict,
    when any message is not fully verified), 2 when a file cannot be read or parsed.
    """
    verifier = Verifier(Keystore.load(keystore_dir))
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
                    click.echo(f"nowan: error: {result}", err=True)
                continue
            invalid |= result.status == "rejected"
            if not result.fully_verified:
                not_verified.append(printable(result.source, 120))
            out.add(json.dumps(result.to_dict()) if as_json else printable(_text_line(result)))
    finally:
        out.flush()
    if strict and not_verified:
        click.echo(f"nowan: --strict: {len(not_verified)} of {len(files)} messages not verified: "
                   f"{', '.join(not_verified)}", err=True)
    if failed_input or invalid or (strict and not_verified):
        raise click.exceptions.Exit(2 if failed_input else 1)
