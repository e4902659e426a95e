"""The assess pipeline scores each modification's routes under the exposure it declares."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def bundle():
    from nowan.reports.pipeline import assess

    out, _ = assess(channel_ids=["utrn-extended", "nfc"], examples=0)
    return out


def test_mp094_option_1_and_option_2_are_decided_under_their_own_durations(bundle):
    """domain.md 11.3: Option 1 is intermittent no-WAN, Option 2 permanent. Both run utrn-extended and
    nfc, whose files say permanent; the decisions must differ where the duration makes them differ."""
    pages = {p["id"]: p for p in bundle["modifications"]}
    one, two = pages["mp094-option-1"], pages["mp094-option-2"]
    own = {c["id"]: c for c in bundle["channels"]}
    by_route = {p["id"]: {a["id"]: a for a in p["assessed"]} for p in (one, two)}
    # Option 2 is permanent, as the channel files: its routes read as the channel summary does
    for cid in ("utrn-extended", "nfc"):
        assert by_route["mp094-option-2"][cid]["residual"] == own[cid]["residual"]["level"]
    assert by_route["mp094-option-1"] != by_route["mp094-option-2"]
    assert (one["recommendation"], one["conditions"]) != (two["recommendation"], two["conditions"])
    assert "intermittent" in one["exposure_note"] and "utrn-extended: permanent" in one["exposure_note"]
    assert "permanent" in two["exposure_note"] and "appendix" in two["exposure_note"]
    # the channel summary keeps each file's own exposure
    trace = next(t for t in own["utrn-extended"]["residual"]["trace"] if t["what"] == "exposure")
    assert trace["duration"] == "permanent"


def test_the_added_risk_of_a_route_uses_the_modification_exposure(monkeypatch):
    """A modification judged on its added risk (a baseline) and scoped to a duration its route's file
    does not have: the added risk is computed under the modification's duration, the same as the
    route's decision, not under the file's own (here nfc.yaml, permanent, scored as intermittent)."""
    import dataclasses

    from nowan.model.assumptions import Assumptions
    from nowan.model.channels import load_channels
    from nowan.model.channels.added import added_risk
    from nowan.model.channels.risk import under_exposure
    from nowan.model.modifications import Exposure, load_modifications
    from nowan.reports import pipeline

    mods = load_modifications()
    mods["secmp0038-nfc"] = dataclasses.replace(
        mods["secmp0038-nfc"], channels=("nfc",), exposure=Exposure("intermittent", "seed 004"))
    monkeypatch.setattr(pipeline, "load_modifications", lambda **_: mods)
    out, _ = pipeline.assess(channel_ids=["nfc", "utrn-keypad"], examples=0, run_proofs=False)
    page = next(p for p in out["modifications"] if p["id"] == "secmp0038-nfc")
    chans = load_channels(["nfc", "utrn-keypad"])
    moved = under_exposure(chans["nfc"], "intermittent", "x")
    base = [chans["utrn-keypad"]]
    got = page["added"]["routes"]["nfc"]["level"]
    assert got == added_risk(moved, base, Assumptions()).level
    assert got != added_risk(chans["nfc"], base, Assumptions()).level
    assert "intermittent" in page["exposure_note"]


def test_a_decision_scored_under_its_own_duration_gets_a_confidence_swept_under_it(bundle):
    """Lead's audit: MP094 Option 1's confidence read 'not computed' because the robustness analysis
    swept utrn-extended under its file's permanent exposure. The decision's routes are now swept
    under the intermittent duration it is decided under, so its confidence is that verdict's."""
    from nowan.model.robustness.added import exposed_robustness
    from nowan.reports.pipeline import ROBUSTNESS_SAMPLES

    one = next(p for p in bundle["modifications"] if p["id"] == "mp094-option-1")
    assert one["confidence"]["status"] in ("robust", "fragile")
    swept = exposed_robustness("utrn-extended", "intermittent", samples=ROBUSTNESS_SAMPLES, seed=0)
    own = next(c for c in bundle["channels"] if c["id"] == "utrn-extended")["robustness"]
    assert swept["verdict"] == "within-appetite" != own["verdict"]    # the duration changes the verdict swept
    assert one["confidence"]["p_above"] == swept["p_above"]
    # e.g. "the share of smart prepayment meters without a WAN is 3.25% or more", in the shared words
    from nowan.reports.confidence import fragile, ordered

    assert one["confidence"]["short"] == fragile(ordered(swept["flips"], "above-appetite")[0])


def test_a_report_of_the_packaged_models_validates_against_its_schema(bundle):
    """The schema describes the report the committee gets, not only the small fixed model's (whose
    decisions have no robustness): a computed confidence is 'robust' or 'fragile'."""
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).parents[2] / "reports" / "schema" / "report.schema.json").read_text())
    assert {m["confidence"]["status"] for m in bundle["modifications"]} & {"robust", "fragile"}
    jsonschema.validate(bundle, schema)
