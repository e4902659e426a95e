"""``nowan prove``: JSON shape of design.md, channel filter, one-line error for an unknown channel."""
from __future__ import annotations

import json

from click.testing import CliRunner

from nowan.reports.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, ["prove", *args])


def test_json_shape_and_filter() -> None:
    result = invoke("--channels", "pairing-no-timeout,mp169-flag", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["properties"]
    props = data["properties"]
    assert {p["channel"] for p in props} == {"pairing-no-timeout", "mp169-flag"}
    for p in props:
        assert {"id", "channel", "status", "seconds", "trace"} <= set(p)
    window = next(p for p in props if p["id"] == "pairing-window@pairing-no-timeout")
    assert window["status"] == "refuted" and window["trace"]["steps"][-1]["action"] == "rogue-join"


def test_text_output_lists_each_property_and_a_summary() -> None:
    result = invoke("--channels", "mp169-flag")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(l.startswith("mp169-survives-cos@mp169-flag") and "proved" in l for l in lines)
    assert lines[-1] == "4 properties: 4 proved, 0 refuted, 0 unknown"


def test_assume_changes_the_verdict() -> None:
    def status(*assume: str) -> str:
        result = invoke("--channels", "nfc", *assume, "--json")
        return {p["id"]: p for p in json.loads(result.stdout)["properties"]}["bruteforce-bound@nfc"]["status"]

    assert status("--assume", "bruteforce.max_probability=1e-4") == "proved"
    assert status("--assume", "bruteforce.max_probability=1e-4", "--assume", "lockout.covers_han=false") == "refuted"


def test_unknown_channel_is_one_line_exit_2() -> None:
    result = invoke("--channels", "bogus")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "bogus" in result.stderr


def test_a_refuted_proofs_trace_is_reproduced_by_fuzz_replay(tmp_path) -> None:
    """One trace format, one replayer: ``prove --json`` output replays with ``fuzz --replay``."""
    data = json.loads(invoke("--channels", "pairing-no-timeout,wifi-ppmid-relay", "--json").stdout)
    refuted = [p for p in data["properties"] if p["status"] == "refuted" and p["trace"]["steps"]]
    assert {"pairing-window@pairing-no-timeout", "relay-availability@wifi-ppmid-relay"} <= {p["id"] for p in refuted}
    for p in refuted:
        path = tmp_path / f"{p['id']}.json"
        path.write_text(json.dumps(p["trace"]))
        rep = CliRunner().invoke(cli, ["fuzz", "--replay", str(path)])
        assert rep.exit_code == 1, rep.output
        assert f"reproduced {p['id']} at step" in rep.output


def test_refutations_are_replayed_at_run_time_and_conformance_shown() -> None:
    result = invoke("--channels", "pairing-no-timeout", "--json", "--seed", "3")
    props = {p["id"]: p for p in json.loads(result.stdout)["properties"]}
    window = props["pairing-window@pairing-no-timeout"]
    assert window["reproduced"] is True
    assert window["conformance"]["seed"] == 3 and window["conformance"]["checked_steps"] > 0
    text = invoke("--channels", "pairing-no-timeout").stdout
    assert "replayed on the devices: reproduced" in text and "conformance: pairing[" in text


def test_a_refutation_that_does_not_replay_is_reported_so(monkeypatch) -> None:
    import nowan.reports.proof_replay as proof_replay

    monkeypatch.setattr(proof_replay, "replay", lambda trace: type("R", (), {"reproduced": False})())
    props = json.loads(invoke("--channels", "utrn-keypad", "--json").stdout)["properties"]
    assert [p["reproduced"] for p in props if p["status"] == "refuted"] == [False] * 4


def test_seed_db_keeps_the_counterexamples_a_fuzz_campaign_can_replay(tmp_path) -> None:
    """``--seed-db``: the pairing counterexample becomes a seed the next campaign finds first; a
    counterexample with no fuzz counterpart is listed with the reason, not silently skipped."""
    from hypothesis.database import DirectoryBasedExampleDatabase

    from nowan.attacks.campaign import run_harness
    from nowan.attacks.findings import WEAKNESS
    from nowan.attacks.registry import harnesses
    from nowan.model.assumptions import Assumptions

    db = tmp_path / "db"
    r = invoke("--channels", "pairing-no-timeout,utrn-keypad", "--seed-db", str(db))
    assert r.exit_code == 0, r.output
    assert "pairing-window@pairing-no-timeout: kept as a seed of pairing-no-timeout (3 fuzz steps, " \
           "rogue-join-prevented)" in r.stderr
    assert "not a seed: bruteforce-bound@utrn-keypad field 'world': the bruteforce counterexample cannot seed" \
        in r.stderr
    [h] = harnesses(["pairing-no-timeout"])
    run = run_harness(h, budget=60, seed=0, assumptions=Assumptions(), kind=WEAKNESS,
                      database=DirectoryBasedExampleDatabase(str(db)), max_rounds=0)
    assert [f.invariant for f in run.findings] == ["rogue-join-prevented"]
    bad = invoke("--channels", "pairing-no-timeout", "--seed-db", "none")
    assert bad.exit_code == 2 and "--seed-db" in bad.stderr
