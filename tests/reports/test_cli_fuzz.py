"""``nowan fuzz``: outputs, exit status, replay, and one-line user errors."""
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from nowan.reports.cli import cli
from nowan.reports.cli.fuzz import parse_budget


def _fuzz(tmp_path, *args):
    return CliRunner().invoke(cli, ["fuzz", "--out", str(tmp_path / "out"), "--db", str(tmp_path / "db"), *args])


def test_json_summary_sarif_junit_and_exit_zero_on_weakness_only(tmp_path):
    r = _fuzz(tmp_path, "--channels", "pairing-no-timeout,usb", "--budget", "3", "--seed", "0x7", "--json",
              "--sarif", str(tmp_path / "f.sarif"), "--junit", str(tmp_path / "f.xml"))
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert list(data)[:3] == ["seconds", "examples", "findings"]
    assert data["seed"] == 7 and data["examples"] > 0
    [weak] = data["findings"]
    assert (weak["channel"], weak["invariant"], weak["kind"]) == \
        ("pairing-no-timeout", "rogue-join-prevented", "channel-weakness")
    assert weak["trace"]["steps"][-1]["action"] == "rogue-join"
    assert json.loads((tmp_path / "f.sarif").read_text())["runs"][0]["results"][0]["level"] == "warning"
    assert ET.parse(tmp_path / "f.xml").getroot().get("failures") == "0"
    assert (tmp_path / "out" / "pairing-no-timeout--rogue-join-prevented.json").exists()
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == data
    assert any((tmp_path / "db").iterdir())  # the example database is a directory by default


def test_fail_on_weakness_exits_one_and_replay_reproduces(tmp_path):
    r = _fuzz(tmp_path, "--channels", "pairing-no-timeout", "--budget", "2", "--fail-on", "weakness")
    assert r.exit_code == 1
    assert "channel weakness demonstrated: rogue-join-prevented@pairing-no-timeout" in r.output
    trace = tmp_path / "out" / "pairing-no-timeout--rogue-join-prevented.json"
    rep = CliRunner().invoke(cli, ["fuzz", "--replay", str(trace)])
    assert rep.exit_code == 1
    assert "reproduced rogue-join-prevented@pairing-no-timeout at step 1/1" in rep.output


def test_replay_of_a_trace_that_no_longer_fails_exits_zero(tmp_path):
    trace = {"format": "nowan-attack-trace/1", "channel": "utrn-keypad", "invariant": "credit-once",
             "assumptions": {}, "flaws": [], "steps": [
                 {"actor": "legit", "action": "buy", "args": {"meter": "esme", "amount": 0}},
                 {"actor": "legit", "action": "enter", "args": {"index": 0}},
                 {"actor": "attacker", "action": "replay", "args": {"index": 0, "meter": "esme"}}]}
    p = tmp_path / "t.json"
    p.write_text(json.dumps(trace))
    r = CliRunner().invoke(cli, ["fuzz", "--replay", str(p)])
    assert r.exit_code == 0 and "not reproduced" in r.output
    trace["flaws"] = ["NO_DUPLICATE_CHECK"]
    p.write_text(json.dumps(trace))
    r = CliRunner().invoke(cli, ["fuzz", "--replay", str(p)])
    assert r.exit_code == 1 and "reproduced credit-once@utrn-keypad at step 3/3" in r.output


@pytest.mark.parametrize("args, where", [
    (["--budget", "soon"], "--budget"),
    (["--budget", "0"], "--budget"),
    (["--channels", "zigbee"], "--channels"),
    (["--seed", "x"], "--seed"),
    (["--db", "ftp://host"], "--db ftp://host"),
    (["--assume", "lockout.max_failures=many"], "assumption 'lockout.max_failures'"),
    (["--seeds", "."], "--keystore"),
])
def test_user_mistakes_are_one_line_and_exit_two(tmp_path, args, where):
    r = _fuzz(tmp_path, *args)
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("nowan: error: ") and where in lines[0]


def test_bad_trace_file_is_a_user_error(tmp_path):
    p = tmp_path / "t.json"
    p.write_text("{")
    r = CliRunner().invoke(cli, ["fuzz", "--replay", str(p)])
    assert r.exit_code == 2 and str(p) in r.output and "Traceback" not in r.output


def test_rtds_seeds_for_the_envelope_harness(tmp_path, data_dir):
    r = _fuzz(tmp_path, "--channels", "gbcs-envelope", "--budget", "2", "--seeds", str(data_dir / "rtds"),
              "--keystore", str(data_dir / "keystore"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["findings"] == []


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("20m", 1200), ("1h", 3600), ("0.5", 0.5)])
def test_budget_units(text, seconds):
    assert parse_budget(text) == seconds


def test_sarif_and_junit_parent_directories_are_created(tmp_path):
    sarif, junit = tmp_path / "new" / "dir" / "x.sarif", tmp_path / "other" / "x.xml"
    r = _fuzz(tmp_path, "--channels", "usb", "--budget", "1", "--sarif", str(sarif), "--junit", str(junit))
    assert r.exit_code == 0, r.output
    assert json.loads(sarif.read_text())["version"] == "2.1.0" and junit.exists()


def test_an_uncreatable_sarif_directory_is_one_line_and_exit_two(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = _fuzz(tmp_path, "--channels", "usb", "--budget", "1", "--sarif", str(blocker / "sub" / "x.sarif"))
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--sarif" in lines[0] and "Traceback" not in r.output


_GOOD_STEPS = [{"actor": "legit", "action": "buy", "args": {"meter": "esme", "amount": 0}}]


@pytest.mark.parametrize("change, where", [
    ({"flaws": ["NO_SUCH_FLAW"]}, "field 'flaws[0]'"),
    ({"flaws": ["LOCKOUT_OFF", "typo"]}, "field 'flaws[1]'"),
    ({"channel": "bluetooth"}, "field 'channel'"),
    ({"steps": _GOOD_STEPS + [{"actor": "attacker", "action": "teleport", "args": {}}]}, "steps[1]"),
    ({"steps": [{"actor": "legit", "action": "buy", "args": {"meter": "esme"}}]}, "steps[0]"),
    ({"steps": [{"actor": "legit", "action": "buy", "args": {"meter": "moon", "amount": 0}}]}, "steps[0]"),
    ({"steps": [{"actor": "attacker", "action": "buy", "args": {"meter": "esme", "amount": 0}}]}, "steps[0]"),
    ({"channel": "gbcs-envelope", "steps": [{"actor": "attacker", "action": "mutate",
                                             "args": {"seed": "CS14_alert", "frame": "zz"}}]},
     "steps[0] field 'frame'"),
    ({"channel": "gbcs-envelope", "steps": [{"actor": "attacker", "action": "mutate",
                                             "args": {"seed": "ECS01b.HEX", "frame": "dd"}}]},
     "steps[0] field 'seed'"),
])
def test_a_bad_trace_is_one_line_naming_the_field_and_exit_two(tmp_path, change, where):
    trace = {"format": "nowan-attack-trace/1", "channel": "utrn-keypad", "invariant": "credit-once",
             "assumptions": {}, "flaws": [], "steps": _GOOD_STEPS, **change}
    p = tmp_path / "t.json"
    p.write_text(json.dumps(trace))
    r = CliRunner().invoke(cli, ["fuzz", "--replay", str(p)])
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("nowan: error: ") and f"{p} {where}" in lines[0], lines
    assert "--channels" not in lines[0]
