"""``nowan risk``: table, --json shape, what-ifs with --control and --assume, one-line errors."""
from __future__ import annotations

import json

from click.testing import CliRunner

from nowan.reports.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def verdicts(out: str) -> dict[str, str]:
    return {c["id"]: c["verdict"] for c in json.loads(out)["channels"]}


def test_json_shape():
    r = run("risk", "--json", "--channels", "utrn-keypad,wan")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["appetite"] == "medium"
    assert data["assumptions"]["lockout.max_failures"]["label"] == "A-LOCKOUT"
    assert [c["id"] for c in data["channels"]] == ["utrn-keypad", "wan"]
    entry = data["channels"][0]
    for key in ("inherent", "residual"):
        assert set(entry[key]) >= {"likelihood", "impact", "level"}
    assert entry["verdict"] in ("within-appetite", "above-appetite")
    assert entry["commands_within_appetite"] == ["top-up"]
    assert entry["threats"][0]["id"] == "replay@utrn-keypad@meter"


def test_control_what_if_moves_the_verdict():
    base = verdicts(run("risk", "--json", "--channels", "utrn-extended").output)
    fixed = verdicts(run("risk", "--json", "--channels", "utrn-extended", "--control", "+dual-authorisation").output)
    assert base["utrn-extended"] == "above-appetite" and fixed["utrn-extended"] == "within-appetite"


def test_assume_what_if_moves_the_verdict():
    out = run("risk", "--json", "--channels", "utrn-keypad", "--assume", "nowan.share=0.5").output
    assert verdicts(out)["utrn-keypad"] == "above-appetite"


def test_removing_a_control_moves_the_verdict():
    out = run("risk", "--json", "--channels", "utrn-keypad", "--control", "-utrn-counter-cache").output
    assert verdicts(out)["utrn-keypad"] == "above-appetite"


def test_table_lists_every_channel_and_the_command_matrix():
    r = run("risk")
    assert r.exit_code == 0
    for cid in ("utrn-keypad", "pairing-no-timeout", "smets1-utrn-gen-3"):
        assert cid in r.output
    assert "Command x channel" in r.output and "change-price" in r.output


def test_bad_control_and_assumption_are_one_line_exit_2():
    for args in (["--control", "+nope"], ["--control", "A-60MIN"], ["--assume", "nope=1"],
                 ["--assume", "lockout.max_failures=many"], ["--channels", "nope"]):
        r = run("risk", *args)
        assert r.exit_code == 2, args
        assert r.output.count("\n") == 1 and "Traceback" not in r.output, r.output


def test_help_points_at_the_methodology_not_a_missing_design_document():
    for sub in ("risk", "graph"):
        r = run(sub, "--help")
        assert r.exit_code == 0, r.output
        assert "design.md" not in r.output
    assert "docs/methodology.md" in run("risk", "--help").output


def test_an_assumption_with_no_effect_is_one_stderr_line_not_an_error():
    r = run("risk", "--json", "--channels", "pairing-no-timeout", "--assume", "pairing.window_s=inf")
    assert r.exit_code == 0
    json.loads(r.stdout)
    assert r.stderr.count("\n") == 1
    assert "--assume pairing.window_s=inf has no effect" in r.stderr and "--control +A-60MIN" in r.stderr


def test_an_assumption_that_moves_a_result_gets_no_note():
    with_control = run("risk", "--json", "--channels", "pairing-no-timeout", "--control", "+A-60MIN",
                       "--assume", "pairing.window_s=inf")
    assert with_control.stderr == ""
    kept = run("risk", "--json", "--channels", "pairing-no-timeout", "--control", "+A-60MIN")
    assert json.loads(with_control.stdout) != json.loads(kept.stdout)   # the window's length moved it
    moved = run("risk", "--json", "--channels", "utrn-keypad", "--assume", "lockout.max_failures=1000000000")
    assert moved.stderr == ""


def _window_kept(window: str, *more: str) -> dict:
    r = run("risk", "--json", "--channels", "pairing-no-timeout", "--control", "+A-60MIN",
            "--assume", f"pairing.window_s={window}", *more)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["channels"][0]


def test_a_day_long_window_scores_higher_than_60_minutes():
    """Issue 10: the window's length counts, not only whether there is one."""
    hour, day = _window_kept("3600"), _window_kept("86400")
    assert day["residual"]["difficulty"] < hour["residual"]["difficulty"] == 3   # easier to reach
    weak = ["--assume", "calibration.attacker.organised-fraud.count=5000"] + [
        x for a in ("state-actor", "organised-fraud", "rogue-installer")
        for x in ("--assume", f"calibration.attacker.{a}.capability=2")]
    hour, day = _window_kept("3600", *weak), _window_kept("86400", *weak)
    assert (hour["residual"]["level"], day["residual"]["level"]) == ("medium", "high")
    assert (hour["verdict"], day["verdict"]) == ("within-appetite", "above-appetite")


def test_a_default_value_override_is_noted_as_the_default():
    r = run("risk", "--json", "--channels", "utrn-keypad", "--assume", "nowan.share=0.007")
    assert r.exit_code == 0 and "it is the default value" in r.stderr
