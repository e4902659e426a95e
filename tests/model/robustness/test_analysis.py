"""All at once: seeded, worker-count independent, with a Wilson interval; the drivers are SALib's."""
from __future__ import annotations

from scipy.stats import binomtest

from nowan.model.robustness import Local, Subject, analyse
from nowan.model.robustness.montecarlo import design, proportion
from nowan.model.robustness.space import space, to_unit
from nowan.model.channels import load_channels

SUBJECT = Subject(("usb", "wifi-ppmid-relay", "utrn-keypad"))


def test_same_seed_same_result_and_workers_do_not_change_it():
    subject = Subject(("usb", "utrn-keypad"))
    one = analyse(subject, samples=40, seed=7, trajectories=2, executor=Local(1))
    with Local(2) as ex:
        two = analyse(subject, samples=40, seed=7, trajectories=2, executor=ex)
    assert one == two
    other = analyse(subject, samples=40, seed=8, trajectories=2)
    assert [c["p_above"] for c in other["channels"]] != [c["p_above"] for c in one["channels"]] or \
        [c["drivers"] for c in other["channels"]] != [c["drivers"] for c in one["channels"]]


def test_fields_and_interval():
    # 4 trajectories: with 2, whether one of the relay's few one-input jumps crosses its verdict
    # depends on how many (inert) inputs the design holds, not on the code under test
    out = analyse(SUBJECT, samples=80, seed=1, trajectories=4)
    for c in out["channels"]:
        assert {"id", "verdict", "robust", "p_above", "ci", "flips", "drivers"} <= set(c)
        assert c["robust"] == (not c["flips"])
        k = round(c["p_above"] * 80)
        ci = binomtest(k, 80).proportion_ci(confidence_level=0.95, method="wilson")
        assert c["ci"] == [round(ci.low, 6), round(ci.high, 6)]
        assert c["ci"][0] <= c["p_above"] <= c["ci"][1]
        for d in c["drivers"]:
            assert d["index"] > 0
    relay = next(c for c in out["channels"] if c["id"] == "wifi-ppmid-relay")
    assert 0 < relay["p_above"] < 1 and relay["drivers"]


def test_proportion_without_samples_is_none():
    assert proportion(0, 0) == (None, None)
    assert proportion(0, 10)[1][0] == 0.0 and proportion(10, 10)[1][1] == 1.0


def test_design_covers_each_range_evenly():
    inputs = list(space(load_channels(["usb"]).values()).values())
    rows = design(inputs, 200, seed=3)
    share = next(i for i in inputs if i.id == "nowan.share")
    us = sorted(to_unit(share, r["nowan.share"]) for r in rows)
    # Latin hypercube: exactly one draw in each of the 200 strata of the (log-scaled) range
    assert all(i / 200 <= u <= (i + 1) / 200 + 1e-9 for i, u in enumerate(us))
    assert all(share.range.contains(r["nowan.share"]) for r in rows)
    assert design(inputs, 200, seed=3) == rows


def test_a_channels_share_above_does_not_depend_on_the_other_channels_selected():
    """Audit finding 8: one hypercube over every selected channel's inputs gave utrn-keypad a
    different p_above alone than in the full report. Each channel now samples its own inputs from
    its own stream, so a reviewer reproduces the report's figure with --channels X."""
    alone = analyse(Subject(("utrn-keypad",)), samples=120, seed=4, trajectories=0)["channels"][0]
    together = analyse(Subject(("pairing-no-timeout", "utrn-keypad", "usb")), samples=120, seed=4,
                       trajectories=0)["channels"]
    keypad = next(c for c in together if c["id"] == "utrn-keypad")
    assert (alone["p_above"], alone["ci"]) == (keypad["p_above"], keypad["ci"])
    assert 0 < alone["p_above"] < 1      # a figure the draws decide, not a constant


def test_each_channel_design_is_over_its_own_inputs_only():
    from nowan.model.robustness.montecarlo import channel_design

    chs = load_channels(["usb", "utrn-keypad"])
    rows = channel_design(chs["utrn-keypad"], (), 10, seed=2)
    assert not any(k.startswith("calibration.usb.") for r in rows for k in r)
    assert any(k.startswith("calibration.utrn-keypad.") for k in rows[0])
    assert channel_design(chs["utrn-keypad"], ("nowan.share",), 10, seed=2)[0].get("nowan.share") is None
