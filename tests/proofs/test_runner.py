"""The runner: stable ids, channel filter, deterministic traces, every refuted trace replays."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.types import MacGuess
from nowan.model.errors import InputError
from nowan.attacks.replay import replay
from nowan.proofs import run


@pytest.fixture(scope="module")
def results():
    return run()


def test_ids_are_unique_sorted_by_channel_and_statuses_known(results) -> None:
    ids = [r.id for r in results]
    assert len(ids) == len(set(ids))
    order = [(r.channel, r.id) for r in results]
    assert order == sorted(order)
    assert {r.status for r in results} <= {"proved", "refuted", "unknown"}
    assert all(r.id.endswith("@" + r.channel) for r in results)


def test_no_property_is_unknown_at_the_defaults(results) -> None:
    assert [r.id for r in results if r.status == "unknown"] == []


def test_every_refuted_trace_replays_on_the_devices(results) -> None:
    refuted = [r for r in results if r.status == "refuted"]
    assert refuted
    for r in refuted:
        assert r.trace is not None
        assert replay(r.trace).reproduced, r.id


def test_traces_are_deterministic_and_json(results) -> None:
    again = run()
    strip = lambda rs: json.dumps([{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in rs])  # noqa: E731
    assert strip(results) == strip(again)


def test_channel_filter_and_unknown_channel() -> None:
    only = run(["mp169-flag"])
    assert {r.channel for r in only} == {"mp169-flag"}
    with pytest.raises(InputError, match=r"channel 'no-such-channel': unknown channel; expected one of .*utrn-keypad"):
        run(["no-such-channel"])


def test_expected_verdicts(results) -> None:
    status = {r.id: r.status for r in results}
    assert status["utrn-anti-replay@utrn-keypad"] == "proved"
    assert status["pairing-window@pairing-no-timeout"] == "refuted"
    assert "pairing-window@nfc" not in status  # the nfc model has no rogue-join step
    assert status["relay-no-forgery@wifi-ppmid-relay"] == "proved"
    assert status["relay-availability@wifi-ppmid-relay"] == "refuted"
    assert status["relay-reorder@wifi-ppmid-relay"] == "refuted"
    assert status["command-anti-replay@wan"] == "proved"
    assert status["command-floor@wifi-ppmid-relay"] == "proved"
    assert status["utrn-availability.wrap@utrn-keypad"] == "refuted"  # above-min is the default


def test_families_follow_the_channel_models(results) -> None:
    ids = {r.id for r in results}
    assert "command-anti-replay@usb" in ids and "bruteforce-bound@usb" not in ids
    assert "bruteforce-bound@wan" not in ids  # no mac-guess step in the wan model
    assert "bruteforce-bound@nfc" in ids and "utrn-anti-replay@nfc" in ids
    assert not any(i.endswith("@smets1-utrn-gen-1") and not i.startswith("best-control-set") for i in ids)


def test_given_channel_objects_are_used_as_given_not_reloaded() -> None:
    """A caller's model (another directory, a new id) drives the proofs: no reload, no error."""
    keypad = load_channels(["utrn-keypad"])["utrn-keypad"]
    slow = replace(keypad, id="my-keypad", steps=tuple(
        replace(s, difficulty=replace(s.difficulty, attempt_s=86400)) if isinstance(s.difficulty, MacGuess) else s
        for s in keypad.steps))
    a = Assumptions({"bruteforce.max_probability": "1e-4"})
    by_id = {r.id: r for r in run({"my-keypad": slow, "utrn-keypad": keypad}, a)}
    assert [r.channel for r in run({"utrn-keypad": keypad, "my-keypad": slow}, a)][0] == "my-keypad"  # sorted
    assert by_id["bruteforce-bound@my-keypad"].detail.startswith("364 guesses a year")  # one a day, in whole 4-guess bursts
    assert by_id["utrn-anti-replay@my-keypad"].status == "proved"
    assert by_id["bruteforce-bound@utrn-keypad"].status == "proved"  # 2.1e5 * 2^-32 < 1e-4


def test_ids_list_still_accepted() -> None:
    assert {r.channel for r in run(["wan"])} == {"wan"}


def test_every_property_carries_conformance_evidence() -> None:
    results = run(["utrn-keypad"])
    cell = next(r for r in results if r.property == "utrn-anti-replay")
    assert cell.status == "proved"
    assert cell.conformance["status"] == "conforms" and cell.conformance["checked_steps"] > 0
    control = next(r for r in run(["smets1-utrn-gen-3"]) if r.property == "best-control-set")
    assert control.conformance["status"] == "not-applicable" and control.conformance["reason"]


def test_a_code_mutant_stops_the_proof_being_reported_proved(monkeypatch) -> None:
    from nowan.model.devices.utrn_cache import UtrnCounterCache

    original = UtrnCounterCache.check
    monkeypatch.setattr(UtrnCounterCache, "check",
                        lambda self, upper, duplicate_check=True, floor_check=True:
                        original(self, upper, duplicate_check=False, floor_check=floor_check))
    results = {r.property: r for r in run(["utrn-keypad"])}
    replay_proof = results["utrn-anti-replay"]
    assert replay_proof.status == "unknown"
    assert replay_proof.detail.startswith("model does not conform to the code: step ")
    assert replay_proof.conformance["status"] == "diverges"


def test_counter_rebuild_results_only_where_a_path_carries_the_truncated_bits(results) -> None:
    """Keypad and HAN UTRNs carry 10 bits of the counter, which the meter rebuilds; CS01a/b frames
    (WAN, USB, the relay) carry it whole, so those channels get no availability results of their own.
    The wrap result is labelled as a consequence of the assumed reconstruction, not of GBCS."""
    ids = {r.id: r for r in results}
    for cid in ("utrn-keypad", "wifi-ppmid-utrn", "nfc", "utrn-extended"):
        assert f"utrn-availability.wrap@{cid}" in ids, cid
    for cid in ("wan", "usb", "wifi-ppmid-relay"):
        assert not any(i.startswith("utrn-availability") and i.endswith(f"@{cid}") for i in ids), cid
    wrap = ids["utrn-availability.wrap@utrn-keypad"]
    assert "consequence of the assumed reconstruction utrn.reconstruction=above-min" in wrap.detail
    assert "not of GBCS" in wrap.detail
