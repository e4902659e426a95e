"""Decision pages: recommendations computed from channel results, never written by hand."""
from __future__ import annotations

from typing import Any

import pytest

from nowan.model.modifications import Modification, Position
from nowan.reports.decisions import CANNOT, CONDITIONS, SUPPORT, decide


def _entry(cid: str, level: str, best: dict[str, Any] | None = None, robustness: dict | None = None) -> dict:
    verdict = "within-appetite" if level in ("very-low", "low", "medium") else "above-appetite"
    e = {"id": cid, "title": f"channel {cid}", "verdict": verdict, "residual": {"level": level, "path": [f"s@{cid}@x"]},
         "controls": [{"id": "ctl", "title": "A stronger lock"}, {"id": "REV", "title": "Keep the old rule"}],
         "best_controls": best or ({"status": "not-needed"} if verdict == "within-appetite" else
                                   {"status": "none-within-budget", "detail": "no set"}),
         "proofs": [{"id": f"p@{cid}", "status": "refuted"}],
         "fuzz": {"findings": [{"invariant": "inv", "channel": cid, "kind": "channel-weakness"}]}}
    if robustness is not None:
        e["robustness"] = robustness
    return e


def _mod(channels=("a",), combine="all", stance="cannot-support", reversed_by=()) -> Modification:
    return Modification(id="m", title="M", proposal="p", source="seed 000", channels=tuple(channels),
                        combine=combine, owner="The owner", reversed_by=tuple(reversed_by),
                        reversal="keep the old rule", positions=(Position("SSC", stance, "q", "seed 002 line 1"),))


FOUND = {"status": "found", "controls": ["ctl"], "cost_gbp": 5000, "residual": "medium"}


def test_within_appetite_is_support_and_disagrees_with_a_recorded_rejection():
    page = decide(_mod(), {"a": _entry("a", "medium")}, "medium")
    assert page["recommendation"] == SUPPORT and page["conditions"] == []
    assert page["positions"][0]["agrees"] is False
    assert page["owner"] == "The owner"


def test_treatable_gives_conditions_in_plain_words_with_the_control_title_and_cost():
    page = decide(_mod(), {"a": _entry("a", "high", FOUND)}, "medium")
    assert page["recommendation"] == CONDITIONS
    assert "adopt a stronger lock" in page["conditions"][0] and "GBP 5,000" in page["conditions"][0]
    assert "from high to medium" in page["conditions"][0]


def test_a_placeholder_cost_is_called_one_not_an_estimate():
    entry = _entry("a", "high", FOUND)
    entry["controls"][0]["cost_placeholder"] = True
    page = decide(_mod(), {"a": entry}, "medium")
    assert "(placeholder cost GBP 5,000)" in page["conditions"][0]
    assert page["assessed"][0]["treatment"]["cost_placeholder"] is True
    assert "about GBP 5,000" in decide(_mod(), {"a": _entry("a", "high", FOUND)}, "medium")["conditions"][0]


def test_when_the_only_treatment_reverses_the_proposal_the_decision_is_to_reject():
    best = {"status": "found", "controls": ["REV"], "cost_gbp": 0, "residual": "low"}
    page = decide(_mod(reversed_by=["REV"]), {"a": _entry("a", "very-high", best)}, "medium")
    assert page["recommendation"] == CANNOT and page["conditions"] == []
    assert "reject" in page["reason"] and "keep the old rule" in page["reason"]
    assert page["positions"][0]["agrees"] is True
    # the same control set without the reversal mark is an ordinary treatment
    assert decide(_mod(), {"a": _entry("a", "very-high", best)}, "medium")["recommendation"] == CONDITIONS


def test_untreatable_cannot_be_supported():
    page = decide(_mod(), {"a": _entry("a", "very-high")}, "medium")
    assert page["recommendation"] == CANNOT and "no combination" in page["reason"]


def test_all_takes_the_worst_channel_any_takes_the_best_route():
    chans = {"a": _entry("a", "medium"), "b": _entry("b", "very-high")}
    assert decide(_mod(("a", "b")), chans, "medium")["recommendation"] == CANNOT
    page = decide(_mod(("b", "a"), combine="any"), chans, "medium")
    assert page["recommendation"] == CONDITIONS and page["governing"] == ["a"]
    assert "channel a" in page["conditions"][0]
    both = {"a": _entry("a", "low"), "b": _entry("b", "medium")}
    assert decide(_mod(("a", "b"), combine="any"), both, "medium")["recommendation"] == SUPPORT


def test_any_prefers_the_cheaper_treatment():
    cheap = dict(FOUND, cost_gbp=10)
    chans = {"a": _entry("a", "high", FOUND), "b": _entry("b", "high", cheap)}
    assert decide(_mod(("a", "b"), combine="any"), chans, "medium")["governing"] == ["b"]


def test_evidence_links_threats_proofs_and_fuzz_findings_of_the_governing_channels():
    ev = decide(_mod(), {"a": _entry("a", "high", FOUND)}, "medium")["evidence"]
    assert ev["threats"] == [{"id": "s@a@x", "channel": "a"}]
    assert ev["proofs"] == [{"id": "p@a", "status": "refuted"}]
    assert ev["fuzz"] == [{"id": "inv@a", "kind": "channel-weakness"}]


@pytest.mark.parametrize("rob,status,words", [
    (None, "not-computed", "not computed"),
    ({"robust": True, "p_above": 0.02, "ci": [0.01, 0.04], "flips": [], "drivers": []}, "robust", "0.02"),
    ({"robust": False, "p_above": 0.4, "ci": [0.3, 0.5],
      "flips": [{"input": "lockout.window_s", "at": 1200, "verdict": "above-appetite"}], "drivers": []},
     "fragile", "1 single input changes it"),
])
def test_confidence_comes_from_the_robustness_analysis(rob, status, words):
    conf = decide(_mod(), {"a": _entry("a", "medium", robustness=rob)}, "medium")["confidence"]
    assert conf["status"] == status and words in conf["text"]
    if status == "fragile":
        assert conf["flips"][0]["words"] == "if lockout.window_s is 1,200" and "0.40" in conf["text"]


def test_missing_channels_and_outside_scope_are_said_so():
    assert decide(_mod(("zz",)), {}, "medium")["recommendation"] == "not-assessed"
    out = Modification(id="o", title="O", proposal="p", source="s", channels=(), combine="all", owner="DCC",
                       positions=(), outside="a service obligation")
    page = decide(out, {}, "medium")
    assert page["recommendation"] == "outside-scope" and page["reason"] == "a service obligation"


def test_the_assessment_carries_a_decision_for_every_modification_and_follows_the_verdicts():
    from nowan.model.assumptions import Assumptions
    from nowan.model.modifications import load_modifications
    from nowan.reports.pipeline import assess

    base, _ = assess(examples=0)
    pages = {p["id"]: p for p in base["modifications"]}
    assert list(pages) == list(load_modifications())
    verdicts = {c["id"]: c["verdict"] for c in base["channels"]}
    for p in pages.values():
        if p["combine"] == "all" and len(p["channels"]) == 1:
            cid = p["channels"][0]
            # a modification with a baseline follows the risk its route adds, not the route's own
            verdict = p["added"]["routes"][cid]["verdict"] if p["baseline"] else verdicts[cid]
            assert (p["recommendation"] == SUPPORT) == (verdict == "within-appetite"), p["id"]
    for mid in ("secmp0038-wifi", "secmp0038-usb", "secmp0038-nfc"):
        assert pages[mid]["added"]["baseline"]["channels"] == ["utrn-keypad"] and pages[mid]["added"]["fewer_commands"]
    # a what-if that pushes the Working Group's alternative above appetite changes its decision
    changed, _ = assess(examples=0, assumptions=Assumptions.from_cli(["nowan.share=0.05"]),
                        channel_ids=["wifi-ppmid-utrn"])
    alt = next(p for p in changed["modifications"] if p["id"] == "wg-alternative")
    assert pages["wg-alternative"]["recommendation"] == SUPPORT
    assert alt["recommendation"] != SUPPORT


def test_the_decision_table_names_the_flip_toward_the_other_recommendation_first():
    """The paper's confidence cell names one flip ('fragile: <side> if <condition>'): for a rejection,
    one that would bring the route within appetite, whatever the distance of the others."""
    rob = {"robust": False, "p_above": 0.4, "ci": [0.3, 0.5], "drivers": [],
           "flips": [{"input": "presence.attackers", "at": 834.0, "op": ">=", "verdict": "above-appetite",
                      "distance": 0.01},
                     {"input": "calibration.a.step.s.scale", "at": "premises", "op": "<=",
                      "verdict": "within-appetite", "title": "scale of step 's'", "now": "fleet",
                      "span": ["premises", "fleet"], "calibration": True, "distance": 0.5}]}
    conf = decide(_mod(), {"a": _entry("a", "high", robustness=rob)}, "medium")["confidence"]
    assert conf["short"] == "fragile: within appetite if the scale of step 's' narrows to premises (now fleet; a calibration)"
    assert conf["flips"][0]["words"].endswith("(now fleet; a calibration with no public source, range premises or fleet)")
    assert conf["more"] == 1 and len(conf["flips"]) == 2
    rob["flips"] = rob["flips"][:1]
    conf = decide(_mod(), {"a": _entry("a", "medium", robustness=rob)}, "medium")["confidence"]
    assert conf["short"] == "fragile: above appetite if presence.attackers is 834 or more"
    rob.update(robust=True, flips=[])
    assert decide(_mod(), {"a": _entry("a", "medium", robustness=rob)}, "medium")["confidence"]["short"] == "robust"


def test_a_differing_position_says_why_from_the_model():
    """Issue 10: where the model does not reproduce a recorded position, the report says why: the worst
    goal's scores, and the single-input flips (within range) that would reach the position's side."""
    rob = {"robust": False, "p_above": 0.4, "ci": [0.3, 0.5], "drivers": [],
           "flips": [{"input": "presence.attackers", "at": 834, "op": ">=", "verdict": "above-appetite",
                      "condition": "presence.attackers \u2265 834"},
                     {"input": "x", "at": 1, "op": "<=", "verdict": "within-appetite", "condition": "x \u2264 1"}]}
    mod = _mod()
    page = decide(mod, {"a": _entry("a", "medium", robustness=rob)}, "medium")
    why = page["positions"][0]["why"]
    assert page["positions"][0]["agrees"] is False
    assert "presence.attackers is 834 or more" in why and "x is 1 or less" not in why
    rob["flips"] = rob["flips"][1:]
    why = decide(mod, {"a": _entry("a", "medium", robustness=rob)}, "medium")["positions"][0]["why"]
    assert "No single input" in why


def _added(level: str, verdict: str, goal: str | None = "g", treatment: dict | None = None) -> dict:
    return {"level": level, "verdict": verdict, "goal": goal, "title": "Goal G" if goal else None,
            "likelihood": 3 if goal else None, "impact": 3 if goal else None,
            "treatment": treatment or {"status": "none-within-budget", "detail": "no set"}}


def _based(stance: str = "cannot-support") -> Modification:
    from dataclasses import replace

    from nowan.model.modifications import Baseline

    return replace(_mod(stance=stance), baseline=Baseline(("k",), "a keypad premises", "seed 004"))


def test_a_route_judged_on_its_added_risk_follows_it_not_its_own_residual():
    entry = _entry("a", "very-high")
    entry["goals"] = [{"id": "g", "residual": {"path": ["step@a@x"]}}]
    added = {"missing": [], "routes": {"a": _added("medium", "within-appetite")}}
    page = decide(_based(), {"a": entry}, "medium", added)
    assert page["recommendation"] == SUPPORT and page["positions"][0]["agrees"] is False
    assert page["reason"].startswith("Over a keypad premises, the risk") and "own residual risk: very high" in page["reason"]
    assert page["assessed"][0]["own_residual"] == "very-high" and page["assessed"][0]["residual"] == "medium"
    assert page["evidence"]["threats"] == [{"id": "step@a@x", "channel": "a"}]
    # the same route above appetite on its added risk, with a treatment of that risk
    treat = {"status": "found", "controls": ["ctl"], "cost_gbp": 10, "residual": "low"}
    page = decide(_based(), {"a": entry}, "medium", {"missing": [], "routes": {"a": _added("high", "above-appetite", treatment=treat)}})
    assert page["recommendation"] == CONDITIONS and "from high to low" in page["conditions"][0]


def test_without_its_baseline_a_modification_judged_on_added_risk_is_not_assessed():
    page = decide(_based(), {"a": _entry("a", "very-high")}, "medium", {"missing": ["k"], "routes": {}})
    assert page["recommendation"] == "not-assessed" and "(k)" in page["reason"]


def test_a_position_condition_no_worse_than_a_channel_is_tested_from_the_residuals():
    """The SMETS1 forum took no stance on any option but set a condition: risk managed no worse than
    SMETS2's. The decision page tests it from the residuals, so a worse route reads 'not met'."""
    from dataclasses import replace

    mod = replace(_mod(), positions=(Position("Forum", "none", "q", "seed 003 line 315", no_worse_than="k"),))
    base = _entry("k", "medium")
    page = decide(mod, {"a": _entry("a", "medium"), "k": base}, "medium")
    assert page["positions"][0]["agrees"] is None and "is met here" in page["positions"][0]["test"]
    page = decide(mod, {"a": _entry("a", "very-high"), "k": base}, "medium")
    assert "is not met here (a very high)" in page["positions"][0]["test"]
    assert "not tested" in decide(mod, {"a": _entry("a", "low")}, "medium")["positions"][0]["test"]


def test_a_position_the_added_risk_agrees_with_says_the_model_agrees_for_its_own_reason():
    entry = _entry("a", "very-high")
    entry["goals"] = []
    added = {"missing": [], "routes": {"a": _added("high", "above-appetite")}}
    page = decide(_based(), {"a": entry}, "medium", added)
    assert page["recommendation"] == CANNOT and page["positions"][0]["agrees"] is True
    assert "in direction" in page["positions"][0]["why"] and "Goal G" in page["positions"][0]["why"]
    # without a baseline, an agreeing position carries no such note
    assert "why" not in decide(_mod(), {"a": _entry("a", "very-high")}, "medium")["positions"][0]


def test_a_decision_on_added_risk_takes_its_confidence_from_the_robustness_of_the_added_risk():
    entry = _entry("a", "very-high", robustness={"robust": True, "p_above": 0.9, "ci": [0.8, 0.95], "flips": []})
    entry["goals"] = []
    rob = {"robust": False, "p_above": 0.3, "ci": [0.2, 0.4],
           "flips": [{"input": "x", "at": 4, "op": ">=", "verdict": "within-appetite"}]}
    added = {"missing": [], "routes": {"a": {**_added("high", "above-appetite"), "robustness": rob}}}
    conf = decide(_based(), {"a": entry}, "medium", added)["confidence"]
    assert conf["status"] == "fragile" and conf["p_above"] == 0.3 and "within appetite if x" in conf["short"]
    # without it, the confidence says it was not computed for the added risk
    added["routes"]["a"].pop("robustness")
    assert "not computed for the added risk" in decide(_based(), {"a": entry}, "medium", added)["confidence"]["text"]


def test_a_rejection_names_the_flip_that_would_change_it_not_one_of_a_route_already_within():
    """combine all: one route above (the rejection's cause) and one within; the nearest flip the table
    shows is the one that would bring the rejecting route within appetite."""
    up = {"robust": False, "p_above": 0.3, "ci": [0.2, 0.4], "drivers": [],
          "flips": [{"input": "u", "at": 4, "op": ">=", "verdict": "above-appetite", "condition": "u \u2265 4"}]}
    down = {"robust": False, "p_above": 0.7, "ci": [0.6, 0.8], "drivers": [],
            "flips": [{"input": "d", "at": 1, "op": "<=", "verdict": "within-appetite", "condition": "d \u2264 1"}]}
    page = decide(_mod(("a", "b")), {"a": _entry("a", "medium", robustness=up),
                                     "b": _entry("b", "very-high", robustness=down)}, "medium")
    assert page["recommendation"] == CANNOT
    assert page["confidence"]["short"] == "fragile: within appetite if d is 1 or less"


def test_a_differing_position_says_when_the_model_cannot_tell_the_proposal_from_today():
    """SECMP0037: with the control the proposal removes put back, the route scores the same level; the
    page must say the model cannot tell the two apart (reviewer finding 5), and not when they differ."""
    rob = {"robust": False, "p_above": 0.4, "ci": [0.3, 0.5], "drivers": [], "flips": []}
    e = _entry("a", "medium", robustness=rob)
    e["residual"].update(likelihood=5, impact=3)
    e["if_undone"] = {"controls": ["REV"], "level": "medium", "likelihood": 5, "impact": 3}
    why = decide(_mod(), {"a": e}, "medium")["positions"][0]["why"]
    assert "REV kept" in why and "cannot tell the proposal from today" in why
    e["if_undone"] = {"controls": ["REV"], "level": "low", "likelihood": 2, "impact": 3}
    assert "cannot tell" not in decide(_mod(), {"a": e}, "medium")["positions"][0]["why"]


def test_a_rejection_on_added_risk_shows_the_flip_of_the_route_it_rests_on():
    from dataclasses import replace

    within = {"robust": False, "p_above": 0.3, "ci": [0.2, 0.4],
              "flips": [{"input": "w", "at": 4, "op": ">=", "verdict": "above-appetite"}]}
    above_ = {"robust": False, "p_above": 0.7, "ci": [0.6, 0.8],
              "flips": [{"input": "h", "at": 1, "op": "<=", "verdict": "within-appetite"}]}
    a, b = _entry("a", "very-high"), _entry("b", "high")
    a["goals"] = b["goals"] = []
    added = {"missing": [], "routes": {"a": {**_added("medium", "within-appetite"), "robustness": within},
                                       "b": {**_added("high", "above-appetite"), "robustness": above_}}}
    page = decide(replace(_based(), channels=("a", "b")), {"a": a, "b": b}, "medium", added)
    assert page["recommendation"] == CANNOT
    assert "within appetite if h" in page["confidence"]["short"]


def _conditioned(kind: str = "security") -> Modification:
    """The SSC's MP094 view as data: support with conditions, price or supply commands end to end."""
    from dataclasses import replace

    from nowan.model.modifications import Condition

    cond = Condition("price and supply commands end to end", (("price_or_supply", True),), ("gbcs-end-to-end",),
                     "seed 002 line 333")
    return replace(_mod(), positions=(Position("SSC", "support-with-conditions", "q", "seed 002 line 333", kind=kind,
                                               kind_source="seed 002 line 333", conditions=(cond,)),))


def _route(level: str, carried: list[str], e2e: str | None, best: dict | None = None) -> dict:
    """A route carrying ``carried`` with an end-to-end control that is existing ('on'), a candidate
    ('candidate') or absent (None)."""
    e = _entry("a", level, best)
    e["commands_carried"] = carried
    if e2e:
        e["controls"].append({"id": "e2e", "title": "End-to-end GBCS protection", "mechanism": "gbcs-end-to-end",
                              "enabled": e2e == "on"})
    return e


def test_agreement_compares_the_positions_conditions_not_only_its_stance():
    """Reviewer finding: the SSC supports MP094 only with price and supply commands under the end-to-end
    controls; a recommended route without them agrees on the stance only. The old comparison said
    'agrees' from the stances alone."""
    page = decide(_conditioned(), {"a": _route("medium", ["top-up", "change-price"], None)}, "medium")
    p = page["positions"][0]
    assert page["recommendation"] == SUPPORT and p["agrees"] is False    # a difference in substance
    assert p["comparison"] == "differs-on-condition"
    assert p["comparison_words"] == ("differs (its condition, price and supply commands end to end, is not met by "
                                     "the recommended route)")
    assert "change price" in p["conditions_tested"][0]["detail"] and not p["conditions_tested"][0]["met"]
    # the same route with the end-to-end control in force meets it
    p = decide(_conditioned(), {"a": _route("medium", ["top-up", "change-price"], "on")}, "medium")["positions"][0]
    assert p["comparison"] == "agrees" and p["comparison_words"] == "agrees"
    assert "protected by End-to-end GBCS protection" in p["conditions_tested"][0]["detail"]
    # a route that carries no price or supply command meets it without the control
    p = decide(_conditioned(), {"a": _route("medium", ["top-up"], None)}, "medium")["positions"][0]
    assert p["comparison"] == "agrees" and "carry none of those commands" in p["conditions_tested"][0]["detail"]
    # a candidate end-to-end control counts once the recommendation's conditions adopt it
    best = {"status": "found", "controls": ["e2e"], "cost_gbp": 1, "residual": "medium"}
    p = decide(_conditioned(), {"a": _route("high", ["change-price"], "candidate", best)}, "medium")["positions"][0]
    assert p["comparison"] == "agrees"
    p = decide(_conditioned(), {"a": _route("high", ["change-price"], "candidate", FOUND)}, "medium")["positions"][0]
    assert p["comparison"] == "differs-on-condition"


def test_a_position_that_is_not_a_security_judgement_is_shown_for_context_not_compared():
    """Reviewer finding: a supplier's 'does not support' and the MP169 business requirements are not
    security positions; they are shown for context and never counted as agreement or difference."""
    from dataclasses import replace

    mod = replace(_mod(), positions=(Position("A Large Supplier", "cannot-support", "q", "seed 002 line 210",
                                              kind="business", kind_source="seed 002 line 208"),))
    p = decide(mod, {"a": _entry("a", "medium")}, "medium")["positions"][0]
    assert p["agrees"] is None and p["comparison"] == "context" and "why" not in p
    assert p["comparison_words"] == "for context only (not a security view)"
    assert decide(_conditioned("business"), {"a": _route("medium", ["change-price"], None)}, "medium")[
        "positions"][0]["comparison"] == "context"


def test_a_refuted_proof_on_a_decision_page_keeps_what_it_shows():
    """Lead's audit: decision pages listed 'utrn-availability.wrap (refuted)' bare; the wrap follows from
    the assumed counter reconstruction (domain.md 1.5), not from GBCS, and the page must say so."""
    e = _entry("a", "medium")
    e["proofs"] = [{"id": "utrn-availability.wrap@a", "status": "refuted",
                    "detail": "a consequence of the assumed reconstruction (domain.md 1.5 [A]), not of GBCS"},
                   {"id": "p2@a", "status": "proved", "detail": "holds"}]
    proofs = decide(_mod(), {"a": e}, "medium")["evidence"]["proofs"]
    assert proofs[0]["detail"].startswith("a consequence of the assumed") and "detail" not in proofs[1]


def test_an_outcome_reached_for_another_reason_than_the_positions_is_not_plain_agreement():
    """SSC review, finding 1: the SSC rejects SECMP0038 because the Wi-Fi route itself would need the
    end-to-end architecture; a model that finds that route within appetite and rejects for another
    route agrees on the outcome only."""
    from dataclasses import replace

    mod = replace(_mod(("a", "b")), positions=(Position("SSC", "cannot-support", "q", "seed 002 line 335",
                                                        reason_channels=("a",)),))
    chans = {"a": _entry("a", "medium"), "b": _entry("b", "very-high")}
    p = decide(mod, chans, "medium")["positions"][0]
    assert p["comparison"] == "agrees-on-outcome" and "channel a" in p["reason_differs"]
    chans["a"] = _entry("a", "very-high")
    assert decide(mod, chans, "medium")["positions"][0]["comparison"] == "agrees"


def test_a_harm_a_position_names_is_shown_with_the_models_result_whatever_its_kind():
    """SSC review finding 9: the Working Group's alternative page showed its position's stated drawback
    (gas meter battery wastage) without the model's result for it."""
    def page(level: str, likelihood: int) -> dict:
        entry = _entry("a", "medium")
        entry["goals"] = [{"id": "battery", "title": "Batteries drained", "verdict":
                           "within-appetite" if level == "medium" else "above-appetite",
                           "residual": {"likelihood": likelihood, "impact": 3, "level": level,
                                        "attacker": "organised-fraud", "scale": "fleet"}}]
        mod = Modification(id="m", title="M", proposal="p", source="seed 004", channels=("a",), combine="all",
                           owner="O", positions=(Position("WG", "support-with-conditions", "battery wastage",
                                                          "seed 004 line 94", kind="implementation",
                                                          harms=("battery", "unmodelled")),))
        return decide(mod, {"a": entry}, "medium")["positions"][0]

    p = page("medium", 3)
    assert p["comparison"] == "context"
    assert ("The model scores the harm it names, \u2018Batteries drained\u2019, on the route \u2018channel a\u2019: "
            "likelihood 3 and impact 3 (worst attacker organised fraud, fleet scale), medium, within the medium "
            "appetite.") in p["harms_words"]
    assert "(unmodelled) is not modelled on its routes" in p["harms_words"]
    assert "likelihood 5 and impact 3" in page("high", 5)["harms_words"] and "high, above" in page("high", 5)["harms_words"]


def _today_entry(verdict: str = "within-appetite", without: str | None = "above-appetite", flips=()) -> dict:
    e = _entry("wan", "medium" if verdict == "within-appetite" else "high",
               robustness={"robust": not flips, "p_above": 0.5, "ci": [0.4, 0.6], "flips": list(flips)})
    e["title"] = "The WAN route"
    e["residual"].update(likelihood=2, impact=5, goal="g", attacker="state-actor", scale="fleet", path=["steal@wan@s"],
                         trace=[{"what": "attacker", "capability": 5},
                                {"what": "exposure", "value": 26250.0, "unit": "premises-years",
                                 "assumptions": ["nowan.share"]}])
    e["goals"] = [{"id": "g", "title": "Credit without payment"}]
    e["threats"] = [{"id": "steal@wan@s", "title": "Steal the key", "rule": "key-compromise"}]
    if without:
        e["without"] = [{"mechanisms": ["gbcs-end-to-end"], "controls": ["e2e"], "level": "high", "likelihood": 5,
                         "impact": 4, "goal": "g", "verdict": without}]
    return e


def _today(mechanisms=("gbcs-end-to-end",), stance="within-appetite"):
    from nowan.model.modifications import Today
    return {"t": Today("t", "wan", "Today's WAN route", "domain.md 2.2: x",
                       (Position("SSC", stance, "q", "seed 002 line 333", inferred="read from its advice",
                                 reason_mechanisms=tuple(mechanisms)),), unrecorded="no rating")}


SHARE = {"input": "nowan.share", "at": 0.0267, "op": ">=", "verdict": "above-appetite", "condition": "nowan.share \u2265 0.0267",
         "now": 0.007, "calibration": False}


def test_a_route_in_use_today_is_compared_with_its_recorded_position_and_that_positions_reason():
    """Issue 10, SSC review finding 5: today's routes' recorded positions come out of the models, for the
    seeds' reasons (the route re-scored without the controls the reason rests on), with what would
    reverse the model's verdict; a route above appetite differs."""
    from nowan.reports.decisions import today_pages

    [page] = today_pages(_today(), [_today_entry(flips=[SHARE])], "medium")
    q = page["positions"][0]
    assert (q["agrees"], q["comparison"], q["reason_holds"]) == (True, "agrees", True)
    assert "rests on the reason the position gives" in q["reason_test"] and "scores high (likelihood 5, impact 4, from \u2018Credit without payment\u2019)" in q["reason_test"]
    assert q["holds_while"] == "The model's verdict would be above appetite if nowan.share is 0.0267 or more (now 0.007)"
    assert page["exposure_inputs"] == ["nowan.share"] and page["recommendation_words"] == "within appetite"
    assert ("from \u2018Credit without payment\u2019, reached by a state actor (capability 5) at fleet scale through "
            "\u2018Steal the key\u2019; its likelihood counts the route's exposure, 26,250 premises-years (set by nowan.share)") in page["driver"]
    # the key findings' clause names the step by its rule, in plain words
    assert page["driver_short"] == "\u2018Credit without payment\u2019 by a state actor through theft of a Supplier or DCC private key"
    # within appetite without the reason's controls too: the outcome agrees, the reason does not
    q = today_pages(_today(), [_today_entry(without="within-appetite")], "medium")[0]["positions"][0]
    assert q["comparison"] == "agrees-on-outcome" and q["reason_holds"] is False
    assert q["holds_while"].startswith("No single input moved within its declared range puts the route above")
    q = today_pages(_today(), [_today_entry("above-appetite")], "medium")[0]["positions"][0]
    assert (q["agrees"], q["comparison"]) == (False, "differs")
    q = today_pages(_today(()), [_today_entry(without=None)], "medium")[0]["positions"][0]
    assert "reason_test" not in q and q["comparison"] == "agrees"
    q = today_pages(_today(), [], "medium")[0]["positions"][0]
    assert q["agrees"] is None and q["comparison_words"] == "not assessed in this run"
