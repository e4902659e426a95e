"""Family 3: guesses per year under the lockout (z3 Optimize) and the forgery bound per channel."""
from __future__ import annotations

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw
from nowan.model.channels import catalogues, load_channels
from nowan.model.channels.bruteforce import success_probability
from nowan.model.channels.evaluate import evaluate_steps
from nowan.attacks.replay import replay
from nowan.proofs import bruteforce
from nowan.proofs.applicability import families

MODELS = load_channels()
HAN = ("nfc", "wifi-ppmid-utrn")


def check(channel: str, a: Assumptions, flaws: frozenset[Flaw] = frozenset()):
    ch = MODELS[channel]
    (guess,) = families(ch).guesses
    return bruteforce.check(ch, guess, a, flaws)


def keypad(a: Assumptions) -> bruteforce.Lockout:
    ch = MODELS["utrn-keypad"]
    return bruteforce.lockout_for(ch, families(ch).guesses[0], a)


def test_optimum_is_the_better_of_the_two_periodic_moves() -> None:
    a = Assumptions()
    g, schedule = bruteforce.max_guesses(keypad(a), horizon_s=6000)
    # 4 failures per 600 s window beats 5 per 3600 s lock: 10 windows fit in 6000 s
    assert g == 40 and schedule["under_lock_bursts"] == 10 and schedule["lock_cycles"] == 0
    g_lock, _ = bruteforce.max_guesses(keypad(a.replace(**{"lockout.window_s": 3600})), horizon_s=3700)
    assert g_lock == 5  # one full lock cycle beats staying under a window that long


def test_one_number_z3_optimum_equals_the_risk_engines_closed_form() -> None:
    """At the defaults the optimum is exactly the engine's figure, and so is the probability."""
    a = Assumptions()
    ch = MODELS["utrn-keypad"]
    finding = check("utrn-keypad", a)
    engine = next(v for v in evaluate_steps(ch, a, ch.existing_controls).values()
                  if "attempts_per_year" in v.detail).detail
    assert finding.trace["evidence"]["guesses_per_year"] == engine["attempts_per_year"] == 210240
    assert finding.trace["evidence"]["probability"] == engine["probability_per_year"]
    assert "= the risk engine's closed form" in finding.detail


@pytest.mark.parametrize("attempt_s, window_s, lock_s", [(2, 600, 3600), (86400, 600, 3600), (7, 3600, 60),
                                                          (1, 10, 100000), (300, 600, 0)])
def test_closed_form_bounds_the_optimum_within_one_burst(attempt_s: float, window_s: float, lock_s: float) -> None:
    lock = bruteforce.Lockout(5, window_s, lock_s, attempt_s, True)
    g, _ = bruteforce.max_guesses(lock)
    assert bruteforce.closed_form_disagrees(lock, g) is None
    assert g <= bruteforce.closed_form(lock) < g + 5


def test_a_wrong_closed_form_is_caught_not_reported() -> None:
    """With a zero-length window the lock never triggers; the closed form undercounts and z3 says so."""
    lock = bruteforce.Lockout(5, 0, 3600, 2, True)
    g, _ = bruteforce.max_guesses(lock)
    assert "above the closed form" in (bruteforce.closed_form_disagrees(lock, g) or "")


def test_probability_is_the_models_union_bound() -> None:
    assert success_probability(1, 32) == 2.0 ** -32
    assert success_probability(0, 32) == 0.0


@pytest.mark.parametrize("channel", HAN)
def test_han_channels_exceed_the_bound_the_keypad_meets_without_han_lockout(channel: str) -> None:
    a = Assumptions({"lockout.covers_han": "false", "bruteforce.max_probability": "1e-4"})
    assert check("utrn-keypad", a).status == "proved"
    finding = check(channel, a)
    assert finding.status == "refuted"
    assert finding.trace["evidence"]["schedule"]["lockout_covers_path"] is False
    assert replay(finding.trace).reproduced


def test_keypad_bound_is_not_vacuous_lockout_off_refutes_it() -> None:
    a = Assumptions({"bruteforce.max_probability": "1e-4"})
    finding = check("utrn-keypad", a, frozenset({Flaw.LOCKOUT_OFF}))
    assert finding.status == "refuted"
    assert replay(finding.trace).reproduced


def test_default_bound_is_exceeded_even_on_the_keypad() -> None:
    """At 1e-6 a year, 5 failures / 10 min / 60 min lock allow ~2e5 guesses: P ~ 4.9e-5."""
    finding = check("utrn-keypad", Assumptions())
    assert finding.status == "refuted"
    assert finding.trace["evidence"]["guesses_per_year"] == 4 * (365 * 86400 // 600)


@pytest.mark.parametrize("channel", ["utrn-keypad", "utrn-extended", "nfc", "wifi-ppmid-utrn"])
def test_the_counterexample_schedule_is_the_attempts_a_year_the_risk_engine_scores(channel: str) -> None:
    """The refuted bound and the channel's verdict rest on one number: the counterexample's schedule
    (bursts under the lock x (f - 1) + lock cycles x f) makes the attempts a year the risk engine
    uses, and those attempts x 2^-32 x the premises reached, banded, are the scored likelihood."""
    a = Assumptions()
    ch = MODELS[channel]
    finding = check(channel, a)
    assert finding.status == "refuted"
    ev = finding.trace["evidence"]
    f = int(a["lockout.max_failures"])
    sched = ev["schedule"]
    from_schedule = sched["under_lock_bursts"] * (f - 1) + sched["lock_cycles"] * f + sched["unthrottled_guesses"]
    (guess,) = families(ch).guesses
    engine = evaluate_steps(ch, a, ch.existing_controls)[guess.step].detail
    assert from_schedule == ev["guesses_per_year"] == engine["attempts_per_year"]
    s = ev["scored"]
    assert s["attempts_per_year"] == from_schedule
    forged = from_schedule * 2.0 ** -32 * s["premises"]
    assert s["forged_a_year"] == pytest.approx(forged)
    band = next(lk for edge, lk in catalogues.scales().forged if forged < edge)
    assert s["likelihood_by_forged"] == band and s["likelihood"] == min(band, s["margin_likelihood"])
    assert s["gbp_a_year"] == pytest.approx(forged * 250, abs=0.01)
    assert f"{forged:.3g} forged UTRNs a year" in finding.detail and f"GBP {forged * 250:,.2f}" in finding.detail


def test_the_scored_figure_follows_the_proofs_lockout_flaw() -> None:
    """With the meter's lockout off (the proof's flaw) the scored forged codes are the unlocked rate's."""
    a = Assumptions({"bruteforce.max_probability": "1e-4"})
    s = check("utrn-keypad", a, frozenset({Flaw.LOCKOUT_OFF})).trace["evidence"]["scored"]
    assert s["attempts_per_year"] == pytest.approx(365 * 86400 / 4)
