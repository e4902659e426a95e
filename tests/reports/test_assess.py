"""nowan assess as a reader and a CI job meet it: files, determinism, safety, gates, errors."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from nowan.reports.cli import cli
from nowan.reports.pipeline import assess
from nowan.reports.render import render_html, render_json, render_markdown

DATA = Path(__file__).parents[1] / "data"
MODELS = DATA / "models"
GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).parents[2] / "reports" / "schema" / "report.schema.json"


def _fixed_bundle(models: Path = MODELS, **kw):
    # versions and Graphviz differ between machines; the golden files pin the layout, not the environment
    bundle, graphs = assess(directory=models, examples=0, layout="built-in", **kw)
    bundle["versions"] = {"nowan": "X", "python": "X"}
    bundle["tool"]["version"] = "X"
    return bundle, graphs


@pytest.mark.parametrize("name", ["index.html", "report.md", "report.json"])
def test_golden_outputs_of_a_small_fixed_model(name):
    bundle, graphs = _fixed_bundle()
    text = {"index.html": lambda: render_html(bundle, graphs), "report.md": lambda: render_markdown(bundle),
            "report.json": lambda: render_json(bundle)}[name]()
    golden = GOLDEN / name
    if os.environ.get("NOWAN_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"{name} differs from its golden file (NOWAN_UPDATE_GOLDEN=1 to accept)"


def test_report_json_validates_against_its_schema():
    bundle, _ = _fixed_bundle()
    jsonschema.validate(bundle, json.loads(SCHEMA.read_text()))


def test_two_runs_are_byte_identical(tmp_path):
    runner = CliRunner()
    outs = []
    for n in (1, 2):
        out = tmp_path / f"o{n}"
        r = runner.invoke(cli, ["assess", "--models", str(MODELS), "--budget", "2", "--seed", "7", "--out", str(out)])
        assert r.exit_code == 0, r.output
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == ["index.html", "junit.xml", "report.json", "report.md", "report.pdf", "report.sarif"]
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_packaged_models_give_byte_identical_reports(tmp_path):
    """All twelve channels, proofs and a real (small) fuzz campaign: same seed, same bytes."""
    runner = CliRunner()
    for n in (1, 2):
        r = runner.invoke(cli, ["assess", "--budget", "3", "--seed", "11", "--out", str(tmp_path / f"o{n}")])
        assert r.exit_code == 0, r.output
    for name in ("index.html", "report.md", "report.json", "report.sarif", "junit.xml"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes(), name
    report = json.loads((tmp_path / "o1" / "report.json").read_text())
    assert report["fuzz_total"]["examples"] > 0 and report["proofs_total"]["proved"] > 0


def test_model_strings_are_shown_as_text_not_markup(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    text = (MODELS / "utrn-keypad.yaml").read_text().replace(
        "title: SMETS2 20-digit UTRN typed on the meter keypad",
        "title: \"<script>alert('x')</script><b>bold</b>\"", 1)
    (models / "utrn-keypad.yaml").write_text(text)
    bundle, graphs = _fixed_bundle(models, run_proofs=False)
    html = render_html(bundle, graphs)
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html
    md = render_markdown(bundle)
    assert "<script>" not in md


def test_no_key_material_in_any_output(tmp_path):
    r = CliRunner().invoke(cli, ["assess", "--models", str(MODELS), "--budget", "0", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    keys = [p.read_text() for p in (DATA / "keystore").glob("*.key")]
    bodies = ["".join(k.splitlines()[1:-1])[:40] for k in keys]
    for f in tmp_path.iterdir():
        if f.suffix == ".pdf":  # compressed streams: look at the text the reader sees
            if not shutil.which("pdftotext"):
                continue
            content = subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, check=True).stdout
        else:
            content = f.read_text()
        assert "PRIVATE KEY" not in content
        assert not any(b and b in content.replace("\n", "") for b in bodies), f.name


def test_fail_on_is_a_risk_gate(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["assess", "--models", str(MODELS), "--budget", "0", "--out", str(tmp_path / "a"),
                             "--fail-on", "very-high"])
    assert ok.exit_code == 0, ok.output
    gate = runner.invoke(cli, ["assess", "--models", str(MODELS), "--budget", "0", "--out", str(tmp_path / "b"),
                               "--fail-on", "very-low"])
    assert gate.exit_code == 1
    assert "risk gate: utrn-keypad above very-low" in gate.output
    assert (tmp_path / "b" / "index.html").exists()  # the report is still written for the reader


def test_verdict_follows_the_assumptions(tmp_path):
    """Turning the lockout off in practice (a huge failure allowance) must raise the keypad's risk once
    key-pressers are widespread (each guesses at one premises)."""
    base, _ = _fixed_bundle(run_proofs=False)
    from nowan.model.assumptions import Assumptions

    weak, _ = assess(directory=MODELS, examples=0, run_proofs=False,
                     assumptions=Assumptions({"lockout.max_failures": "1000000", "lockout.lock_s": "0",
                                              "calibration.attacker.organised-fraud.count": "100000"}))
    levels = ["very-low", "low", "medium", "high", "very-high"]
    assert levels.index(weak["channels"][0]["residual"]["level"]) > levels.index(base["channels"][0]["residual"]["level"])
    assert weak["assumptions"][[a["key"] for a in weak["assumptions"]].index("lockout.max_failures")]["overridden"]


@pytest.mark.parametrize("args,needle", [
    (["--fail-on", "bogus"], "--fail-on"),
    (["--assume", "nope=1"], "unknown assumption"),
    (["--channels", "no-such-channel"], "unknown channel"),
    (["--budget", "-1"], "--budget"),
])
def test_bad_options_give_one_line_and_no_report(tmp_path, args, needle):
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["assess", "--budget", "0", "--out", str(out), *args])
    assert r.exit_code == 2
    assert needle in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_malformed_model_names_file_and_line(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "utrn-keypad.yaml").write_text((MODELS / "utrn-keypad.yaml").read_text().replace(
        "    difficulty: 1\n", "    difficulty: hard\n", 1))
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["assess", "--models", str(models), "--budget", "0", "--out", str(out)])
    assert r.exit_code == 2, r.output
    line = [ln for ln in r.output.splitlines() if "error" in ln][0]
    assert "utrn-keypad.yaml:" in line and "difficulty" in line
    assert not out.exists()


def test_junit_fails_exactly_what_the_gate_fails(tmp_path):
    import xml.etree.ElementTree as ET

    args = ["assess", "--budget", "0", "--channels", "wifi-ppmid-relay,utrn-keypad"]
    runner = CliRunner()
    for gate, code, failing in (([], 0, set()), (["--fail-on", "medium"], 1, {"residual@wifi-ppmid-relay"}),
                                (["--fail-on", "low"], 1, {"residual@wifi-ppmid-relay", "residual@utrn-keypad"})):
        out = tmp_path / str(len(failing))
        r = runner.invoke(cli, [*args, "--out", str(out), *gate])
        assert r.exit_code == code, r.output
        root = ET.fromstring((out / "junit.xml").read_text().split("\n", 1)[1])
        assert {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None} == failing
        assert root.get("failures") == str(len(failing))


def test_every_element_id_in_the_page_is_unique(tmp_path):
    import collections
    import re

    r = CliRunner().invoke(cli, ["assess", "--budget", "0", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    ids = re.findall(r' id="([^"]+)"', (tmp_path / "index.html").read_text())
    assert [i for i, n in collections.Counter(ids).items() if n > 1] == []


def test_every_rule_in_the_evidence_map_exists_and_names_real_invariants():
    from nowan.attacks.invariants import INVARIANTS
    from nowan.model.channels.catalogues import rules
    from nowan.reports.bundle import evidence_map

    emap = evidence_map()
    assert set(emap) == set(rules())
    for rule, ev in emap.items():
        assert set(ev["invariants"]) <= set(INVARIANTS), rule


def test_every_proof_and_fuzz_finding_is_linked_to_a_threat():
    """'Each claim traceable to its evidence': nothing in the evidence is left unattached."""
    bundle, _ = assess(examples=23, seed=0)
    for c in bundle["channels"]:
        proofs = {p for t in c["threats"] for p in t["evidence"]["proofs"]}
        fuzz = {f for t in c["threats"] for f in t["evidence"]["fuzz"]}
        for p in c["proofs"]:
            assert p["id"].startswith("best-control-set@") or p["id"] in proofs, p["id"]
        for f in (c["fuzz"] or {}).get("findings", []):
            assert f"{f['invariant']}@{f['channel']}" in fuzz, f


def test_examples_is_a_count_and_budget_is_its_documented_alias(tmp_path):
    runner = CliRunner()
    for args, expected in ((["--examples", "3"], 3), (["--budget", "4"], 15), (["--examples", "0"], 0)):
        out = tmp_path / str(expected)
        r = runner.invoke(cli, ["assess", "--models", str(MODELS), "--out", str(out), *args])
        assert r.exit_code == 0, r.output
        report = json.loads((out / "report.json").read_text())
        assert report["fuzz_examples"] == expected
        assert sum(c["fuzz"]["examples"] for c in report["channels"] if c["fuzz"]) >= expected
    both = runner.invoke(cli, ["assess", "--examples", "3", "--budget", "1", "--out", str(tmp_path / "x")])
    assert both.exit_code == 2 and "--budget" in both.output


def test_the_fuzz_stage_reports_progress_as_harnesses_finish():
    seen: list[tuple[str, float]] = []
    assess(channel_ids=["usb", "utrn-keypad"], examples=2, run_proofs=False,
           progress=lambda stage, f: seen.append((stage, f)))
    fuzz = [f for stage, f in seen if stage == "fuzz"]
    assert fuzz[0] == 0.0 and fuzz[-1] == 1.0 and fuzz == sorted(fuzz)
    assert [f for f in fuzz if 0 < f < 1]  # a bar that moves, not a jump from 0 to 1


def test_the_progress_bar_draws_each_stage_on_a_terminal():
    import io

    from rich.console import Console

    from nowan.reports.cli.assess import StageBar

    buf = io.StringIO()
    with StageBar(Console(file=buf, force_terminal=True, width=100)) as bar:
        bar("run proofs", 1.0)
        bar("fuzz", 0.5)
        bar.bar.refresh()
    assert "run proofs" in buf.getvalue() and "50%" in buf.getvalue()
