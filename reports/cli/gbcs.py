"""``nowan gbcs verify FILE.HEX ... --keystore DIR [--json]``: envelope, counter, MAC and signature.

Each file is reported on its own, so one unreadable frame does not hide the verdict on the others.
Exit status: 0 when nothing failed, 1 when a MAC or signature is invalid, 2 when a file could not be
read or parsed (a user-input problem, reported as one line naming the file and offset). ``unknown``
(keys not in the keystore) is honest, not a failure; ``--strict`` makes it one, for CI gates where a
tampered EUI that no key matches must not pass.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from nowan.model.errors import NowanError, printable
from nowan.model.gbcs.envelope import parse_hex
from nowan.model.gbcs.keystore import Keystore
from nowan.model.gbcs.verify import Verification, Verifier
from nowan.model.safeio import read_text

#: A GBCS message is at most a few kB; its hex file is twice that plus white space.
MAX_HEX_BYTES = 256 * 1024


def _text_line(v: Verification) -> str:
    d = v.to_dict()
    via = f" (for {d['supplementary_originator']})" if "supplementary_originator" in d else ""
    signed_by = f" by {d['signer_role'] or 'party'} {d['signer']}" if d["signer"] else ""
    critical = " critical" if d["critical"] else ""
    notes = f"  [{'; '.join(v.notes)}]" if v.notes else ""
    return (f"{d['file']}: {d['use_case'] or '?'} {d['message_code']}{critical} {d['cra']} ({d['frame']}) "
            f"counter 0x{v.counter:x} {d['originator']}{via} -> {d['recipient']}: "
            f"mac {d['mac']}, signature {d['signature']}{signed_by}: {d['status']}{notes}")


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
    write = sys.stdout.write  # a line per message: click.echo's per-call cost shows on a thousand files
    for name in files:
        path = Path(name)
        try:
            text = read_text(path, str(path), encoding="ascii", limit=MAX_HEX_BYTES)
            result = verifier.verify_bytes(parse_hex(text, path.name), path.name)
        except NowanError as exc:
            failed_input = True
            if as_json:
                click.echo(json.dumps({"file": path.name, "error": str(exc)}))
            else:
                click.echo(f"nowan: error: {exc}", err=True)
            continue
        invalid |= result.status == "rejected"
        if not result.fully_verified:
            not_verified.append(printable(path.name, 120))
        write((json.dumps(result.to_dict()) if as_json else printable(_text_line(result))) + "\n")
    if strict and not_verified:
        click.echo(f"nowan: --strict: {len(not_verified)} of {len(files)} messages not verified: "
                   f"{', '.join(not_verified)}", err=True)
    if failed_input or invalid or (strict and not_verified):
        raise click.exceptions.Exit(2 if failed_input else 1)
