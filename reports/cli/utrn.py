"""``nowan utrn generate|decode|verify``: the UTRN toolkit for protocol engineers.

``generate`` is the Supplier's vending step (PP-KA private key + device KA certificate),
``verify`` is the meter's check (device KA private key + Supplier PP-KA certificate), and
``decode`` needs no keys at all: value, class and truncated counter are public by design, so it
does not import the keystore (and with it ``cryptography.x509``, a third of its start-up).
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from nowan.model.errors import InputError, KeyError_
from nowan.model.gbcs.eui import format_eui, parse_eui
from nowan.model.gbcs.utrn import (PPTD_OFFSET, ValueClass, decode_utrn, generate_utrn, utrn_from_ptut,
                             verify_utrn_mac)
from nowan.reports.cli.common import parse_int

_PEM = click.Path(dir_okay=False, path_type=Path)


def _ka_certificate(path: Path, option: str):
    """A KA (or prepayment top-up KA) certificate; a DS certificate is the wrong key for a UTRN."""
    from nowan.model.gbcs.keystore import KeyUse, load_certificate

    cred = load_certificate(path)
    if cred.use is KeyUse.DS:
        raise KeyError_(f"{option} is a digital-signing certificate; a UTRN needs a key-agreement "
                        "certificate", where=path.name)
    return cred


def _private_key(path: Path):  # noqa: ANN202 - an EC private key
    from nowan.model.gbcs.keystore import load_private_key

    return load_private_key(path)


def _same_party(cert_eui: bytes, eui: bytes, cert: Path, option: str) -> None:
    if cert_eui != eui:
        raise InputError(f"certificate {cert.name} is for {format_eui(cert_eui)}, not {format_eui(eui)}",
                         where=option)


@click.group()
def command() -> None:
    """Generate, decode and verify 20-digit UTRNs (GBCS prepayment top-up tokens)."""


@command.command()
@click.option("--supplier-key", type=_PEM, required=True,
              help="Supplier prepayment top-up KA private key (PEM).")
@click.option("--device-cert", type=_PEM, required=True, help="Target device KA certificate (PEM).")
@click.option("--originator", required=True, help="Supplier EUI-64.")
@click.option("--counter", required=True, help="64-bit originator counter (low 32 bits zero); decimal or 0x hex.")
@click.option("--value", required=True, help="Credit value, 0..8191, in the unit of --class.")
@click.option("--class", "value_class", type=click.Choice(["pennies", "pounds"], case_sensitive=False),
              required=True, help="Unit of --value.")
def generate(supplier_key: Path, device_cert: Path, originator: str, counter: str, value: str,
             value_class: str) -> None:
    """Mint a UTRN for the device named by --device-cert."""
    orig = parse_eui(originator, "--originator")
    ctr = parse_int(counter, "--counter")
    val = parse_int(value, "--value")
    device = _ka_certificate(device_cert, "--device-cert")
    key = _private_key(supplier_key)
    click.echo(generate_utrn(key, device.public_key, orig, device.eui, ctr, val,
                             ValueClass.parse(value_class)))


@command.command()
@click.argument("utrn")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
def decode(utrn: str, as_json: bool) -> None:
    """Decode a UTRN's public fields (no keys needed)."""
    ptut = decode_utrn(utrn)
    pptd = ptut.to_int() + PPTD_OFFSET
    data = {
        "utrn": utrn_from_ptut(ptut.to_int()),
        "pptd": f"{pptd:019d}",
        "ptut": f"{ptut.to_int():016x}",
        "counter10": ptut.counter10,
        "value_class": ptut.value_class.name.lower(),
        "value": ptut.value,
        "pence": ptut.pence,
        "mac": f"{ptut.mac:08x}",
    }
    if as_json:
        click.echo(json.dumps(data))
        return
    for k, v in data.items():
        click.echo(f"{k:<12}{v}")


@command.command()
@click.argument("utrn")
@click.option("--supplier-cert", type=_PEM, required=True,
              help="Supplier prepayment top-up KA certificate (PEM).")
@click.option("--device-key", type=_PEM, required=True, help="Device KA private key (PEM).")
@click.option("--originator", required=True, help="Supplier EUI-64.")
@click.option("--recipient", required=True, help="Device EUI-64.")
@click.option("--counter", default=None,
              help="Full 64-bit originator counter; default: the truncated counter's upper word "
                   "with no wrap (counter10 << 32).")
def verify(utrn: str, supplier_cert: Path, device_key: Path, originator: str, recipient: str,
           counter: str | None) -> None:
    """Check a UTRN's 32-bit MAC as the meter does; exit 1 if it does not verify."""
    orig = parse_eui(originator, "--originator")
    recip = parse_eui(recipient, "--recipient")
    ptut = decode_utrn(utrn)
    ctr = parse_int(counter, "--counter") if counter is not None else ptut.counter10 << 32
    supplier = _ka_certificate(supplier_cert, "--supplier-cert")
    _same_party(supplier.eui, orig, supplier_cert, "--originator")
    key = _private_key(device_key)
    ok = verify_utrn_mac(ptut, key, supplier.public_key, orig, recip, ctr)
    click.echo(f"{'valid' if ok else 'invalid'} counter 0x{ctr:x} value {ptut.value} "
               f"{ptut.value_class.name.lower()} ({ptut.pence} pence)")
    if not ok:
        raise click.exceptions.Exit(1)
