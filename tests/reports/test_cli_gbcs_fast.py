"""``nowan gbcs verify`` without click: the fast path the entry point takes for the plain forms of the
command line gives the same bytes on stdout and stderr, and the same exit status, as the click
command, on good and bad input; anything else is left to click."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nowan.reports.cli.gbcs_verify import parse_args

DATA = Path(__file__).parents[1] / "data"
KEYS = DATA / "keystore"
CS01A = DATA / "rtds/2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"
ECS09 = DATA / "rtds/2.5_ECS09/ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX"
PCS01 = next((DATA / "rtds").glob("*/PCS01*_COMMAND_GBCS.HEX"))  # HAN-only: its MAC keys are not held
#: The entry point (fast path first) and the click group alone, both as ``nowan``.
ENTRY = [sys.executable, "-m", "nowan.reports.cli"]
CLICK = [sys.executable, "-c", "from nowan.reports.cli.group import main; main()"]


def _both(*args: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    runs = tuple(subprocess.run([*way, "gbcs", "verify", *args], capture_output=True, timeout=120)
                 for way in (ENTRY, CLICK))
    return runs  # type: ignore[return-value]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Bad input beside the good: junk hex, a truncated frame, a tampered payload (MAC invalid), a
    re-addressed frame (keys unknown), a name with a terminal escape, a keystore with a broken key."""
    tmp = tmp_path_factory.mktemp("fast")
    (tmp / "junk.HEX").write_text("DD00zz")
    (tmp / "short.HEX").write_text(CS01A.read_text()[:-30])
    frame = bytearray(bytes.fromhex(CS01A.read_text()))
    frame[60] ^= 0x01
    (tmp / "tampered.HEX").write_text(frame.hex().upper())
    frame = bytearray(bytes.fromhex(CS01A.read_text()))
    frame[frame.index(bytes.fromhex("00db1234567890a0"))] ^= 0x80
    (tmp / "readdressed.HEX").write_text(frame.hex().upper())
    (tmp / "esc\x1b[31m.HEX").write_text(CS01A.read_text())
    broken = tmp / "broken-keys"
    broken.mkdir()
    shutil.copy(KEYS / "90b3d51f30000002-ka.pem", broken)
    (broken / "broken.key").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    return {p.name: p for p in tmp.iterdir()}


CASES = {
    "good-text": lambda f: [str(CS01A), str(ECS09), "--keystore", str(KEYS)],
    "good-json-options-first": lambda f: ["--json", "--keystore", str(KEYS), str(ECS09), str(CS01A)],
    "keystore-equals": lambda f: [str(CS01A), f"--keystore={KEYS}"],
    "keystore-twice-last-wins": lambda f: [str(CS01A), "--keystore", str(f["broken-keys"]), "--keystore", str(KEYS)],
    "strict-unknown-keys": lambda f: [str(f["readdressed.HEX"]), str(PCS01), str(CS01A), "--keystore", str(KEYS),
                                      "--strict"],
    "strict-json": lambda f: ["--strict", "--json", str(f["readdressed.HEX"]), "--keystore", str(KEYS)],
    "tampered-exit-1": lambda f: [str(f["tampered.HEX"]), str(CS01A), "--keystore", str(KEYS)],
    "unreadable-text": lambda f: [str(CS01A), str(f["junk.HEX"]), str(f["short.HEX"]), str(CS01A),
                                  str(Path(f["junk.HEX"]).with_name("missing.HEX")), "--keystore", str(KEYS)],
    "unreadable-json": lambda f: [str(f["junk.HEX"]), str(f["short.HEX"]), str(CS01A), "--keystore", str(KEYS),
                                  "--json"],
    "directory-as-file": lambda f: [str(KEYS), "--keystore", str(KEYS)],
    "escape-in-name": lambda f: [str(f["esc\x1b[31m.HEX"]), "--keystore", str(KEYS)],
    "broken-keystore": lambda f: [str(CS01A), "--keystore", str(f["broken-keys"])],
    # Left to click by the fast path; the entry point must still answer as the group does.
    "missing-keystore-dir": lambda f: [str(CS01A), "--keystore", str(f["junk.HEX"].parent / "none")],
    "keystore-is-a-file": lambda f: [str(CS01A), "--keystore", str(CS01A)],
    "no-files": lambda f: ["--keystore", str(KEYS)],
    "unknown-option": lambda f: [str(CS01A), "--keystor", str(KEYS)],
    "help": lambda f: ["--help"],
    "double-dash": lambda f: ["--keystore", str(KEYS), "--", str(CS01A)],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_fast_path_and_click_give_the_same_bytes_and_status(case: str, inputs: dict[str, Path]) -> None:
    fast, slow = _both(*CASES[case](inputs))
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.stdout or fast.stderr
    assert b"Traceback" not in fast.stderr


def test_the_cases_cover_every_exit_status_and_both_ways_in(inputs: dict[str, Path]) -> None:
    """The comparison above would prove little if every case went to click, or all exited 0."""
    taken = {case for case, args in CASES.items() if parse_args(args(inputs)) is not None}
    assert {"good-text", "keystore-equals", "strict-unknown-keys", "unreadable-text", "broken-keystore"} <= taken
    assert {"help", "no-files", "unknown-option", "missing-keystore-dir", "double-dash"}.isdisjoint(taken)
    statuses = {_both(*CASES[case](inputs))[0].returncode for case in
                ("good-text", "tampered-exit-1", "unreadable-text")}
    assert statuses == {0, 1, 2}


def test_a_closed_pipe_ends_both_ways_alike() -> None:
    """``nowan gbcs verify ... | head -1``: quiet exit 1 (click's way), not a traceback."""
    files = [str(CS01A)] * 2000  # more than a pipe holds
    outcomes = []
    for way in (ENTRY, CLICK):
        proc = subprocess.Popen([*way, "gbcs", "verify", "--keystore", str(KEYS), *files],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        outcomes.append((first, proc.stderr.read(), proc.wait(timeout=120)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0].startswith(CS01A.name.encode()) and outcomes[0][2] == 1


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--", "a.HEX"], ["-", "--keystore", "."], ["a.HEX"], ["--keystore", "."],
    ["a.HEX", "--keystore"], ["a.HEX", "--keystore", "--json"], ["a.HEX", "--keystore="], ["a.HEX", "--json=1"],
    ["a.HEX", "--keystore", "./no-such-dir"], ["a\x00.HEX", "--keystore", "."],
])
def test_anything_but_a_plain_form_is_left_to_click(args: list[str]) -> None:
    assert parse_args(args) is None


def test_an_unreadable_keystore_is_left_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    """click's Path type names an unreadable directory itself (not testable for real as root)."""
    import os

    assert parse_args(["a.HEX", "--keystore", str(KEYS)]) is not None
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert parse_args(["a.HEX", "--keystore", str(KEYS)]) is None


def test_a_plain_form_is_parsed_as_click_parses_it() -> None:
    assert parse_args(["b.HEX", "--json", "--keystore", "x", "a.HEX", f"--keystore={KEYS}", "--strict"]) == \
        (["b.HEX", "a.HEX"], KEYS, True, True)


def test_a_library_warning_is_one_escaped_line_either_way(capsys: pytest.CaptureFixture[str]) -> None:
    """The entry point sets this before choosing a way in, so both print a warning alike."""
    from nowan.reports.cli import _warning_line

    _warning_line(UserWarning("GitHub unreachable\n\x1b[31mretry"), UserWarning, "x.py", 1)
    assert capsys.readouterr().err == "nowan: warning: GitHub unreachable\\n\\x1b[31mretry\n"
