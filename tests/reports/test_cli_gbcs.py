"""``nowan gbcs verify``: per-message verdicts in the design's JSON shape; bad input named, not fatal."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from nowan.model.gbcs.crypto import derive_key
from nowan.model.gbcs.envelope import GeneralSigning, parse_frame, parse_hex
from nowan.model.gbcs.keystore import Keystore, KeyUse
from nowan.model.gbcs.protect import apply_mac
from nowan.reports.cli import cli

DATA = Path(__file__).parents[1] / "data"
KEYS = DATA / "keystore"
RTDS = sorted((DATA / "rtds").glob("*/*.HEX")) + sorted((DATA / "rtds-4.5.0").glob("*/*.HEX"))
CS01A = DATA / "rtds/2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"
ACB = bytes.fromhex("90b3d51f30000002")
FIELDS = ["file", "message_code", "use_case", "title", "critical", "cra", "counter", "originator", "recipient", "mac",
          "signature", "signer", "signer_role"]


def run(*args: str):
    return CliRunner().invoke(cli, ["gbcs", "verify", *args])


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_every_rtds_file_is_reported_and_none_is_invalid() -> None:
    result = run(*map(str, RTDS), "--keystore", str(KEYS), "--json")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert [o["file"] for o in out] == [p.name for p in RTDS]
    assert all(set(FIELDS) <= set(o) for o in out)
    assert not any("invalid" in (o["mac"], o["signature"]) for o in out)
    assert all(o["use_case"] and o["title"] and o["critical"] is not None for o in out)
    assert not any("not in the catalogue" in n for o in out for n in o["notes"])
    by_file = {o["file"]: o for o in out}
    assert by_file["PCS01_NA_SUCCESS_COMMAND_GBCS.HEX"]["mac"] == "unknown"
    cs01a = by_file[CS01A.name]
    assert (cs01a["use_case"], cs01a["message_code"], cs01a["cra"], cs01a["counter"]) == \
        ("CS01a", "0x0007", "command", 3 << 32)
    assert (cs01a["originator"], cs01a["recipient"]) == ("90-B3-D5-1F-30-01-00-00", "00-DB-12-34-56-78-90-A0")
    assert (cs01a["mac"], cs01a["signature"]) == ("valid", "absent")
    assert (cs01a["critical"], cs01a["signer"], cs01a["signer_role"]) == (False, None, None)
    ecs09 = by_file["ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX"]
    assert (ecs09["mac"], ecs09["signature"]) == ("valid", "valid")
    assert (ecs09["critical"], ecs09["signer"], ecs09["signer_role"]) == (True, "90-B3-D5-1F-30-01-00-00", "supplier")
    join = by_file["CS03A2NonCritical_8.7.2_SUCCESS_COMMAND_GBCS.HEX"]  # DCC-originated, DCC-signed
    assert (join["use_case"], join["message_code"], join["critical"], join["signature"]) == \
        ("CS03A2", "0x00AB", True, "valid")
    assert (join["signer"], join["signer_role"], join["supplementary_originator"]) == \
        ("90-B3-D5-1F-30-00-00-02", "access-control-broker", "90-B3-D5-1F-30-01-00-00")
    reply = by_file["CS03A2NonCritical_8.7.2_SUCCESS_RESPONSE_GBCS.HEX"]
    assert (reply["signer"], reply["signer_role"]) == ("00-DB-12-34-56-78-90-A4", "device")


def test_text_output_has_one_line_per_message() -> None:
    result = run(str(CS01A), "--keystore", str(KEYS))
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1
    assert "CS01a 0x0007 command" in result.stdout and "mac valid, signature absent: verified" in result.stdout
    ecs09 = DATA / "rtds/2.5_ECS09/ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX"
    signed = run(str(ecs09), "--keystore", str(KEYS)).stdout
    assert "ECS09 0x0020 critical command" in signed and "signature valid by supplier 90-B3-D5-1F-30-01-00-00" in signed


def test_a_tampered_message_fails_while_the_others_still_go_through(tmp_path: Path) -> None:
    b = bytearray(bytes.fromhex(CS01A.read_text()))
    b[60] ^= 0x01  # inside the payload (the UTRN digits)
    tampered = tmp_path / "tampered.HEX"
    tampered.write_text(b.hex().upper())
    result = run(str(tampered), str(CS01A), "--keystore", str(KEYS), "--json")
    assert result.exit_code == 1
    first, second = lines(result.stdout)
    assert (first["mac"], first["status"]) == ("invalid", "rejected") and second["status"] == "verified"


def test_unparseable_files_get_an_error_entry_and_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.HEX"
    junk.write_text("DD00zz")
    truncated = tmp_path / "short.HEX"
    truncated.write_text(CS01A.read_text()[:-30])
    result = run(str(junk), str(truncated), str(CS01A), "--keystore", str(KEYS), "--json")
    assert result.exit_code == 2
    a, b, c = lines(result.stdout)
    assert a["file"] == "junk.HEX" and "expected hexadecimal digits" in a["error"]
    assert b["file"] == "short.HEX" and "offset" in b["error"]
    assert c["status"] == "verified"
    text = run(str(junk), str(CS01A), "--keystore", str(KEYS))
    assert text.exit_code == 2 and text.stderr.startswith("nowan: error: junk.HEX")
    assert text.stderr.count("\n") == 1 and "verified" in text.stdout


def test_missing_input_file_is_reported_not_a_crash(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.HEX"), str(CS01A), "--keystore", str(KEYS), "--json")
    assert result.exit_code == 2
    err, ok = lines(result.stdout)
    assert "cannot read" in err["error"] and ok["status"] == "verified"


def test_bad_keystore_is_a_one_line_error(tmp_path: Path) -> None:
    missing = run(str(CS01A), "--keystore", str(tmp_path / "none"))
    assert missing.exit_code == 2 and "keystore directory not found" in missing.stderr
    shutil.copy(KEYS / "90b3d51f30000002-ka.pem", tmp_path)
    (tmp_path / "broken.key").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    broken = run(str(CS01A), "--keystore", str(tmp_path))
    assert broken.exit_code == 2 and broken.stderr.count("\n") == 1
    assert "broken.key: not an unencrypted PEM private key" in broken.stderr


def test_without_the_keys_the_verdict_is_unknown(tmp_path: Path) -> None:
    shutil.copy(KEYS / "00db1234567890a0-ka.pem", tmp_path)  # public only: no ACB private key
    result = run(str(CS01A), "--keystore", str(tmp_path), "--json")
    assert result.exit_code == 0
    assert lines(result.stdout)[0]["mac"] == "unknown"


def test_files_are_required() -> None:
    result = run("--keystore", str(KEYS))
    assert result.exit_code == 2 and "Missing argument" in result.stderr


def test_help_describes_the_json_shape_without_citing_files_outside_the_repository() -> None:
    help_text = " ".join(run("--help").stdout.split())
    assert ".md" not in help_text
    documented = help_text.split("--json", 1)[1]
    out = lines(run(str(CS01A), "--keystore", str(KEYS), "--json").stdout)[0]
    assert all(key in documented for key in out), [k for k in out if k not in documented]


def _recipient_flipped(tmp_path: Path) -> Path:
    """CS01a with the top bit of the recipient EUI flipped: no key matches, so the MAC is unknown."""
    b = bytearray(bytes.fromhex(CS01A.read_text()))
    b[b.index(bytes.fromhex("00db1234567890a0"))] ^= 0x80
    path = tmp_path / "readdressed.HEX"
    path.write_text(b.hex().upper())
    return path


def test_strict_fails_a_tampered_message_whose_keys_become_unknown(tmp_path: Path) -> None:
    tampered = _recipient_flipped(tmp_path)
    lenient = run(str(tampered), str(CS01A), "--keystore", str(KEYS), "--json")
    assert lenient.exit_code == 0
    first, second = lines(lenient.stdout)
    assert (first["recipient"], first["mac"], first["status"]) == ("80-DB-12-34-56-78-90-A0", "unknown", "unknown")
    strict = run(str(tampered), str(CS01A), "--keystore", str(KEYS), "--json", "--strict")
    assert strict.exit_code == 1 and lines(strict.stdout) == [first, second]
    assert strict.stderr == "nowan: --strict: 1 of 2 messages not verified: readdressed.HEX\n"


def test_strict_passes_every_rtds_message_whose_keys_are_held() -> None:
    messages = [p for p in RTDS if "PRECOMMAND" not in p.name and not p.name.startswith("PCS01")]
    result = run(*map(str, messages), "--keystore", str(KEYS), "--strict")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.count("\n") == len(messages) == 93 + 24


def test_strict_fails_pre_commands_and_messages_without_keys() -> None:
    pre = next(p for p in RTDS if "PRECOMMAND" in p.name)
    pcs01 = next(p for p in RTDS if p.name.startswith("PCS01"))
    assert run(str(pre), str(pcs01), "--keystore", str(KEYS)).exit_code == 0
    strict = run(str(pre), str(pcs01), str(CS01A), "--keystore", str(KEYS), "--strict")
    assert strict.exit_code == 1 and f"2 of 3 messages not verified: {pre.name}, {pcs01.name}" in strict.stderr


def test_strict_keeps_exit_2_for_unreadable_input(tmp_path: Path) -> None:
    junk = tmp_path / "junk.HEX"
    junk.write_text("zz")
    result = run(str(junk), str(_recipient_flipped(tmp_path)), "--keystore", str(KEYS), "--strict")
    assert result.exit_code == 2 and "junk.HEX" in result.stderr and "readdressed.HEX" in result.stderr


def _remac(signing: GeneralSigning) -> bytes:
    """``signing`` MACed by the ACB, as the DCC would send it."""
    store = Keystore.load(KEYS)
    key = derive_key(store.private_key(ACB, KeyUse.KA), store.public_key(signing.recipient, KeyUse.KA),
                     signing.originator, signing.cra, signing.counter, signing.recipient)
    return apply_mac(signing, key).encode()


def test_strict_fails_an_uncatalogued_code_and_a_critical_command_without_its_signature(tmp_path: Path) -> None:
    """Both carry a good ACB MAC. The unknown code is honest 'verified' without --strict (its
    criticality cannot be judged) and fails with it; the stripped Critical command fails either way."""
    ecs09 = parse_frame(parse_hex((DATA / "rtds/2.5_ECS09/ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX").read_text()))
    unknown, stripped = tmp_path / "unknown.HEX", tmp_path / "stripped.HEX"
    unknown.write_text(_remac(replace(ecs09.signing, other_info=b"\x7f\xf0", signature=None)).hex())
    stripped.write_text(_remac(ecs09.signing.with_signature(None)).hex())
    lenient = run(str(unknown), "--keystore", str(KEYS), "--json")
    assert lenient.exit_code == 0
    out = lines(lenient.stdout)[0]
    assert (out["use_case"], out["critical"], out["mac"]) == (None, None, "valid")
    assert "message code not in the catalogue" in out["notes"]
    assert run(str(unknown), "--keystore", str(KEYS), "--strict").exit_code == 1
    rejected = lines(run(str(stripped), "--keystore", str(KEYS), "--json").stdout)[0]
    assert (rejected["critical"], rejected["mac"], rejected["signature"], rejected["status"]) == \
        (True, "valid", "invalid", "rejected")
    assert run(str(stripped), "--keystore", str(KEYS)).exit_code == 1


def test_verdicts_and_error_lines_keep_their_order_on_one_terminal(tmp_path: Path) -> None:
    """Standard output is written in blocks; an error line on stderr still comes after the verdicts
    of the files before it (both streams to one terminal, as a user reads them)."""
    import subprocess
    import sys

    junk = tmp_path / "junk.HEX"
    junk.write_text("DD00zz")
    run = subprocess.run([sys.executable, "-m", "nowan.reports.cli", "gbcs", "verify", "--keystore", str(KEYS),
                          str(CS01A), str(junk), str(CS01A)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=120)
    assert run.returncode == 2
    first, error, last = run.stdout.splitlines()
    assert first.startswith(CS01A.name) and first.endswith("verified")
    assert error.startswith("nowan: error: junk.HEX")
    assert last == first
