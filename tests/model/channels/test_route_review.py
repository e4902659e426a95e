"""An SSC member's review of the models' inputs: routes carrying the same thing are scored on the same
terms unless a sourced difference says otherwise, and the threats each route opens are modelled.
Each test fails on the models as they were before the review."""
from __future__ import annotations

import pytest

from nowan.model.assumptions import Assumptions, catalogue
from nowan.model.channels import load_channels, score
from nowan.model.channels.evaluate import environment
from nowan.model.channels.inputs import inputs
from nowan.model.channels.risk import exposure

CH = load_channels()
ROUTES = ("nfc", "usb", "wifi-ppmid-relay", "nfc-relay")
WITHHELD = ("top-up-withheld", "non-disconnect-withheld")


def _terms(cid: str, gid: str):
    g = next(g for g in CH[cid].goals if g.id == gid)
    return g.kind, g.scale, str(g.hours), g.vulnerable, g.commands


# --- 1. NFC withholds the same commands as the Wi-Fi relay and USB ----------------------------------

@pytest.mark.parametrize("gid", WITHHELD)
def test_withheld_commands_are_scored_on_the_same_terms_on_every_route(gid):
    """NFC's 'withheld' goal was 6 hours and not vulnerable where the relay and USB had 24 hours and
    vulnerable, with no source for the difference."""
    assert len({_terms(cid, gid) for cid in ROUTES}) == 1, {cid: _terms(cid, gid) for cid in ROUTES}
    kind, _, hours, vulnerable, _ = _terms("nfc", gid)
    assert (kind, hours, vulnerable) == ("off-supply", "withheld.hours_off_supply", True)


def test_the_withheld_hours_are_one_input_with_one_range():
    """One assumption, not one calibration per channel: sweeping it moves every route together."""
    a = catalogue()["withheld.hours_off_supply"]
    assert a.label == "A-WITHHOLD" and a.range.lo < a.default < a.range.hi and a.range.source
    ids = inputs(CH[c] for c in ROUTES)
    assert not [i for i in ids if i.endswith("-withheld.hours")]
    for cid in ROUTES:
        short = score(CH[cid], Assumptions({"withheld.hours_off_supply": str(a.range.lo)}))
        long = score(CH[cid], Assumptions({"withheld.hours_off_supply": str(a.range.hi)}))
        lo, hi = (s.residual_eval.goals["non-disconnect-withheld"] for s in (short, long))
        assert lo.impact < hi.impact, cid


def test_nfc_has_the_relays_keypad_fallback_for_top_ups_only():
    r = score(CH["nfc"])
    assert r.residual_eval.steps["topup-starved"].blocked_by == ["keypad-utrn-fallback"]
    assert r.residual_eval.steps["non-disconnect-lost"].blocked_by == []
    assert r.residual_eval.goals["non-disconnect-withheld"].level == "very-high"


def test_routes_internet_sides_have_the_same_attackers():
    """The Supplier's app is NFC's internet side as the relay service is the relay's; the old NFC
    model left out the state actor the other two routes face."""
    def internet(cid):
        return {a for e in CH[cid].entry_points if not e.presence and "insider" not in e.title for a in e.attackers}
    assert internet("nfc") == internet("usb") == internet("wifi-ppmid-relay")


# --- 2. USB: a crafted file is parsed by the PPMID ----------------------------------------------

def test_usb_models_a_crafted_file_taking_over_ppmids_and_what_they_do_on_the_han():
    ch = CH["usb"]
    step = next(s for s in ch.steps if s.id == "file-exploit")
    assert step.rule.id == "local-exploit" and step.rule.stride and step.rule.cwe
    assert step.scale == "fleet" and "compromise-delivery" in step.requires.steps()
    inp = next(i for i in ch.inputs if i.id == "calibration.usb.step.file-exploit.difficulty")
    assert (inp.range.lo, inp.range.hi) == (2, 4) and "[A]" in inp.range.source
    ev = score(ch).residual_eval
    for gid in ("han-dos", "gas-battery-drained"):
        assert "local-exploit@usb@ppmid-file-parser" in ev.goals[gid].steps, gid


def test_usb_and_the_relay_share_what_a_compromised_ppmid_does_on_the_han():
    usb, relay, nfc = ({g.id: (g.kind, g.scale) for g in CH[c].goals} for c in ("usb", "wifi-ppmid-relay", "nfc-relay"))
    for gid in ("han-dos", "gas-battery-drained"):
        assert usb[gid] == relay[gid] == nfc[gid], gid
    # The relay's PPMID is on the internet and the home network; a USB-fed one is not [A].
    assert "home-network-intrusion" in relay and "home-network-intrusion" not in usb


def test_a_harder_file_parser_lowers_the_usb_han_harms():
    ch = CH["usb"]
    base = score(ch).residual_eval.goals["han-dos"]
    assured = score(ch, controls_delta=["+file-parser-assurance"]).residual_eval.goals["han-dos"]
    assert assured.likelihood < base.likelihood


# --- 3. SMETS1 option 3: key protection and DCC access control are labelled, ranged inputs ---------

SMETS1_KEYS = ("smets1.central_key_hardening", "smets1.supplier_key_hardening", "smets1.option3_dcc_access_control")


def test_smets1_option_choices_are_labelled_assumptions_with_a_sourced_range():
    """The old option 3 model wrote 0 for its key protection (3 on options 1 and 2) and gave DCC
    access control no hardening at all, as unlabelled [A] choices no sweep could reach."""
    cat = catalogue()
    for key in SMETS1_KEYS:
        a = cat[key]
        assert a.label == "A-SMETS1-GEN" and "seed 003" in a.source + a.range.source, key
        assert a.range.lo < a.range.hi, key
    hard = {c.id: dict(c.hardens) for c in CH["smets1-utrn-gen-3"].controls}
    assert hard["key-protection"] == {"steal-credentials": "smets1.supplier_key_hardening"}
    assert hard["dcc-access-control"] == {"supplier-misuse": "smets1.option3_dcc_access_control",
                                          "psp-misuse": "smets1.option3_dcc_access_control"}
    for cid in ("smets1-utrn-gen-1", "smets1-utrn-gen-2"):
        hard = {c.id: dict(c.hardens) for c in CH[cid].controls}
        assert hard["key-protection"] == {"steal-credentials": "smets1.central_key_hardening"}, cid


def test_the_robustness_sweep_finds_where_option_3s_key_protection_flips_its_verdict():
    from nowan.model.robustness.analysis import one_at_a_time
    from nowan.model.robustness.subject import Subject

    result = one_at_a_time((Subject(("smets1-utrn-gen-3",)), "smets1-utrn-gen-3"))
    flips = {f["input"]: f for f in result["flips"]}
    assert flips["smets1.supplier_key_hardening"]["at"] == 3
    assert flips["smets1.supplier_key_hardening"]["verdict"] == "within-appetite"
    ch = CH["smets1-utrn-gen-3"]
    assert score(ch, Assumptions({"smets1.supplier_key_hardening": "2"})).verdict == "above-appetite"
    assert score(ch, Assumptions({"smets1.supplier_key_hardening": "3"})).verdict == "within-appetite"


def test_dcc_access_control_on_option_3_hardens_the_misuse_steps_when_assumed():
    ch = CH["smets1-utrn-gen-3"]
    off = score(ch).residual_eval.steps["supplier-misuse"].difficulty
    on = score(ch, Assumptions({"smets1.option3_dcc_access_control": "1"})).residual_eval.steps["supplier-misuse"].difficulty
    assert on == off + 1



# --- 4. MP169: the threats the flag opens, not only its removal (seed 001) -------------------------

MP169 = CH["mp169-flag"]


def _goal(r, gid):
    return r.residual_eval.goals.get(gid)


def test_mp169_models_a_flag_added_wrongly_or_by_the_wrong_party():
    """The old model had only the flag's removal. Added without the consumer's choice (by an Other
    SEC Party, or by the Supplier before all reasonable steps or on a site that must communicate),
    the flag makes the DCC refuse consumption reads (seed 001 requirement 3, sections 2.2, 2.4)."""
    kept = _goal(score(MP169), "consumption-reads-blocked")
    assert kept.scale == "fleet" and "credential-misuse@mp169-flag@supplier-flag-add" in kept.steps
    removed = _goal(score(MP169, controls_delta=["-responsible-supplier-only"]), "consumption-reads-blocked")
    assert removed.key > kept.key and removed.scale == "national"
    assert "misconfiguration@mp169-flag@dcc-flag-add" in removed.steps
    assert _goal(score(MP169, controls_delta=["-reasonable-steps"]), "consumption-reads-blocked").key >= kept.key


def test_mp169_firmware_updates_still_flow_only_while_requirement_4_holds():
    assert _goal(score(MP169), "firmware-withheld") is None          # blocked: not reached
    lost = _goal(score(MP169, controls_delta=["-firmware-exempt"]), "firmware-withheld")
    assert lost.level != "very-low" and lost.scale == "fleet"      # one Supplier's systems reach its fleet


def test_mp169_data_that_still_flows_is_a_harm_the_flag_does_not_remove():
    r = score(MP169)
    flows = _goal(r, "data-still-flows")
    assert flows.level != "very-low" and flows.key == r.residual.key
    reviewed = _goal(score(MP169, controls_delta=["+suppression-list-review"]), "data-still-flows")
    assert reviewed.key < flows.key


def test_mp169_defining_control_still_decides_its_verdict():
    kept, removed = score(MP169), score(MP169, controls_delta=["-responsible-supplier-only"])
    assert (kept.verdict, removed.verdict) == ("within-appetite", "above-appetite")


# --- credit harms count against the top-up command that enables them --------------------------------

@pytest.mark.parametrize("cid", sorted(c for c in CH if "top-up" in CH[c].commands))
def test_credit_harms_of_a_top_up_channel_name_the_command_that_enables_them(cid):
    """wifi-ppmid-utrn's credit goals named no command, so they counted as the route's own harms
    (the matrix's route column) instead of against top-up."""
    for g in CH[cid].goals:
        if g.kind == "free-credit":
            assert "top-up" in g.commands, (cid, g.id)
    row = score(CH[cid]).commands
    assert row["top-up"] != "not-carried"


# --- SMETS1 options 1 and 2: the seed-003 differences can move a result ----------------------------

def test_the_psp_access_difference_moves_the_verdict_with_other_inputs():
    """Both options score medium at the defaults because PSP misuse sits at the floor of the
    likelihood scale; a more capable PSP insider with weaker reconciliation separates them."""
    def verdict(cid):
        a = Assumptions({"calibration.attacker.psp-insider.capability": "4",
                         f"calibration.{cid}.control.vend-reconciliation.hardens.psp-misuse": "1"})
        return score(CH[cid], a).verdict
    assert (score(CH["smets1-utrn-gen-1"]).residual.key == score(CH["smets1-utrn-gen-2"]).residual.key)
    assert (verdict("smets1-utrn-gen-1"), verdict("smets1-utrn-gen-2")) == ("above-appetite", "within-appetite")


def test_option_2s_further_point_of_failure_has_a_flip_of_its_own():
    from nowan.model.robustness.analysis import one_at_a_time
    from nowan.model.robustness.subject import Subject

    def flips(cid):
        res = one_at_a_time((Subject((cid,)), cid))
        return {f["input"].replace(f"calibration.{cid}.", "calibration.<option>.") for f in res["flips"]}
    one, two = flips("smets1-utrn-gen-1"), flips("smets1-utrn-gen-2")
    # since scale ranges only go narrower, the extra outage's flip is the impact of a fleet-wide outage
    assert two - one, (one, two)


def test_the_nfc_relay_is_the_usb_route_with_another_carrier():
    """SECMP0038's NFC route carries what USB carries (seed 004): the same commands, goals and scores;
    only the carrier's entry points and step names differ."""
    usb, nfc = CH["usb"], CH["nfc-relay"]
    assert usb.commands == nfc.commands
    assert {g.id: (g.kind, g.scale, str(g.hours), g.vulnerable, g.commands) for g in usb.goals} == \
        {g.id: (g.kind, g.scale, str(g.hours), g.vulnerable, g.commands) for g in nfc.goals}
    a, b = score(usb), score(nfc)
    assert (a.residual.level, a.inherent.level) == (b.residual.level, b.inherent.level)
    assert {k: v.level for k, v in a.residual_eval.goals.items()} == {k: v.level for k, v in b.residual_eval.goals.items()}


WITHHOLDING_ROUTES = ("nfc", "usb", "wifi-ppmid-relay", "wifi-ppmid-utrn", "nfc-relay")


def _withheld_goals():
    for cid in WITHHOLDING_ROUTES:
        ch = CH[cid]
        rules = {s.id: s.rule.id for s in ch.steps}
        for g in ch.goals:
            if g.kind == "off-supply" and all(rules[s] == "withhold" for s in g.requires.steps()):
                yield cid, g


def test_every_withheld_command_harm_uses_the_one_withheld_hours_input():
    """wifi-ppmid-utrn's withheld top-ups were 12 hours off supply where the other routes' were 24:
    the route changes how likely the withholding is (its fallback), not how long a missed top-up lasts."""
    found = list(_withheld_goals())
    assert {cid for cid, _ in found} == set(WITHHOLDING_ROUTES)
    for cid, g in found:
        assert str(g.hours) == "withheld.hours_off_supply" and g.vulnerable, (cid, g.id)


# --- the SSC member's second review: exposure bases and calibration flags --------------------------

def test_the_hub_change_is_exposed_on_every_smets2_hub_not_only_prepayment():
    """Seed 004: the firmware change is on every existing and future hub; the model said so but
    scored it over the smart prepayment meters only."""
    ch = CH["hub-forwarding"]
    env = environment(ch, Assumptions())
    py, _, trace = exposure(ch, env)
    assert ch.exposure_population == "smets2"
    assert py == env["nowan.smets2_meters"] and trace[0]["assumptions"] == ["nowan.smets2_meters"]


def test_the_three_smets1_options_share_one_exposure_basis():
    from nowan.model.channels.loader import CHANNEL_DIR

    options = ("smets1-utrn-gen-1", "smets1-utrn-gen-2", "smets1-utrn-gen-3")
    assert {(CH[c].exposure_population, CH[c].exposure_duration) for c in options} == {("smart-ppm", "permanent")}
    lines = {next(x for x in (CHANNEL_DIR / f"{c}.yaml").read_text().splitlines() if x.startswith("exposure:"))
             for c in options}
    assert len(lines) == 1 and "one basis for the three options" in lines.pop()


def test_the_smets1_key_and_access_choices_are_marked_as_calibrations():
    """A range whose source starts 'calibration' marks the assumption a calibration in the report's
    JSON; supplier_key_hardening's started with its seed bounds and read as seed-backed."""
    for key in SMETS1_KEYS:
        assert catalogue()[key].range.source.lower().startswith("calibration"), key
