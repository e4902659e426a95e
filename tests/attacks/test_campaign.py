"""The campaign runner: budgets, its own settings, example databases, findings and their replay."""
import os
from dataclasses import replace

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase, MultiplexedDatabase

from nowan.attacks.campaign import (PROFILE, PROFILE_CI, campaign_settings, open_database, round_seed, run_campaign, run_examples,
                              run_harness)
from nowan.attacks.findings import IMPLEMENTATION, WEAKNESS
from nowan.attacks.registry import channel_ids, harnesses
from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw
from nowan.model.errors import InputError

REQUIRED = {"utrn-keypad", "utrn-extended", "wifi-ppmid-relay", "wifi-ppmid-utrn", "nfc", "usb",
            "pairing-no-timeout", "wan", "mp169-flag"}


def test_every_required_channel_has_a_harness():
    assert REQUIRED <= set(channel_ids())
    assert "gbcs-envelope" in channel_ids()


def test_unknown_channel_is_a_user_error():
    with pytest.raises(InputError, match="'bluetooth': unknown channel; expected one of hub-forwarding, mp169-flag, nfc"):
        harnesses(["bluetooth"])


def test_campaign_settings_ignore_the_globally_loaded_ci_profile(tmp_path):
    db = DirectoryBasedExampleDatabase(str(tmp_path))
    settings.load_profile("ci")  # derandomised, no database: what Hypothesis does when CI is set
    try:
        s = campaign_settings(db, ci=True, max_examples=7)
    finally:
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
    assert s.database is db and s.derandomize is False and s.max_examples == 7
    assert settings.get_profile(PROFILE).derandomize is False
    assert settings.get_profile(PROFILE_CI).derandomize is False


def test_round_seeds_depend_only_on_the_campaign_seed():
    assert round_seed(1, "wan", IMPLEMENTATION, 0) == round_seed(1, "wan", IMPLEMENTATION, 0)
    assert round_seed(1, "wan", IMPLEMENTATION, 0) != round_seed(2, "wan", IMPLEMENTATION, 0)


@pytest.mark.parametrize("spec, kind", [(None, DirectoryBasedExampleDatabase), ("none", type(None)),
                                        ("github://owner/repo", MultiplexedDatabase)])
def test_database_specs(tmp_path, monkeypatch, spec, kind):
    monkeypatch.chdir(tmp_path)
    assert isinstance(open_database(spec), kind)


@pytest.mark.parametrize("spec, message", [("ftp://x", "expected a directory, none"),
                                           ("github://owner", "expected github://OWNER/REPO")])
def test_bad_database_specs_are_user_errors(spec, message):
    with pytest.raises(InputError, match=message):
        open_database(spec)


def test_a_file_is_not_a_database_directory(tmp_path):
    f = tmp_path / "db"
    f.write_text("x")
    with pytest.raises(InputError, match="found a file"):
        open_database(str(f))


def test_faithful_model_gives_no_implementation_finding_on_any_channel():
    # example-bounded, not time-boxed: the same examples however loaded the machine is
    result = run_examples(harnesses(), examples=15, seed=3)
    assert [f.rule_id for f in result.implementation_findings()] == []
    assert {r.channel for r in result.runs} == set(channel_ids()) and all(r.examples for r in result.runs)


def test_example_bounded_campaign_is_reproducible():
    a = run_examples(harnesses(["wifi-ppmid-relay", "utrn-keypad"]), examples=10, seed=5)
    b = run_examples(harnesses(["wifi-ppmid-relay", "utrn-keypad"]), examples=10, seed=5)
    assert [r.to_dict() | {"seconds": 0} for r in a.runs] == [r.to_dict() | {"seconds": 0} for r in b.runs]
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]


@pytest.mark.parametrize("channel, invariant, attack", [
    ("pairing-no-timeout", "rogue-join-prevented", "rogue-join"),
    ("wifi-ppmid-relay", "topup-delivered", "drop"),
    ("wifi-ppmid-utrn", "topup-delivered", "withhold"),
])
def test_expected_channel_weaknesses_on_the_faithful_model(channel, invariant, attack):
    """Evidence, not bugs: the relay can withhold a top-up; without the window a rogue joins.

    Each trace holds the attacker step that did it: legitimate parties deliver everything eventually.
    """
    [h] = harnesses([channel])
    run = run_harness(h, budget=60, seed=0, assumptions=Assumptions(), kind=WEAKNESS, stop_on_first=True)
    [f] = run.findings
    assert (f.invariant, f.kind) == (invariant, WEAKNESS)
    assert attack in [s.action for s in f.trace.steps if s.actor == "attacker"]
    assert len(f.trace.steps) <= 4  # minimised by replay (time may pass by a wait or by waiting out lockouts)


def test_a_finding_is_a_minimal_trace_that_replays_and_only_with_the_flaw(tmp_path):
    [h] = harnesses(["utrn-keypad"])
    run = run_harness(h, budget=60, seed=1, assumptions=Assumptions(), flaws={Flaw.NO_FLOOR_CHECK}, database=None,
                      stop_on_first=True)
    [f] = run.findings
    assert f.kind == IMPLEMENTATION and f.invariant in ("floor-respected", "credit-once")
    assert len(f.trace.steps) <= 4 and f.trace.flaws == ("NO_FLOOR_CHECK",)
    f.trace.save(tmp_path / "f.json")
    from nowan.model.traces import Trace

    back = Trace.load(tmp_path / "f.json")
    assert h.replay(back)[0] == f.invariant
    assert h.replay(replace(back, flaws=())) is None


def test_the_database_replays_a_saved_failure_first(tmp_path):
    db = DirectoryBasedExampleDatabase(str(tmp_path))
    [h] = harnesses(["wan"])
    kw = dict(budget=60, assumptions=Assumptions(), flaws={Flaw.CRITICAL_SIGNATURE_UNCHECKED}, database=db,
              stop_on_first=True)
    first = run_harness(h, seed=5, **kw)
    assert first.findings and list(tmp_path.iterdir())
    again = run_harness(h, seed=99, **kw)
    assert again.findings[0].trace.steps == first.findings[0].trace.steps
    assert again.rounds == 1


def test_weakness_assumption_turns_han_brute_force_into_evidence():
    [h] = harnesses(["wifi-ppmid-utrn"])
    # generous: the campaign stops as soon as both weaknesses are found (a few seconds)
    result = run_campaign([h], budget=120, seed=2, assumptions=Assumptions({"lockout.covers_han": "false"}),
                          database=None, weakness_share=1.0)
    assert result.implementation_findings() == []
    assert {f.invariant for f in result.findings} == {"han-guess-rate-bounded", "topup-delivered"}
    assert all(f.kind == WEAKNESS for f in result.findings)


def test_a_finding_message_describes_its_saved_minimal_trace():
    """After minimising, the message comes from replaying the saved trace (amounts, times in it)."""
    [h] = harnesses(["wifi-ppmid-utrn"])
    run = run_harness(h, budget=60, seed=0, assumptions=Assumptions(), kind=WEAKNESS, stop_on_first=True)
    [f] = run.findings
    assert h.replay(f.trace)[:2] == (f.invariant, f.message)


@pytest.mark.parametrize("channel", ["wifi-ppmid-utrn", "wifi-ppmid-relay", "nfc", "pairing-no-timeout"])
def test_every_weakness_trace_in_a_report_replays_from_its_saved_form(channel, tmp_path):
    """A saved finding must pass --replay's validation and reproduce (no minimiser-made arguments)."""
    from nowan.model.traces import Trace

    [h] = harnesses([channel])
    result = run_examples([h], examples=40, seed=0)
    assert result.findings, channel
    for f in result.findings:
        f.trace.save(tmp_path / "t.json")
        back = Trace.load(tmp_path / "t.json")
        h.check_trace(back)
        assert h.replay(back)[0] == f.invariant


def test_several_databases_are_read_and_written_together(tmp_path):
    from nowan.attacks.campaign import open_databases

    both = open_databases([str(tmp_path / "a"), str(tmp_path / "b")])
    assert isinstance(both, MultiplexedDatabase)
    both.save(b"k", b"v")
    assert list(open_database(str(tmp_path / "a")).fetch(b"k")) == [b"v"]
    assert list(open_database(str(tmp_path / "b")).fetch(b"k")) == [b"v"]
    with pytest.raises(InputError, match="'none' cannot be combined"):
        open_databases(["none", str(tmp_path / "a")])


def test_the_reporting_database_reports_after_the_backend_acts(tmp_path):
    from nowan.attacks.campaign import ReportingDatabase

    inner = open_database(str(tmp_path / "db"))
    events = []
    db = ReportingDatabase(inner, lambda e, k, v: events.append((e, k, v, list(inner.fetch(k)))))
    db.save(b"k", b"v")
    db.move(b"k", b"k2", b"v")
    assert list(db.fetch(b"k2")) == [b"v"]
    db.delete(b"k2", b"v")
    assert [(e, k) for e, k, _, _ in events] == [("saved", b"k"), ("deleted", b"k"), ("saved", b"k2"),
                                               ("replayed", b"k2"), ("deleted", b"k2")]
    assert events[0][3] == [b"v"] and events[-1][3] == []  # the backend held the save before it was reported


def test_an_unreachable_redis_server_is_a_user_error():
    pytest.importorskip("redis", reason="the redis client is in the test extra")
    with pytest.raises(InputError, match="cannot reach the Redis server"):
        open_database("redis://127.0.0.1:1/0")


def test_redis_database_round_trip(redis_url):
    db = open_database(redis_url)
    db.save(b"key", b"value")
    assert list(open_database(redis_url).fetch(b"key")) == [b"value"]


def _explored(monkeypatch):
    """Every step sequence the channel machines run, in order (one list per campaign)."""
    from nowan.attacks.harness import ChannelMachine

    seen: list[tuple] = []
    monkeypatch.setattr(ChannelMachine, "teardown", lambda self: seen.append(tuple(self.steps)), raising=False)
    return seen


def test_a_seed_fixes_the_examples_whatever_the_machine_speed(monkeypatch):
    """Rounds are sized by examples; the clock only decides, between rounds, how many run."""
    import itertools

    seen = _explored(monkeypatch)
    [h] = harnesses(["utrn-keypad"])
    runs = []
    for tick, budget in ((0.001, 1e9), (10.0, 1e9), (10.0, 25.0)):
        seen.clear()
        clock = itertools.count(0.0, tick)
        run_harness(h, budget=budget, seed=4, assumptions=Assumptions(), max_rounds=4,
                    clock=lambda: next(clock))
        runs.append(list(seen))
    fast, slow, short = runs
    assert fast and fast == slow
    assert short and short == fast[:len(short)] and len(short) < len(fast)  # a prefix, cut between rounds


def test_the_faithful_campaign_over_every_channel_is_clean_and_repeats_its_examples(monkeypatch):
    seen = _explored(monkeypatch)
    first = run_examples(harnesses(), examples=6, seed=11)
    explored = list(seen)
    seen.clear()
    second = run_examples(harnesses(), examples=6, seed=11)
    assert first.implementation_findings() == [] and explored and explored == seen
    assert [f.to_dict() for f in first.findings] == [f.to_dict() for f in second.findings]


def test_the_examples_do_not_depend_on_what_the_process_imported_before(monkeypatch, tmp_path):
    """Hypothesis mines literals from the local modules imported so far; a campaign pins that pool
    to the code under test, so importing a module between two runs (assess imports its renderers
    after fuzzing; xdist decides what a worker imported before) changes nothing."""
    seen = _explored(monkeypatch)
    run_examples(harnesses(["wifi-ppmid-utrn", "usb"]), examples=6, seed=2)
    before = list(seen)
    seen.clear()
    literals = ", ".join(str(n) for n in (3, 90000, 3600, 4294967295, 17, 500, 1149, 732, 12345))
    (tmp_path / "nowan_literals_probe.py").write_text(f"LITERALS = ({literals}, 'esme', 'gsme', b'\\x00')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("nowan_literals_probe")
    run_examples(harnesses(["wifi-ppmid-utrn", "usb"]), examples=6, seed=2)
    assert before and before == seen
