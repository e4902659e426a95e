"""Families 2 and 5: A-REPLAY per cell, and the SECMP0038 relay (no forgery, but withholding harms)."""
from __future__ import annotations

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw
from nowan.attacks.replay import replay
from nowan.proofs import commands, relay


@pytest.mark.parametrize("channel, relayed", [("wan", False), ("usb", True), ("wifi-ppmid-relay", True)])
def test_a_replay_is_proved_and_weakening_to_ge_finds_a_trace_that_replays(channel: str, relayed: bool) -> None:
    assert commands.check(channel, relayed=relayed).status == "proved"
    finding = commands.check(channel, frozenset({Flaw.COUNTER_EQUAL_ACCEPTED}), relayed=relayed)
    assert finding.status == "refuted"
    counters = [s["args"]["counter"] for s in finding.trace["steps"]]
    assert len(counters) != len(set(counters))
    assert replay(finding.trace).reproduced
    assert not replay({**finding.trace, "flaws": []}).reproduced


def test_relay_cannot_forge_unless_mac_and_signature_are_both_weak_and_the_forgery_replays() -> None:
    assert relay.no_forgery().status == "proved"
    assert relay.no_forgery(frozenset({Flaw.SHORT_MAC_COMPARE})).status == "proved"  # the signature still holds
    weak = frozenset({Flaw.SHORT_MAC_COMPARE, Flaw.CRITICAL_SIGNATURE_UNCHECKED})
    finding = relay.no_forgery(weak)
    assert finding.status == "refuted"
    assert finding.trace["steps"][-1]["action"] == "relay-forges"
    result = replay(finding.trace)
    assert result.reproduced, (finding.trace, result.observed)
    assert not replay({**finding.trace, "flaws": [Flaw.SHORT_MAC_COMPARE.name]}).reproduced
    assert not replay({**finding.trace, "flaws": []}).reproduced


def test_withheld_topup_disconnects_the_consumer_on_the_devices() -> None:
    finding = relay.availability(Assumptions())
    assert finding.status == "refuted"
    assert [s["action"] for s in finding.trace["steps"]] == [
        "keypad-topup", "supplier-sends-topup", "relay-withholds", "consume"]
    assert replay(finding.trace).reproduced


def test_reordering_two_critical_commands_loses_the_non_disconnect_period_on_the_devices() -> None:
    finding = relay.reorder(Assumptions())
    assert finding.status == "refuted"
    forwards = [s["args"]["issued"] for s in finding.trace["steps"] if s["action"] == "relay-forwards"]
    assert forwards == [1, 0]  # the later command first; nothing dropped, nothing forged
    result = replay(finding.trace)
    assert result.reproduced, result.detail
    refused = [o for o in result.observed if o["action"] == "relay-forwards" and not o["accepted"]]
    assert [o["reason"] for o in refused] == ["replayed-counter"]
    in_order = {**finding.trace, "steps": [{**s, "args": {"issued": i}} if s["action"] == "relay-forwards" else s
                                           for s, i in zip(finding.trace["steps"], [0, 0, 0, 0, 1, 0])]}
    assert not replay(in_order).reproduced


@pytest.mark.parametrize("channel, relayed", [("wan", False), ("usb", True)])
def test_command_floor_is_proved_and_ignoring_it_replays_an_old_counter(channel: str, relayed: bool) -> None:
    assert commands.check_floor(channel, relayed=relayed).status == "proved"
    finding = commands.check_floor(channel, frozenset({Flaw.NO_FLOOR_CHECK}), relayed=relayed)
    assert finding.status == "refuted"
    assert [s["action"] for s in finding.trace["steps"]] == ["replace-credentials", "deliver"]
    assert finding.trace["steps"][1]["args"]["counter"] <= finding.trace["steps"][0]["args"]["floor"]
    assert replay(finding.trace).reproduced
    assert not replay({**finding.trace, "flaws": []}).reproduced
