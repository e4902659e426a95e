"""``nowan utrn``: the DCC's UTRN vectors reproduced from the command line, and one-line errors."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st
from cryptography.hazmat.primitives import serialization

from nowan.model.gbcs.crypto import deterministic_private_key
from nowan.model.gbcs.envelope import parse_frame, parse_hex
from nowan.model.gbcs.utrn import PPTD_OFFSET, ValueClass, check_digit, generate_utrn
from nowan.model.gbcs.keystore import load_certificate, load_private_key
from nowan.reports.cli import cli

DATA = Path(__file__).parents[1] / "data"
KEYS = DATA / "keystore"
SUPPLIER_PP_KEY = KEYS / "90b3d51f30010000-pp-ka.key"
SUPPLIER_PP_CERT = KEYS / "90b3d51f30010000-pp-ka.pem"
ESME_KA = KEYS / "00db1234567890a0-ka.pem"
ORIGINATOR = "90-B3-D5-1F-30-01-00-00"
ESME = "00-DB-12-34-56-78-90-A0"


def run(*args: str):
    return CliRunner().invoke(cli, ["utrn", *args])


def generate(counter: str, value: str, klass: str, device: Path = ESME_KA):
    return run("generate", "--supplier-key", str(SUPPLIER_PP_KEY), "--device-cert", str(device),
               "--originator", ORIGINATOR, "--counter", counter, "--value", value, "--class", klass)


@pytest.mark.parametrize("counter, value, klass, utrn", [
    ("0x100000000", "100", "pounds", "73943333457189043313"),       # the DCC gbcs-parser unit-test vectors
    ("0x400000000", "1234", "pennies", "73947252416745201637"),
    ("4294967296", "8191", "pounds", "73943680956463432551"),
])
def test_dcc_unit_test_utrns_are_reproduced(counter: str, value: str, klass: str, utrn: str) -> None:
    result = generate(counter, value, klass)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == utrn


def _rtds_utrn(name: str) -> tuple[int, str]:
    """The originator counter and the ASCII UTRN carried in an RTDS CS01a command's payload."""
    frame = parse_frame(parse_hex((DATA / "rtds/2.2_CS01a" / name).read_text()))
    digits = re.search(rb"\x09\x14(\d{20})", frame.signing.content)
    assert digits is not None
    return frame.signing.counter, digits[1].decode()


@pytest.mark.parametrize("name", ["CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX", "CS01a_2.2_ERROR_COMMAND_GBCS.HEX"])
def test_the_utrns_inside_the_rtds_top_up_commands_are_reproduced(name: str) -> None:
    counter, utrn = _rtds_utrn(name)
    result = generate(hex(counter), "10", "pounds")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == utrn


def test_decode_shows_the_public_fields() -> None:
    result = run("decode", "73946144332040217315", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {"utrn": "73946144332040217315", "pptd": "7394614433204021731", "ptut": "0001a00a9cd029e3",
                    "counter10": 3, "value_class": "pounds", "value": 10, "pence": 1000, "mac": "9cd029e3"}
    text = run("decode", "73941656880950804485")  # the RTDS PCS01 placeholder: 2025 pennies, zero MAC
    assert text.exit_code == 0 and "pence       2025" in text.stdout and "mac         00000000" in text.stdout


@pytest.fixture()
def device_key(tmp_path: Path) -> tuple[Path, bytes]:
    """A simulated ESME KA key (the DCC publishes no device private keys)."""
    key = deterministic_private_key("test-esme-ka")
    path = tmp_path / "esme-ka.key"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path, bytes.fromhex("00db1234567890ff")


def _mint(device: Path, recipient: bytes, counter: int, value: int) -> str:
    return generate_utrn(load_private_key(SUPPLIER_PP_KEY), load_private_key(device).public_key(),
                         bytes.fromhex("90b3d51f30010000"), recipient, counter, value, ValueClass.POUNDS)


def verify(utrn: str, key: Path, recipient: str, *extra: str):
    return run("verify", utrn, "--supplier-cert", str(SUPPLIER_PP_CERT), "--device-key", str(key),
               "--originator", ORIGINATOR, "--recipient", recipient, *extra)


def test_verify_accepts_a_genuine_utrn_and_rejects_a_tampered_one(device_key: tuple[Path, bytes]) -> None:
    key, eui = device_key
    utrn = _mint(key, eui, 7 << 32, 20)
    ok = verify(utrn, key, eui.hex())
    assert ok.exit_code == 0 and ok.stdout.startswith("valid counter 0x700000000 value 20 pounds")
    assert verify(utrn, key, eui.hex(), "--counter", str(7 << 32)).exit_code == 0
    # more credit, same MAC: the check digit is recomputed so only the MAC can catch it
    ptut = int(utrn[:19]) - PPTD_OFFSET + (1 << 32)
    pptd = f"{ptut + PPTD_OFFSET:019d}"
    bad = verify(pptd + check_digit(pptd), key, eui.hex())
    assert bad.exit_code == 1 and bad.stdout.startswith("invalid")
    assert verify(utrn, key, ESME).exit_code == 1                               # another meter
    assert verify(utrn, key, eui.hex(), "--counter", str(7 << 32 | 1 << 42)).exit_code == 1  # other counter


def test_the_generated_utrn_is_bound_to_the_device_in_the_certificate(device_key: tuple[Path, bytes]) -> None:
    assert load_certificate(ESME_KA).eui == bytes.fromhex("00db1234567890a0")
    assert generate("0x100000000", "100", "pounds", KEYS / "00db1234567890a1-ka.pem").stdout.strip() \
        != "73943333457189043313"


@pytest.mark.parametrize("args, expected", [
    (["decode", "7394333345718904331"], "UTRN: expected 20 digits, got 19"),
    (["decode", "7394333345718904331x"], "UTRN: expected only digits"),
    (["decode", "73943333457189043312"], "UTRN: bad check digit 2, expected 3"),
    (["decode", "1234567890123456789" + check_digit("1234567890123456789")], "UTRN: PPTD out of range"),
    (["generate", "--supplier-key", str(SUPPLIER_PP_KEY), "--device-cert", str(ESME_KA), "--originator",
      "90-B3-D5", "--counter", "0x100000000", "--value", "1", "--class", "pounds"], "--originator: expected an EUI-64"),
    (["generate", "--supplier-key", str(SUPPLIER_PP_KEY), "--device-cert", str(ESME_KA), "--originator",
      ORIGINATOR, "--counter", "0x100000001", "--value", "1", "--class", "pounds"], "--counter: the low 32 bits"),
    (["generate", "--supplier-key", str(SUPPLIER_PP_KEY), "--device-cert", str(ESME_KA), "--originator",
      ORIGINATOR, "--counter", "ten", "--value", "1", "--class", "pounds"], "--counter: expected a decimal"),
    (["generate", "--supplier-key", str(SUPPLIER_PP_KEY), "--device-cert", str(ESME_KA), "--originator",
      ORIGINATOR, "--counter", "0x100000000", "--value", "8192", "--class", "pounds"], "--value: expected a value in 0..8191"),
    (["generate", "--supplier-key", str(SUPPLIER_PP_KEY), "--device-cert", str(KEYS / "00db1234567890a0-ds.pem"),
      "--originator", ORIGINATOR, "--counter", "0x100000000", "--value", "1", "--class", "pounds"],
     "00db1234567890a0-ds.pem: --device-cert is a digital-signing certificate"),
    (["generate", "--supplier-key", str(ESME_KA), "--device-cert", str(ESME_KA),
      "--originator", ORIGINATOR, "--counter", "0x100000000", "--value", "1", "--class", "pounds"],
     "00db1234567890a0-ka.pem: not an unencrypted PEM private key"),
    (["generate", "--supplier-key", str(KEYS / "missing.key"), "--device-cert", str(ESME_KA),
      "--originator", ORIGINATOR, "--counter", "0x100000000", "--value", "1", "--class", "pounds"],
     "missing.key: cannot read private key"),
    (["verify", "73943333457189043313", "--supplier-cert", str(SUPPLIER_PP_CERT), "--device-key",
      str(SUPPLIER_PP_KEY), "--originator", "90-B3-D5-1F-30-03-00-00", "--recipient", ESME],
     "--originator: certificate 90b3d51f30010000-pp-ka.pem is for 90-B3-D5-1F-30-01-00-00"),
])
def test_user_mistakes_give_one_line_and_exit_2(args: list[str], expected: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert expected in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("nowan: error: ") and "Traceback" not in result.stderr


def test_bad_class_option_is_a_usage_error() -> None:
    result = generate("0x100000000", "1", "guineas")
    assert result.exit_code == 2 and "'guineas' is not one of" in result.stderr


@given(upper=st.integers(1, (1 << 32) - 1), value=st.integers(0, 8191), klass=st.sampled_from(["pennies", "pounds"]))
def test_generate_decode_verify_round_trip(tmp_path_factory: pytest.TempPathFactory, upper: int, value: int,
                                           klass: str) -> None:
    """Any counter and value: decode shows what was minted, and the meter's check accepts it."""
    tmp = tmp_path_factory.getbasetemp()
    meter = deterministic_private_key("round-trip-meter")
    cert = tmp / "00db1234567890fe-ka.pem"  # a bare public key named by its EUI stands in for a certificate
    key = tmp / "00db1234567890fe-ka.key"
    if not key.exists():
        cert.write_bytes(meter.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
        key.write_bytes(meter.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    minted = generate(hex(upper << 32), str(value), klass, cert)
    assert minted.exit_code == 0, minted.stderr
    utrn = minted.stdout.strip()
    decoded = json.loads(run("decode", utrn, "--json").stdout)
    assert (decoded["counter10"], decoded["value"], decoded["value_class"]) == (upper & 0x3FF, value, klass)
    assert verify(utrn, key, "00db1234567890fe", "--counter", str(upper << 32)).exit_code == 0


@pytest.mark.parametrize("sub", [[], ["generate"], ["decode"], ["verify"]])
def test_help_cites_no_document_outside_the_repository(sub: list[str]) -> None:
    result = run(*sub, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout and ".md" not in result.stdout
