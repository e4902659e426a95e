"""What changed since the last assessment: exactly the changes an input caused, each with that input."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nowan.model.assumptions import Assumptions
from nowan.reports.changes import diff
from nowan.reports.cli import cli
from nowan.reports.pipeline import assess

MODELS = Path(__file__).parents[1] / "data" / "models"
SUBSET = ["utrn-keypad", "wifi-ppmid-utrn", "usb", "wan"]
KEY = "nowan.share"
VALUE = "0.05"   # above the Wi-Fi UTRN and keypad share flips (about 0.027)


@pytest.fixture(scope="module")
def runs():
    base, _ = assess(examples=0, channel_ids=SUBSET)
    changed, _ = assess(examples=0, channel_ids=SUBSET, assumptions=Assumptions.from_cli([f"{KEY}={VALUE}"]))
    return base, changed


def test_the_same_inputs_change_nothing(runs):
    base, _ = runs
    d = diff(base, copy.deepcopy(base))
    assert d["inputs"] == [] and d["changes"] == []


def test_one_assumption_lists_exactly_the_changes_it_caused(runs):
    base, changed = runs
    d = diff(base, changed)
    assert [i["id"] for i in d["inputs"]] == [f"assumption:{KEY}"]
    assert d["changes"], "the what-if moves at least one verdict"
    for c in d["changes"]:
        assert c["caused_by"] == [f"assumption:{KEY}"], c
    # independently: every level, verdict and proof status that differs is listed, and nothing else
    old = {c["id"]: c for c in base["channels"]}
    expected = set()
    for c in changed["channels"]:
        o = old[c["id"]]
        if o["verdict"] != c["verdict"]:
            expected.add(f"verdict@{c['id']}")
        for which in ("inherent", "residual"):
            if o[which]["level"] != c[which]["level"]:
                expected.add(f"{which}@{c['id']}")
        ops = {p["id"]: p["status"] for p in o["proofs"]}
        expected |= {p["id"] for p in c["proofs"] if ops.get(p["id"]) != p["status"]}
        if (o["best_controls"] or {}).get("controls") != (c["best_controls"] or {}).get("controls") or \
                (o["best_controls"] or {}).get("status") != (c["best_controls"] or {}).get("status"):
            expected.add(f"cheapest-controls@{c['id']}")
    listed = {c["id"] for c in d["changes"] if c["kind"] in ("verdict", "level", "proof", "control")}
    assert listed == expected
    assert "verdict@wifi-ppmid-utrn" in listed
    # decisions too: exactly the modifications whose recommendation moved
    old_rec = {m["id"]: m["recommendation"] for m in base["modifications"]}
    assert {c["id"] for c in d["changes"] if c["kind"] == "decision"} == {
        f"decision@{m['id']}" for m in changed["modifications"] if m["recommendation"] != old_rec[m["id"]]}
    assert not [c for c in d["changes"] if c["kind"] == "fuzz-finding"]  # no fuzz ran in either
    # channels whose evidence does not name the assumption cannot have changed
    for c in changed["channels"]:
        if KEY not in {a["key"] for a in c["assumptions_used"]}:
            assert not any(ch["id"].endswith(f"@{c['id']}") for ch in d["changes"]), c["id"]
    assert any(c["id"] == "decision@wg-alternative" for c in d["changes"])


def test_a_changed_model_file_is_the_cause_of_its_channel_changes(runs):
    base, _ = runs
    new = copy.deepcopy(base)
    ch = next(c for c in new["channels"] if c["id"] == "usb")
    was = ch["residual"]["level"]
    now = "very-low" if was != "very-low" else "low"
    ch["model_hash"] = "0" * 16
    ch["residual"]["level"] = now
    d = diff(base, new)
    assert [i["id"] for i in d["inputs"]] == ["model:usb"]
    assert d["changes"] == [{"id": "residual@usb", "kind": "level", "old": was, "new": now,
                             "caused_by": ["model:usb"]}]


def test_assess_with_a_baseline_writes_the_changes_section_and_diff_prints_it(tmp_path):
    runner = CliRunner()
    a, b = tmp_path / "a", tmp_path / "b"
    r = runner.invoke(cli, ["assess", "--models", str(MODELS), "--examples", "0", "--no-pdf", "--out", str(a)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["assess", "--models", str(MODELS), "--examples", "0", "--no-pdf", "--out", str(b),
                            "--baseline", str(a / "report.json"), "--assume", "utrn.cache_size=0"])
    assert r.exit_code == 0, r.output
    bundle = json.loads((b / "report.json").read_text())
    ids = {c["id"] for c in bundle["changes"]["changes"]}
    assert "residual@utrn-keypad" in ids
    # exactly the changes the one input caused: that input is the only one, and the cause of each
    assert [i["id"] for i in bundle["changes"]["inputs"]] == ["assumption:utrn.cache_size"]
    assert all(c["caused_by"] == ["assumption:utrn.cache_size"] for c in bundle["changes"]["changes"])
    old = {c["id"]: c for c in json.loads((a / "report.json").read_text())["channels"]}
    moved = {f"residual@{c['id']}" for c in bundle["channels"] if c["residual"]["level"] != old[c["id"]]["residual"]["level"]}
    assert moved == {i for i in ids if i.startswith("residual@")}
    assert "Changes since the baseline" in (b / "report.md").read_text()
    assert "Changes since the baseline" in (b / "index.html").read_text()
    out = runner.invoke(cli, ["diff", str(a / "report.json"), str(b / "report.json")])
    assert out.exit_code == 0, out.output
    assert "input assumption:utrn.cache_size: 100 -> 0" in out.output
    assert "level residual@utrn-keypad: medium -> high (caused by assumption:utrn.cache_size)" in out.output
    js = runner.invoke(cli, ["diff", "--json", str(a / "report.json"), str(b / "report.json")])
    assert json.loads(js.output) == bundle["changes"]


@pytest.mark.parametrize("content,expected", [(None, "cannot read file (No such file"), ("{", "not valid JSON"),
                                              ('{"schema": "other"}', "expected a nowan report.json")])
def test_a_bad_report_is_one_line(tmp_path, content, expected):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    r = CliRunner().invoke(cli, ["diff", str(bad), str(bad)])
    assert r.exit_code == 2
    assert expected in r.output and r.output.count("\n") == 1 and str(bad) in r.output
