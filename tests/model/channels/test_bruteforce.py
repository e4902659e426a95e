"""MAC guessing is scored by the expected forged UTRNs a year across the premises an attack reaches.

The old engine banded the per-meter yearly probability, as a multiple of
``bruteforce.max_probability``, into a step difficulty: the premises an attack reaches and the number
of forged codes did not enter the likelihood, and the SSC tolerance did. These tests fail on it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nowan.model.assumptions import Assumptions
from nowan.model.channels import bruteforce, catalogues, load_channels
from nowan.model.channels.evaluate import enabled_from_delta
from nowan.model.channels.inputs import inputs
from nowan.model.channels.risk import evaluate, residual_rank, score

CH = load_channels()
GUESSING = {"utrn-keypad": "guess-mac", "utrn-extended": "guess-mac", "nfc": "guess-mac-nfc",
            "wifi-ppmid-utrn": "guess-mac-han"}
RISK_YAML = Path(catalogues.__file__).parents[1] / "data" / "risk.yaml"


def forged(cid: str, a: Assumptions, delta: tuple[str, ...] = (), scale: str = "repeated") -> dict:
    """The likelihood trace of the guessed-credit goal's reach at ``scale`` by the organised group."""
    ch = CH[cid]
    ev = evaluate(ch, a, enabled_from_delta(ch, delta))
    lk = [lk for (g, lk, _), (who, sc) in zip(ev.pairs, ev.origins)
          if g == "guessed-credit" and who == "organised-fraud" and sc == scale]
    return {"likelihood": max(lk), "step": ev.steps[GUESSING[cid]].detail}


def trace_item(cid: str, a: Assumptions = Assumptions()) -> dict:
    goal = score(CH[cid], a).residual_eval.goals["guessed-credit"]
    return next(t for t in goal.trace if t["what"] == "likelihood")["forged_codes"]


def test_doubling_the_attempts_a_year_raises_the_likelihood_through_forged_codes() -> None:
    """Without the lockout a key-presser's speed sets the attempts: halving bruteforce.keypad_attempt_s
    doubles them, and three attackers' 36 premises a year cross 0.1 forged codes a year (3 -> 4)."""
    base = Assumptions({"calibration.attacker.organised-fraud.count": "3"})
    fast = base.replace(**{"bruteforce.keypad_attempt_s": "2"})
    slow, quick = forged("utrn-keypad", base, ("-lockout",)), forged("utrn-keypad", fast, ("-lockout",))
    assert quick["step"]["attempts_per_year"] == pytest.approx(2 * slow["step"]["attempts_per_year"])
    per = slow["step"]["expected_per_premises_year"]
    assert 36 * per < 0.1 <= 36 * 2 * per
    assert (slow["likelihood"], quick["likelihood"]) == (3, 4)


def test_more_premises_reached_raises_the_likelihood() -> None:
    """Under the lockout, 100 attackers x 12 premises forge about 0.06 UTRNs a year (possible);
    10,000 attackers reach every exposed premises, about 1.3 a year (capped by the rig's margin: 4)."""
    few = forged("utrn-keypad", Assumptions())
    many = forged("utrn-keypad", Assumptions({"calibration.attacker.organised-fraud.count": "10000"}))
    assert (few["likelihood"], many["likelihood"]) == (3, 4)
    assert trace_item("utrn-keypad")["premises"] == 1200
    assert trace_item("utrn-keypad", Assumptions({"calibration.attacker.organised-fraud.count": "10000"}))["premises"] == pytest.approx(26250)


def test_one_premises_guessed_alone_is_rare() -> None:
    """A presence step reaches one premises: 4.9e-5 forged codes a year there, rare (it was 2)."""
    assert forged("utrn-keypad", Assumptions(), scale="premises")["likelihood"] == 1


@pytest.mark.parametrize("cid", sorted(set(GUESSING) - {"wifi-ppmid-utrn"}))
def test_crossing_a_band_edge_moves_the_likelihood(cid: str) -> None:
    """The bands are data with ranges: the 0.1 edge moved below a channel's 0.059 codes a year raises
    that reach from possible to likely, through the same override the robustness sweeps use."""
    t = trace_item(cid)
    assert 0.01 <= t["forged_a_year"] < 0.1 and t["likelihood"] == 3
    moved = forged(cid, Assumptions({"calibration.forged.2": "0.05"}))
    assert moved["likelihood"] == 4 > forged(cid, Assumptions())["likelihood"]


def test_the_band_edges_are_calibrations_with_ranges() -> None:
    known = inputs(CH.values())
    edges = [known[f"calibration.forged.{i}"] for i in range(4)]
    assert [e.default for e in edges] == [0.001, 0.01, 0.1, 1]
    for e in edges:
        assert e.kind == "calibration" and e.range.calibration and e.range.lo < e.default < e.range.hi
        assert "risk.yaml" in e.range.where


def test_the_old_probability_ratio_banding_is_gone() -> None:
    """The SSC tolerance decides the z3 bound, never the score: no level or likelihood of any channel
    moves with bruteforce.max_probability, and risk.yaml has no difficulty table for it."""
    data = yaml.safe_load(RISK_YAML.read_text())
    assert "bruteforce_difficulty" not in data and not hasattr(catalogues.scales(), "bruteforce")
    for lax in ("1e-8", "0.5"):
        a = Assumptions({"bruteforce.max_probability": lax})
        for cid in GUESSING:
            assert evaluate(CH[cid], a).pairs == evaluate(CH[cid]).pairs, (cid, lax)
            assert residual_rank(CH[cid], a) == residual_rank(CH[cid], Assumptions())


def test_the_trace_states_the_bound_beside_the_forged_codes() -> None:
    t = trace_item("utrn-keypad")
    assert t["bound"]["exceeded"] is True and t["bound"]["max_probability"] == 1e-6
    assert t["bound"]["probability_per_meter_year"] == pytest.approx(210240 / 2**32)
    assert t["forged_a_year"] == pytest.approx(1200 * 210240 / 2**32)
    within = trace_item("utrn-keypad", Assumptions({"bruteforce.max_probability": "1e-4"}))
    assert within["bound"]["exceeded"] is False and within["forged_a_year"] == t["forged_a_year"]


def test_the_closed_form_is_one_function() -> None:
    assert bruteforce.expected_successes(2.0 ** 32, 32) == 1.0
    assert bruteforce.success_probability(2.0 ** 33, 32) == 1.0       # the bound's union bound, capped
    assert bruteforce.expected_successes(2.0 ** 33, 32) == 2.0        # the expectation is not
    assert bruteforce.forged_a_year(0.5, 0) == 0.0 and bruteforce.forged_a_year(0.5, 4) == 2.0


def test_guessing_through_compromised_ppmids_counts_one_suppliers_premises() -> None:
    """A step that scales (the PPMID cloud) reaches one Supplier's share: 6,562.5 premises x 4.9e-5 =
    0.32 forged UTRNs a year (likely by the band), possible after the compromise's margin."""
    ev = evaluate(CH["wifi-ppmid-utrn"])
    lk = {who: lk for (g, lk, _), (who, sc) in zip(ev.pairs, ev.origins)
          if g == "guessed-credit" and sc == "fleet"}
    assert lk == {"remote-internet": 3, "organised-fraud": 3}
    per = ev.steps["guess-mac-han"].detail["expected_per_premises_year"]
    assert 0.1 <= 26250 * 0.25 * per < 1


def test_where_the_margin_binds_the_band_does_not_raise_the_likelihood() -> None:
    """wifi-ppmid-utrn's repeated attackers reach more premises (about 0.32 forged codes a year, the
    'likely' band), but the guessing attacker's margin caps the path at possible: the lower of the two."""
    t = trace_item("wifi-ppmid-utrn")
    assert 0.1 <= t["forged_a_year"] < 1 and t["likelihood"] == 4
    assert forged("wifi-ppmid-utrn", Assumptions())["likelihood"] == 3
    assert forged("wifi-ppmid-utrn", Assumptions({"calibration.forged.3": "0.2"}))["likelihood"] == 3
