"""The channel registry is the model directory: a new or modified file given with ``--models``
is scored, drawn, proved, fuzzed (or said plainly not to be) and reported, with no code change."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nowan.model.channels.loader import CHANNEL_DIR
from nowan.reports.cli import cli

KEYPAD = (CHANNEL_DIR / "utrn-keypad.yaml").read_text()
#: The keypad model with the MAC guess slowed to one a day (a keypad that takes a day per entry).
SLOW_GUESS = ("attempt_s: bruteforce.keypad_attempt_s", "attempt_s: 86400")


def _nowan(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def models(tmp_path: Path) -> Path:
    """A models directory holding one channel the code has never heard of, declaring no attacker world."""
    d = tmp_path / "models"
    d.mkdir()
    (d / "keypad-pilot.yaml").write_text(KEYPAD.replace("id: utrn-keypad", "id: keypad-pilot", 1)
                                         .replace("fuzz: {world: keypad}\n", ""))
    return d


def test_a_new_channel_file_is_assessed_end_to_end(models: Path, tmp_path: Path) -> None:
    risk = json.loads(_nowan("risk", "--models", str(models), "--json").stdout)
    assert [c["id"] for c in risk["channels"]] == ["keypad-pilot"]
    graph = json.loads(_nowan("graph", "keypad-pilot", "--models", str(models), "--format", "json").stdout)
    assert graph["channel"] == "keypad-pilot" and graph["nodes"]
    proofs = json.loads(_nowan("prove", "--models", str(models), "--json").stdout)["properties"]
    assert {"utrn-anti-replay@keypad-pilot", "bruteforce-bound@keypad-pilot"} <= {p["id"] for p in proofs}
    fuzz = _nowan("fuzz", "--models", str(models), "--channels", "keypad-pilot,gbcs-envelope", "--budget", "1",
                  "--db", "none", "--out", str(tmp_path / "fuzz"), "--json")
    assert fuzz.exit_code == 0, fuzz.output
    assert "keypad-pilot: not fuzzed: its model declares no attacker world (fuzz.world)" in fuzz.stderr
    assert json.loads(fuzz.stdout)["not_fuzzed"] == ["keypad-pilot"]
    out = tmp_path / "out"
    r = _nowan("assess", "--models", str(models), "--examples", "0", "--out", str(out))
    assert r.exit_code in (0, 1), r.output
    report = json.loads((out / "report.json").read_text())
    [entry] = report["channels"]
    assert entry["id"] == "keypad-pilot" and entry["proofs"] and entry["fuzz"] is None
    assert entry["fuzz_note"] == "not fuzzed: this run asked for no examples"
    r = _nowan("assess", "--models", str(models), "--examples", "1", "--no-pdf", "--out", str(tmp_path / "out1"))
    assert r.exit_code in (0, 1), r.output
    said = "not fuzzed: its model declares no attacker world (fuzz.world)"
    assert json.loads((tmp_path / "out1" / "report.json").read_text())["channels"][0]["fuzz_note"] == said
    assert said.capitalize() in (tmp_path / "out1" / "index.html").read_text()
    assert said in (tmp_path / "out1" / "report.md").read_text()


def test_a_new_channel_file_naming_a_world_is_fuzzed_under_its_own_id(tmp_path: Path) -> None:
    d = tmp_path / "models"
    d.mkdir()
    (d / "keypad-pilot.yaml").write_text(KEYPAD.replace("id: utrn-keypad", "id: keypad-pilot", 1))
    fuzz = _nowan("fuzz", "--models", str(d), "--channels", "keypad-pilot", "--budget", "1", "--db", "none",
                  "--out", str(tmp_path / "fuzz"), "--json")
    assert fuzz.exit_code == 0, fuzz.output
    summary = json.loads(fuzz.stdout)
    assert summary["not_fuzzed"] == [] and [r["channel"] for r in summary["channels"]] == ["keypad-pilot"]


def test_a_modified_channel_file_changes_the_fuzz_evidence(tmp_path: Path) -> None:
    """pairing-no-timeout.yaml given a 90 s window instead of none: the campaign runs under the
    model's window (its traces record it), not a window fixed in the world class."""
    d = tmp_path / "models"
    d.mkdir()
    text = (CHANNEL_DIR / "pairing-no-timeout.yaml").read_text()
    old = "assumptions: {pairing.window_s: inf}"
    assert old in text
    (d / "pairing-no-timeout.yaml").write_text(text.replace(old, "assumptions: {pairing.window_s: 90}"))

    def windows(*models: str) -> set:
        r = _nowan("fuzz", "--channels", "pairing-no-timeout", *models, "--budget", "2", "--seed", "3", "--db",
                   "none", "--out", str(tmp_path / f"fuzz{len(models)}"), "--json")
        assert r.exit_code == 0, r.output
        found = json.loads(r.stdout)["findings"]
        assert found, "the rogue join is a channel weakness under either window"
        return {f["trace"]["assumptions"].get("pairing.window_s") for f in found}

    assert windows() == {"inf"} and windows("--models", str(d)) == {90}


def test_a_modified_channel_file_changes_the_risk_and_the_proofs(tmp_path: Path) -> None:
    d = tmp_path / "models"
    d.mkdir()
    (d / "utrn-keypad.yaml").write_text(KEYPAD.replace(*SLOW_GUESS))

    def evidence(*models: str) -> tuple[dict, dict]:
        risk = json.loads(_nowan("risk", "--channels", "utrn-keypad", *models, "--json").stdout)["channels"][0]
        proofs = json.loads(_nowan("prove", "--channels", "utrn-keypad", *models, "--json").stdout)["properties"]
        guess = next(t for t in risk["threats"] if t["id"] == "mac-bruteforce@utrn-keypad@meter")
        return guess["forged_per_premises_year"], {p["id"]: p["status"] for p in proofs}

    packaged_forged, packaged = evidence()
    modified_forged, modified = evidence("--models", str(d))
    assert modified_forged["residual"] < packaged_forged["residual"]
    assert packaged["bruteforce-bound@utrn-keypad"] == "refuted"
    assert modified["bruteforce-bound@utrn-keypad"] == "proved"


@pytest.mark.parametrize("cmd", [("risk",), ("prove",), ("graph", "utrn-keypad"), ("fuzz", "--budget", "1"),
                                 ("assess", "--examples", "0")])
def test_an_unknown_channel_lists_the_ids_in_the_directory(models: Path, tmp_path: Path, cmd) -> None:
    extra = ("--out", str(tmp_path / "o")) if cmd[0] in ("assess", "fuzz") else ()
    chan = () if cmd[0] == "graph" else ("--channels", "utrn-keypad")
    r = _nowan(*cmd, "--models", str(models), *chan, *extra)
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "unknown channel" in lines[0] and "keypad-pilot" in lines[0], lines


def test_a_renamed_smets1_option_is_still_in_the_smets1_comparison(tmp_path: Path) -> None:
    """The SMETS1 table lists the channels that declare ``comparison: smets1-utrn-generation``,
    whatever their file is called; a channel without the key is not a row."""
    from nowan.reports.pipeline import assess
    from nowan.reports.render import render_markdown

    d = tmp_path / "models"
    d.mkdir()
    option = (CHANNEL_DIR / "smets1-utrn-gen-1.yaml").read_text()
    assert "comparison: smets1-utrn-generation\n" in option
    (d / "central-utrn-service.yaml").write_text(option.replace("id: smets1-utrn-gen-1", "id: central-utrn-service", 1))
    (d / "utrn-keypad.yaml").write_text(KEYPAD)
    bundle, _ = assess(directory=d, examples=0, run_proofs=False, layout="built-in")
    assert [row["id"] for row in bundle["comparisons"]["smets1"]] == ["central-utrn-service"]
    assert "central-utrn-service" in render_markdown(bundle).split("SMETS1 UTRN generation options", 1)[1]
