"""Start-up: a sub-command imports what it uses. ``nowan --version``, ``nowan utrn decode`` and
``nowan gbcs verify`` on one file must not import z3, networkx or Hypothesis (they cost most of a
second); checked on the modules a fresh interpreter imports, not on a timing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data"
HEAVY = ("z3", "networkx", "hypothesis", "jinja2", "jsonschema")
FRAME = DATA / "rtds" / "1.5_ECS04a" / "ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX"


def imported(*args: str, full: bool = False) -> tuple[set[str], str]:
    """The top-level packages (or, ``full``, the modules) a fresh ``nowan ARGS`` imports
    (``python -X importtime``), and stdout."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "nowan.reports.cli", *args],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    if not full:
        names = {name.split(".")[0] for name in names}
    return names, run.stdout


@pytest.mark.parametrize("args", [
    ("--version",),
    ("utrn", "decode", "73946144332040217315"),
    ("gbcs", "verify", str(FRAME), "--keystore", str(DATA / "keystore")),
], ids=["version", "utrn-decode", "gbcs-verify"])
def test_light_commands_do_not_import_the_solvers_or_the_fuzzer(args):
    names, out = imported(*args)
    assert "nowan" in names and out.strip()
    assert sorted(set(HEAVY) & names) == []


def test_gbcs_verify_does_not_import_click():
    """The plain forms of ``gbcs verify`` run without click (reports/cli/gbcs_verify.py): its import
    was most of what the command line cost over a plain script (bench/gbcs_verify.py)."""
    names, out = imported("gbcs", "verify", str(FRAME), "--keystore", str(DATA / "keystore"))
    assert "verified" in out and "click" not in names
    names, _ = imported("gbcs", "verify", "--help")
    assert "click" in names


def test_utrn_decode_does_not_load_the_keystore():
    """Decoding needs no keys; the keystore's certificate parsing (cryptography.x509) was a third of
    its start-up."""
    names, out = imported("utrn", "decode", "73946144332040217315", full=True)
    assert out.strip() and "cryptography.x509" not in names and "nowan.model.gbcs.utrn" in names
    names, _ = imported("gbcs", "verify", str(FRAME), "--keystore", str(DATA / "keystore"), full=True)
    assert "cryptography.x509" in names


def test_the_check_sees_a_heavy_import():
    names, _ = imported("prove", "--help")
    assert "z3" in names
