"""Decision tracking: statuses shown per risk id, stale entries and undecided risks flagged, the CI
gate can let accepted risks through."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nowan.reports.cli import cli
from nowan.reports.tracking import apply, parse_tracking

MODELS = Path(__file__).parents[1] / "data" / "models"

TRACKING = """\
residual@utrn-keypad:
  status: accepted
  date: 2026-11-20
  justification: Keypad top-ups stay as today.
  ticket: SSC-1
replay@utrn-keypad@meter:
  status: mitigated
  date: 2026-10-01
  justification: Counter cache in force.
  ticket: SSC-2
residual@gone-channel:
  status: in-discussion
  date: 2025-01-01
  justification: Channel withdrawn since.
  ticket: SSC-0
"""


def _bundle():
    return {"channels": [
        {"id": "a", "title": "A", "verdict": "above-appetite", "residual": {"level": "high"},
         "threats": [{"id": "x@a@m", "title": "X"}]},
        {"id": "b", "title": "B", "verdict": "within-appetite", "residual": {"level": "low"}, "threats": []}]}


def test_statuses_stale_entries_and_undecided_risks():
    text = ("residual@b:\n  status: false-positive\n  date: 2026-01-02\n  justification: j\n  ticket: T\n"
            "x@a@m:\n  status: accepted\n  date: 2026-01-02\n  justification: j\n  ticket: T\n"
            "residual@z:\n  status: accepted\n  date: 2026-01-02\n  justification: j\n  ticket: T\n")
    bundle = _bundle()
    section = apply(bundle, parse_tracking(text, "t.yaml"), "t.yaml")
    assert bundle["channels"][1]["tracking"]["status"] == "false-positive"
    assert bundle["channels"][0]["threats"][0]["tracking"]["status"] == "accepted"
    assert bundle["channels"][0]["tracking"] is None
    assert section["undecided"] == ["residual@a"]  # above appetite, no decision (its threat's does not count)
    assert [s["risk"] for s in section["stale"]] == ["residual@z"]
    assert {r["id"]: (r["decision"] or {}).get("status") for r in section["risks"]} == {
        "residual@a": None, "x@a@m": "accepted", "residual@b": "false-positive"}


@pytest.mark.parametrize("old,new,where,what", [
    ("status: accepted", "status: approved", "t.yaml:2 field 'residual@utrn-keypad.status'", "expected one of accepted"),
    ("date: 2026-11-20", "date: next week", "t.yaml:3 field 'residual@utrn-keypad.date'", "expected a date"),
    ("  ticket: SSC-1\n", "", "t.yaml:2 field 'residual@utrn-keypad'", "missing field 'ticket'"),
    ("residual@utrn-keypad:", "keypad:", "t.yaml:2 field 'keypad'", "expected a risk id"),
])
def test_a_mistake_names_file_line_and_field(old, new, where, what, one_mistake):
    assert parse_tracking(TRACKING, "t.yaml")["residual@utrn-keypad"].ticket == "SSC-1"
    one_mistake(lambda text: parse_tracking(text, "t.yaml"), TRACKING, old, new, where, what)


def test_a_tracking_file_changes_the_statuses_shown_and_the_gate(tmp_path):
    track = tmp_path / "tracking.yaml"
    track.write_text(TRACKING)
    runner = CliRunner()
    base = ["assess", "--models", str(MODELS), "--examples", "0", "--no-pdf"]
    plain = runner.invoke(cli, base + ["--out", str(tmp_path / "p")])
    assert plain.exit_code == 0, plain.output
    assert "Decision tracking" not in (tmp_path / "p" / "report.md").read_text()
    r = runner.invoke(cli, base + ["--out", str(tmp_path / "t"), "--tracking", str(track)])
    assert r.exit_code == 0, r.output
    bundle = json.loads((tmp_path / "t" / "report.json").read_text())
    assert bundle["channels"][0]["tracking"]["status"] == "accepted"
    assert [s["risk"] for s in bundle["tracking"]["stale"]] == ["residual@gone-channel"]
    md = (tmp_path / "t" / "report.md").read_text()
    assert "Decision tracking" in md and "accepted" in md and "residual@gone-channel" in md
    assert "mitigated" in (tmp_path / "t" / "index.html").read_text()
    # the committee paper shows them too: the front part counts the record, the appendix lists each status
    from markupsafe import Markup

    from nowan.reports.paper import plain_text, render_paper_html

    paper = render_paper_html(bundle, {c["id"]: Markup("") for c in bundle["channels"]})
    front, appendix = paper.split('id="appendix"', 1)
    assert "The committee's decision record" in plain_text(front)
    assert "residual@gone-channel" in appendix and "accepted" in plain_text(appendix)
    assert "The committee's decision record" not in plain_text(render_paper_html(
        json.loads((tmp_path / "p" / "report.json").read_text()), {c["id"]: Markup("") for c in bundle["channels"]}))
    # the gate: utrn-keypad (medium) is above 'very-low'; accepted, it passes only with --ignore-accepted
    gate = base + ["--tracking", str(track), "--fail-on", "very-low"]
    assert runner.invoke(cli, gate + ["--out", str(tmp_path / "g1")]).exit_code == 1
    ok = runner.invoke(cli, gate + ["--out", str(tmp_path / "g2"), "--ignore-accepted"])
    assert ok.exit_code == 0, ok.output
    track.write_text(TRACKING.replace("status: accepted", "status: in-discussion", 1))
    assert runner.invoke(cli, gate + ["--out", str(tmp_path / "g3"), "--ignore-accepted"]).exit_code == 1


def test_ignore_accepted_needs_a_tracking_file(tmp_path):
    r = CliRunner().invoke(cli, ["assess", "--models", str(MODELS), "--examples", "0", "--no-pdf", "--out",
                                 str(tmp_path / "o"), "--fail-on", "high", "--ignore-accepted"])
    assert r.exit_code == 2 and "--tracking" in r.output
