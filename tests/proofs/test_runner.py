"""The runner: stable ids, channel filter, deterministic traces, every refuted trace replays."""
from __future__ import annotations

import json

import pytest

from model.errors import InputError
from proofs import CHANNELS, replay, run


@pytest.fixture(scope="module")
def results():
    return run()


def test_ids_are_unique_sorted_by_channel_and_statuses_known(results) -> None:
    ids = [r.id for r in results]
    assert len(ids) == len(set(ids))
    order = [CHANNELS.index(r.channel) for r in results]
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
    with pytest.raises(InputError, match="--channels"):
        run(["no-such-channel"])


def test_expected_verdicts(results) -> None:
    status = {r.id: r.status for r in results}
    assert status["utrn-anti-replay@utrn-keypad"] == "proved"
    assert status["pairing-window@pairing-no-timeout"] == "refuted"
    assert status["pairing-window@nfc"] == "proved"
    assert status["relay-no-forgery@wifi-ppmid-relay"] == "proved"
    assert status["relay-availability@wifi-ppmid-relay"] == "refuted"
    assert status["command-anti-replay@wan"] == "proved"
