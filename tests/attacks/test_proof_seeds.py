"""A proof counterexample seeds the fuzz database: translated into the channel's fuzz steps, kept in
the example database, replayed first by the next campaign, and a finding when it still violates."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis.database import InMemoryExampleDatabase

from nowan.attacks.campaign import run_harness
from nowan.attacks.findings import WEAKNESS
from nowan.attacks.proof_seeds import SeedError, save_seed, seed_traces, to_fuzz_trace
from nowan.attacks.registry import harnesses
from nowan.model.assumptions import Assumptions
from nowan.model.traces import Step, Trace
from nowan.reports.cli import cli

TRACES = Path(__file__).parents[1] / "data" / "traces"


@pytest.fixture(scope="module")
def refuted_pairing() -> Trace:
    """The counterexample ``nowan prove`` emits today for the pairing window of SECMP0037."""
    from nowan.proofs.runner import run

    [result] = [r for r in run(["pairing-no-timeout"]) if r.id == "pairing-window@pairing-no-timeout"]
    assert result.status == "refuted" and result.trace is not None
    return Trace.from_dict(result.trace, "prove")


def _pairing_harness():
    [h] = harnesses(["pairing-no-timeout"])
    return h


def test_a_refuted_proofs_trace_seeded_is_replayed_first_and_is_the_finding(refuted_pairing: Trace) -> None:
    h = _pairing_harness()
    seed = to_fuzz_trace(refuted_pairing, h)
    assert [s.action for s in seed.steps] == ["wait", "wait", "rogue-join"]
    assert sum(s.args["seconds"] for s in seed.steps if s.action == "wait") == refuted_pairing.steps[0].args["seconds"]
    assert seed.invariant == "rogue-join-prevented" and seed.world is None

    db = InMemoryExampleDatabase()
    unseeded = run_harness(h, budget=60, seed=0, assumptions=Assumptions(), kind=WEAKNESS, database=db, max_rounds=0)
    assert unseeded.findings == []  # no round ran: only a seed can give the finding
    save_seed(db, seed)
    assert seed_traces(db, h.channel) == [seed]
    run = run_harness(h, budget=60, seed=0, assumptions=Assumptions(), kind=WEAKNESS, database=db, max_rounds=0)
    [finding] = run.findings
    assert (finding.invariant, finding.kind) == ("rogue-join-prevented", WEAKNESS)
    assert finding.trace.steps == seed.steps and "rogue device" in finding.message


def test_steps_and_properties_without_a_fuzz_counterpart_are_named_not_dropped(refuted_pairing: Trace) -> None:
    h = _pairing_harness()
    unknown = replace(refuted_pairing, steps=(*refuted_pairing.steps, Step("attacker", "jam-radio", {})))
    with pytest.raises(SeedError, match=r"steps\[2\].*'jam-radio' has no step in the pairing fuzz world"):
        to_fuzz_trace(unknown, h, "t.json")
    fractional = replace(refuted_pairing, steps=(Step("env", "advance", {"seconds": 1.5}),))
    with pytest.raises(SeedError, match=r"steps\[0\].*whole seconds"):
        to_fuzz_trace(fractional, h, "t.json")
    with pytest.raises(SeedError, match=r"field 'world'.*bruteforce counterexample cannot seed"):
        to_fuzz_trace(Trace.load(TRACES / "bruteforce.json"), h)
    relay = Trace.load(TRACES / "relay-availability.json")
    [wifi] = harnesses(["wifi-ppmid-relay"])
    with pytest.raises(SeedError, match=r"steps\[0\].*keypad-topup: the frames-ppmid-relay fuzz world has no keypad"):
        to_fuzz_trace(replace(relay, channel="wifi-ppmid-relay"), wifi, "relay.json")
    with pytest.raises(SeedError, match=r"field 'channel'.*fuzzed in 'keypad'"):
        to_fuzz_trace(refuted_pairing, harnesses(["utrn-keypad"])[0])


def test_fuzz_seed_from_keeps_the_seed_for_the_next_campaign(refuted_pairing: Trace, tmp_path: Path) -> None:
    trace = tmp_path / "pairing-window.json"
    trace.write_text(refuted_pairing.to_json())
    db, log = tmp_path / "db", tmp_path / "db.log"

    def fuzz(*extra: str):
        return CliRunner().invoke(cli, ["fuzz", "--channels", "pairing-no-timeout", "--budget", "1", "--db", str(db),
                                        "--db-log", str(log), "--out", str(tmp_path / "out"), "--json", *extra])

    first = fuzz("--seed-from", str(trace))
    assert first.exit_code == 0, first.output
    assert "kept as a seed of pairing-no-timeout (3 fuzz steps, rogue-join-prevented)" in first.stderr
    saved = [line.split()[1:] for line in log.read_text().splitlines() if line.startswith("saved")]
    log.unlink()
    second = fuzz()  # no --seed-from: the seed is in the database
    assert second.exit_code == 0, second.output
    assert any(line.split()[1:] == saved[0] for line in log.read_text().splitlines() if line.startswith("replayed"))
    [finding] = json.loads(second.stdout)["findings"]
    assert finding["invariant"] == "rogue-join-prevented"


def test_fuzz_seed_from_refuses_a_counterexample_that_cannot_seed(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["fuzz", "--channels", "utrn-keypad", "--budget", "1", "--db", str(tmp_path / "db"),
                                 "--out", str(tmp_path / "out"), "--seed-from", str(TRACES / "bruteforce.json")])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert "bruteforce.json field 'world': the bruteforce counterexample cannot seed a fuzz campaign" in r.stderr
    assert not (tmp_path / "out").exists()
    none = CliRunner().invoke(cli, ["fuzz", "--channels", "pairing-no-timeout", "--budget", "1", "--db", "none",
                                    "--out", str(tmp_path / "out"), "--seed-from", str(TRACES / "pairing.json")])
    assert none.exit_code == 2 and "--db other than none" in none.stderr


def test_a_stored_seed_that_does_not_read_or_is_too_long_is_skipped_with_a_warning(refuted_pairing: Trace) -> None:
    from nowan.attacks.proof_seeds import MAX_SEED_STEPS, SEED_KEY

    h = _pairing_harness()
    seed = to_fuzz_trace(refuted_pairing, h)
    db = InMemoryExampleDatabase()
    key = SEED_KEY + h.channel.encode()
    db.save(key, b"\xff not json")
    db.save(key, json.dumps(replace(seed, steps=seed.steps[:1] * (MAX_SEED_STEPS + 1)).to_dict()).encode())
    save_seed(db, seed)
    with pytest.warns(UserWarning) as caught:
        assert seed_traces(db, h.channel) == [seed]
    assert sorted(str(w.message).split(":")[0] for w in caught) == [
        f"skipped a seed of {h.channel} with {MAX_SEED_STEPS + 1} steps (at most {MAX_SEED_STEPS})",
        f"skipped an unreadable seed of {h.channel}"]
