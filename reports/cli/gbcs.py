"""``nowan gbcs verify FILE.HEX ... --keystore DIR [--json]``: envelope, counter, MAC and signature.

Each file is reported on its own, so one unreadable frame does not hide the verdict on the others.
Exit status: 0 when nothing failed, 1 when a MAC or signature is invalid, 2 when a file could not be
read or parsed (a user-input problem, reported as one line naming the file and offset). ``unknown``
(keys not in the keystore) is honest, not a failure; ``--strict`` makes it one, for CI gates where a
tampered EUI that no key matches must not pass. The run itself is click-free
(``reports/cli/gbcs_verify.py``), so ``nowan`` can start it without importing click.
"""
from __future__ import annotations

from pathlib import Path

import click

from nowan.reports.cli.gbcs_verify import run


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
    status = run(files, keystore_dir, as_json, strict)
    if status:
        raise click.exceptions.Exit(status)
