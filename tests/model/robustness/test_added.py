"""The robustness of an added-risk verdict: the channel sweeps, scored on the risk a route adds."""
from __future__ import annotations

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.added import added_risk
from nowan.model.robustness.added import added_robustness

CH = load_channels()


def test_every_reported_flip_of_the_added_risk_is_real():
    r = added_robustness("hub-forwarding", ["utrn-keypad"], samples=20)
    assert r["verdict"] == "above-appetite" and not r["robust"] and r["flips"]
    for f in r["flips"]:
        a = added_risk(CH["hub-forwarding"], [CH["utrn-keypad"]], Assumptions({f["input"]: f["at"]}))
        assert a.verdict == f["verdict"] == "within-appetite", f
    assert r["confidence"].startswith("fragile: within appetite if ")
    assert 0 <= r["p_above"] <= 1 and r["samples"] == 20


def test_baseline_inputs_are_swept_and_pinned_inputs_are_not():
    r = added_robustness("nfc", ["utrn-keypad"], samples=0)
    pinned = added_robustness("nfc", ["utrn-keypad"], base=((r["flips"][0]["input"], r["flips"][0]["now"]),),
                              samples=0)
    assert r["flips"][0]["input"] not in {f["input"] for f in pinned["flips"]}
    assert pinned["swept"] == r["swept"] - 1
    # the keypad's own calibrations move which NFC harms the premises already carries
    only_route = added_robustness("nfc", [], samples=0)
    assert r["swept"] > only_route["swept"]


def test_the_added_risk_is_swept_under_the_modification_s_duration():
    """The NFC decision scores its route under intermittent no-WAN (its modification's exposure), so
    its confidence must describe that added risk, not the one under nfc.yaml's permanent exposure."""
    from nowan.model.channels.risk import under_exposure

    own = added_robustness("nfc", ["utrn-keypad"], samples=0)
    short = added_robustness("nfc", ["utrn-keypad"], samples=0, duration="intermittent")
    nfc = under_exposure(CH["nfc"], "intermittent", "test")
    assert short["level"] == added_risk(nfc, [CH["utrn-keypad"]], Assumptions()).level
    assert (short["level"], short["verdict"]) != (own["level"], own["verdict"])
