"""One table-driven test per threat rule: where it applies, and what the engine makes of it."""
from __future__ import annotations

import math

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.catalogues import rules
from nowan.model.channels.evaluate import evaluate_steps

CH = load_channels()

# rule -> rows of (stable id, residual difficulty with defaults (inf = blocked), controls that block it)
TABLE: dict[str, list[tuple[str, float, set[str]]]] = {
    "replay": [("replay@utrn-keypad@meter", math.inf, {"utrn-counter-cache"}),
               ("replay@wan@meter", math.inf, {"gbcs-e2e"}),
               ("replay@smets1-utrn-gen-1@meter", math.inf, {"smets1-counter"})],
    "cross-device-replay": [("cross-device-replay@utrn-keypad@meter", math.inf, {"utrn-mac"}),
                            ("cross-device-replay@nfc@meter", math.inf, {"utrn-mac"})],
    # guessing's own difficulty is nil (its prerequisites carry the skill); its forged codes score it
    "mac-bruteforce": [("mac-bruteforce@utrn-keypad@meter", 0, set()),
                       ("mac-bruteforce@wifi-ppmid-utrn@meter", 0, set())],
    "forgery": [("forgery@utrn-keypad@meter", math.inf, {"utrn-mac"}),
                ("forgery@wifi-ppmid-relay@meter", math.inf, {"gbcs-e2e"}),
                ("forgery@usb@command-file", math.inf, {"gbcs-e2e"})],
    "credential-misuse": [("credential-misuse@utrn-keypad@supplier", 5, set()),
                          ("credential-misuse@utrn-extended@supplier-commands", 3, set())],
    "key-compromise": [("key-compromise@utrn-keypad@supplier", 6, set()),
                       ("key-compromise@pairing-no-timeout@zse-device", 2, set())],
    "remote-compromise": [("remote-compromise@wifi-ppmid-relay@ppmid", 3, set()),
                          ("remote-compromise@wifi-ppmid-utrn@ppmid", 3, set())],
    "local-exploit": [("local-exploit@usb@ppmid", 3, set()), ("local-exploit@nfc@ppmid", 3, set())],
    "rogue-join": [("rogue-join@pairing-no-timeout@hub", 2, set())],
    "withhold": [("withhold@wifi-ppmid-relay@ppmid", 1, set()), ("withhold@wifi-ppmid-utrn@ppmid", 4, set())],
    "physical-access": [("physical-access@utrn-keypad@keypad", 2, set()),
                        ("physical-access@pairing-no-timeout@hub", 3, set())],
    "flooding": [("flooding@wifi-ppmid-relay@han", 1, set()), ("flooding@wan@wan", 2, set())],
    "service-outage": [("service-outage@wan@dcc", 6, set()), ("service-outage@smets1-utrn-gen-3@generation", 5, set())],
    "data-exposure": [("data-exposure@pairing-no-timeout@han", 1, set())],
    "misconfiguration": [("misconfiguration@mp169-flag@dcc-flag", math.inf, {"responsible-supplier-only"}),
                         ("misconfiguration@mp169-flag@alert-filter", math.inf, {"alerts-exempt"}),
                         ("misconfiguration@pairing-no-timeout@hub", 1, set())],
}


def _find(stable_id: str):
    cid = stable_id.split("@")[1]
    ch = CH[cid]
    step = next(s for s in ch.steps if s.stable_id == stable_id)
    return ch, step


def test_every_rule_has_a_table():
    assert set(TABLE) == set(rules())


@pytest.mark.parametrize("rule_id", sorted(TABLE))
def test_rule(rule_id):
    rule = rules()[rule_id]
    assert rule.stride and rule.mitigation and rule.false_positive
    for stable_id, expected, blockers in TABLE[rule_id]:
        ch, step = _find(stable_id)
        assert step.rule.id == rule_id
        assert set(step.stride) <= set("STRIDE")
        v = evaluate_steps(ch, Assumptions(), ch.existing_controls)[step.id]
        assert v.difficulty == expected, (stable_id, v)
        assert set(v.blocked_by) == blockers, stable_id
        # with no controls at all the step is never blocked
        assert not evaluate_steps(ch, Assumptions(), frozenset())[step.id].blocked_by


@pytest.mark.parametrize("failures,covers_han,attempts", [
    ("5", "true", 4 / 600), ("1000000000", "true", 2), ("5", "false", 2), ("1", "true", 1 / (0.5 + 3600)),
])
def test_mac_guess_forged_codes_follow_lockout_assumptions(failures, covers_han, attempts):
    """Per premises a year: the closed form's attempts x 2^-32 (4 per 10-minute window under the lock,
    one per half second with no lock on the HAN, one per lock cycle with a one-failure lock)."""
    ch = CH["wifi-ppmid-utrn"]
    a = Assumptions({"lockout.max_failures": failures, "lockout.covers_han": covers_han})
    v = evaluate_steps(ch, a, ch.existing_controls)["guess-mac-han"]
    assert v.detail["expected_per_premises_year"] == pytest.approx(attempts * 365 * 86400 / 2**32), v.detail


def test_mac_guess_probability_is_computed_not_asserted():
    ch = CH["utrn-keypad"]
    d = evaluate_steps(ch, Assumptions(), ch.existing_controls)["guess-mac"].detail
    # (5 - 1) failures per 600 s window, a year of it, 2^-32 each
    assert d["attempts_per_year"] == pytest.approx(4 / 600 * 365 * 86400)
    assert d["probability_per_year"] == pytest.approx(4 / 600 * 365 * 86400 / 2**32)
    assert d["lockout_applies"] is True
