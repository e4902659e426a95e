"""Model inputs faithful to the seed documents (domain.md 11): each test fails on the old models."""
from __future__ import annotations

from dataclasses import replace

import pytest

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels, score
from nowan.model.channels.catalogues import scales
from nowan.model.channels.evaluate import environment
from nowan.model.channels.inputs import inputs
from nowan.model.channels.risk import evaluate, exposure, impact, population, presence_reach
from nowan.model.errors import AssumptionError

CH = load_channels()


def rank(level: str) -> int:
    return scales().rank(level)


# --- MP169 (seed 001) -------------------------------------------------------------------------

def test_mp169_covers_every_smets2_meter_not_the_no_wan_share():
    ch = CH["mp169-flag"]
    env = environment(ch, Assumptions())
    py, _, trace = exposure(ch, env)
    assert py == env["nowan.smets2_meters"]
    assert trace[0]["assumptions"] == ["nowan.smets2_meters"]


def test_mp169_removing_only_the_responsible_supplier_sets_the_flag_changes_its_risk():
    ch = CH["mp169-flag"]
    kept, removed = score(ch), score(ch, controls_delta=["-responsible-supplier-only"])
    assert removed.residual.key > kept.residual.key
    assert (kept.verdict, removed.verdict) == ("within-appetite", "above-appetite")
    assert "misconfiguration@mp169-flag@dcc-flag" in removed.residual.steps


@pytest.mark.parametrize("cid", ["mp169-flag", "pairing-no-timeout"])
def test_channels_that_carry_no_top_up_show_it_as_not_carried(cid):
    row = score(CH[cid]).commands
    assert row["top-up"] == "not-carried"
    assert set(row.values()) == {"not-carried"}


# --- a harm counts against a command only where the channel carries it ---------------------------

def test_withheld_non_disconnect_periods_are_no_harm_of_a_top_up_only_relay():
    ch = CH["wifi-ppmid-relay"]
    full = score(ch)
    assert rank(full.commands["top-up"]) < rank(full.commands["set-non-disconnect"])
    top_up_only = score(replace(ch, commands=("top-up",)))
    assert top_up_only.residual.goal != "non-disconnect-withheld"
    assert rank(top_up_only.residual.level) < rank(full.residual.level)


@pytest.mark.parametrize("cid", sorted(CH))
def test_command_matrix_and_channel_verdict_agree(cid):
    """No carried command is worse than the channel; a command-specific worst goal shows in its rows;
    the worst of a row (its commands and the route's own harms) is the channel's residual level."""
    r = score(CH[cid])
    carried = {c: lvl for c, lvl in r.commands.items() if lvl != "not-carried"}
    assert all(rank(lvl) <= r.residual.rank for lvl in carried.values())
    goal = CH[cid].goals[[g.id for g in CH[cid].goals].index(r.residual.goal)] if r.residual.goal else None
    if goal is not None and goal.commands:
        assert any(carried.get(c) == r.residual.level for c in goal.commands)
    if goal is not None and not goal.commands:
        assert r.route == r.residual.level
    assert max([rank(r.route), *(rank(v) for v in carried.values())]) == r.residual.rank


def test_a_channel_wide_harm_is_not_counted_against_a_command_that_does_not_enable_it():
    """Issue 10: the relay's HAN flooding and home-network pivot name no command, so they are the
    route's own column, not change-price's cell; change-price's cell is its own harm (price change)."""
    r = score(CH["wifi-ppmid-relay"])
    price_goals = [g for g in CH["wifi-ppmid-relay"].goals if "change-price" in g.commands]
    own = r.residual_eval.worst([g.id for g in price_goals]).level
    assert r.commands["change-price"] == own
    assert rank(r.route) >= rank(own)


# --- exposure: share x meters x duration (domain.md 11.3) -------------------------------------------

def test_ninety_days_is_not_an_outage_length():
    with pytest.raises(AssumptionError):
        Assumptions({"wan.restore_days": "90"})


def test_intermittent_exposure_is_share_times_meters_times_outage_hours():
    ch = CH["wifi-ppmid-relay"]  # SECMP0038: intermittent WAN only (seed 004)
    env = environment(ch, Assumptions())
    py, _, _ = exposure(ch, env)
    assert py == pytest.approx(env["nowan.share"] * env["nowan.smart_ppm_meters"] * 72 / 8760)
    whole_year, _, _ = exposure(ch, environment(ch, Assumptions({"nowan.outage_hours": "8760"})))
    assert whole_year == pytest.approx(env["nowan.share"] * env["nowan.smart_ppm_meters"])


def test_permanent_no_wan_ignores_the_outage_length():
    ch = CH["utrn-extended"]  # SEC0009 lineage: permanent no-WAN (seed 004), MP094 Option 2
    a, b = (exposure(ch, environment(ch, Assumptions({"nowan.outage_hours": h})))[0] for h in ("48", "8760"))
    assert a == b


def test_a_modification_can_score_a_channel_under_another_duration_and_says_where_from():
    """MP094 Option 1 runs utrn-extended intermittent, though its file says permanent (domain.md 11.3)."""
    from nowan.model.channels.risk import under_exposure

    ch = CH["utrn-extended"]
    moved = under_exposure(ch, "intermittent", "modifications.yaml:1 field 'exposure'")
    env = environment(ch, Assumptions())
    (py, _, _), (moved_py, _, trace) = exposure(ch, env), exposure(moved, env)
    assert moved_py == pytest.approx(py * 72 / 8760)
    assert trace[0]["duration"] == "intermittent" and trace[0]["source"].startswith("modifications.yaml:1")
    assert ch.exposure_duration == "permanent" and under_exposure(ch, "permanent", "x") is ch
    assert score(moved).residual.likelihood < score(ch).residual.likelihood


# --- scale: one attack at one premises, repeated explicitly ---------------------------------------

def test_a_presence_attack_reaches_premises_attempts_times_attackers_not_the_nation():
    """Taking emergency credit after a rogue HAN join needs radio range: the old model labelled it
    national (every exposed premises). Now its reach is the attacker's attempts a year x count."""
    ch = CH["pairing-no-timeout"]
    ev = score(ch).residual_eval
    s = ev.goals["free-emergency-credit"]
    assert s.scale == "repeated" and s.attacker == "organised-fraud"
    imp = next(t for t in s.trace if t["what"] == "impact")
    assert imp["premises"] == 12 * 100 and imp["total"] == pytest.approx(12 * 100 * 10.0)
    assert imp["repeat"]["attacker"] == "organised-fraud" and "risk.yaml" in imp["repeat"]["source"]
    more = score(ch, Assumptions({"calibration.attacker.organised-fraud.count": "1000"}))
    s = more.residual_eval.goals["free-emergency-credit"]
    assert next(t for t in s.trace if t["what"] == "impact")["premises"] == 12 * 1000


# --- repetition per attacker profile (audit finding 3) ----------------------------------------

def _repeated_premises(ch, attacker: str, a: Assumptions | None = None) -> set[float]:
    """Premises a year each of ``attacker``'s repeated reaches scores (traced impacts)."""
    ev = evaluate(ch, a or Assumptions(), ch.existing_controls)
    env = environment(ch, a or Assumptions())
    on_site, repeat = presence_reach(ch, attacker, env)
    assert on_site, attacker
    return {impact(g, "repeated", env, population(ch, env), ch.id, repeat=repeat, values=ev.steps,
                   attacker=attacker)[1]["premises"] for g in ch.goals}


def test_each_attacker_profile_repeats_presence_attacks_with_its_own_figures():
    """One headcount for every profile counted a state actor as a hundred kit users taking GBP 10 of
    emergency credit (1,200 premises a year). Each profile now has its own attempts a year and count."""
    ch = CH["pairing-no-timeout"]
    env = environment(ch, Assumptions())
    reach = {a: presence_reach(ch, a, env)[1] for a in ("consumer", "neighbour", "organised-fraud",
                                                          "rogue-installer", "state-actor")}
    assert reach["organised-fraud"] == 12 * 100
    assert reach["state-actor"] < reach["organised-fraud"]
    assert len(set(reach.values())) > 1
    changed = Assumptions({"calibration.attacker.state-actor.count": "1"})
    assert presence_reach(ch, "state-actor", environment(ch, changed))[1] == 12
    assert presence_reach(ch, "organised-fraud", environment(ch, changed))[1] == 12 * 100
    # the scored pairs follow: the state actor is not the emergency-credit thief at the defaults
    assert score(ch).residual_eval.goals["free-emergency-credit"].attacker != "state-actor"


def test_a_consumer_at_their_own_premises_reaches_one_premises_each():
    ch = CH["pairing-no-timeout"]
    for count in ("1", "37", "100000"):
        a = Assumptions({"calibration.attacker.consumer.count": count})
        assert presence_reach(ch, "consumer", environment(ch, a))[1] == float(count)
        assert _repeated_premises(ch, "consumer", a) == {float(count)}
    attempts = inputs([ch])["calibration.attacker.consumer.attempts_a_year"]
    assert attempts.default == 1 and attempts.range.lo == attempts.range.hi == 1   # their own, only


def test_presence_figures_are_calibrations_with_ranges_and_sources():
    known = inputs(CH.values())
    for name, spec in scales().attackers.items():
        if "presence" not in spec:
            continue
        for fig in ("attempts_a_year", "count"):
            inp = known[f"calibration.attacker.{name}.{fig}"]
            assert inp.range.calibration and inp.range.source and "risk.yaml:" in inp.range.where
            assert inp.range.contains(spec["presence"][fig])
    assert "presence.attackers" not in known and "presence.attempts_a_year" not in known


def test_an_attacker_without_presence_figures_is_refused_on_a_presence_entry(tmp_path):
    from nowan.model.channels import load_file
    from nowan.model.channels.loader import CHANNEL_DIR
    from nowan.model.errors import ModelError

    text = (CHANNEL_DIR / "utrn-keypad.yaml").read_text()
    text = text.replace("attackers: [consumer, organised-fraud, rogue-installer]",
                        "attackers: [consumer, psp-insider, rogue-installer]", 1)
    p = tmp_path / "utrn-keypad.yaml"
    p.write_text(text)
    with pytest.raises(ModelError, match=r"utrn-keypad.yaml:\d+ field 'entry_points.0.attackers.1'.*'psp-insider' has no 'presence'"):
        load_file(p)


def test_repetition_never_exceeds_the_exposed_premises():
    ch = CH["utrn-keypad"]
    a = Assumptions({"calibration.attacker.organised-fraud.count": "100000", "calibration.attacker.organised-fraud.attempts_a_year": "365"})
    env = environment(ch, a)
    ev = score(ch, a, ["-utrn-mac"]).residual_eval
    imp = next(t for t in ev.goals["free-credit"].trace if t["what"] == "impact")
    assert imp["premises"] == pytest.approx(env["nowan.share"] * env["nowan.smart_ppm_meters"])


# --- USB and Wi-Fi carry the same thing (fully formed GBCS commands to the PPMID, seed 004) -------

def _goal_terms(ch):
    return {g.id: (g.kind, g.scale, str(g.hours), str(g.gbp), g.vulnerable, g.commands) for g in ch.goals}


def test_usb_and_the_wifi_relay_are_judged_on_the_same_terms():
    """Same commands, same harms with the same calibrations, the same fallback and the same
    attackers on the internet side; the old models gave USB a 6-hour, not-vulnerable 'withheld'
    goal and only a remote attacker, so USB scored low where the relay scored very high."""
    usb, relay = CH["usb"], CH["wifi-ppmid-relay"]
    assert usb.commands == relay.commands
    u, r = _goal_terms(usb), _goal_terms(relay)
    shared = set(u) & set(r)
    assert {"top-up-withheld", "non-disconnect-withheld", "price-manipulation", "forced-off-supply"} <= shared
    assert all(u[g] == r[g] for g in shared), {g: (u[g], r[g]) for g in shared if u[g] != r[g]}
    for cid in ("gbcs-e2e", "acb-access-control", "keypad-utrn-fallback"):
        assert cid in usb.existing_controls and cid in relay.existing_controls
    internet = lambda ch: {a for e in ch.entry_points if not e.presence and "insider" not in e.title for a in e.attackers}
    assert internet(usb) == internet(relay)


def test_usb_and_wifi_score_the_same_unless_a_route_difference_says_otherwise():
    """Any difference must come from a step one route has and the other has not (Wi-Fi can be
    jammed; a USB stick can carry BadUSB): at the defaults neither of those decides the level."""
    su, sr = score(CH["usb"]), score(CH["wifi-ppmid-relay"])
    assert (su.residual.level, su.verdict) == (sr.residual.level, sr.verdict)
    assert su.residual.goal == sr.residual.goal == "non-disconnect-withheld"
    for cmd in ("set-non-disconnect",):
        assert su.commands[cmd] == sr.commands[cmd], cmd
    # Both routes' PPMIDs, once compromised (through the Wi-Fi stack, or a crafted command file),
    # flood the HAN; only the internet-facing Wi-Fi PPMID is a way into the home network.
    only_relay = {g.id for g in CH["wifi-ppmid-relay"].goals} - {g.id for g in CH["usb"].goals}
    assert only_relay == {"home-network-intrusion"}


# --- SMETS1 UTRN generation options (seeds 002, 003) ---------------------------------------------

SMETS1 = ["smets1-utrn-gen-1", "smets1-utrn-gen-2", "smets1-utrn-gen-3"]


@pytest.mark.parametrize("cid", SMETS1)
def test_smets1_options_carry_top_up_utrns_only(cid):
    """Seed 002: all other SMETS1 functionality is off after enrolment. The old models carried
    supply and engineering codes (set/deduct credit, open the HAN) and were above appetite for them."""
    ch = CH[cid]
    assert ch.commands == ("top-up",)
    assert all(not g.commands or g.commands == ("top-up",) for g in ch.goals)
    assert {c for c, lvl in score(ch).commands.items() if lvl != "not-carried"} == {"top-up"}


def _shape(ch):
    steps = {s.id: (s.rule.id, s.difficulty, s.scale, s.entry, s.requires) for s in ch.steps}
    controls = {c.id: (c.status, c.blocks, c.hardens) for c in ch.controls}
    goals = {g.id: (g.kind, g.scale, g.requires, g.commands) for g in ch.goals}
    return steps, controls, goals


def test_smets1_options_1_and_2_differ_only_where_seed_003_says():
    """PSP access to generation (direct in option 1, through the Supplier in option 2) and points of
    failure before the UTRN reaches the consumer (option 2: the Supplier's interface as well)."""
    (s1, c1, g1), (s2, c2, g2) = _shape(CH["smets1-utrn-gen-1"]), _shape(CH["smets1-utrn-gen-2"])
    assert {k for k in set(s1) | set(s2) if s1.get(k) != s2.get(k)} == {"supplier-interface-outage"}
    assert {k for k in set(c1) | set(c2) if c1.get(k) != c2.get(k)} == {"no-direct-psp-access"}
    assert (c1["no-direct-psp-access"][0], c2["no-direct-psp-access"][0]) == ("candidate", "existing")
    assert {k for k in set(g1) | set(g2) if g1.get(k) != g2.get(k)} == {"no-top-ups"}
    psp = lambda cid, a=Assumptions(): score(CH[cid], a).residual_eval.steps["psp-misuse"].difficulty
    assert psp("smets1-utrn-gen-2") > psp("smets1-utrn-gen-1")
    outage = lambda cid: max(lk for g, lk, _ in score(CH[cid]).residual_eval.pairs if g == "no-top-ups")
    assert outage("smets1-utrn-gen-2") > outage("smets1-utrn-gen-1")


def test_the_smets1_forums_security_points_are_controls():
    text = " ".join(f"{c.title} {c.source}" for cid in SMETS1 for c in CH[cid].controls)
    for point in ("No direct PSP access to UTRN generation solution", "Authorised access to meters",
                  "Supplier control", "regardless of option", "equal to or more than SMETS2 levels"):
        assert point in text, point


# --- missing threats (seed 004; issue: the PPMID's internet side, gas-meter batteries) ---------------

@pytest.mark.parametrize("cid", ["wifi-ppmid-relay", "wifi-ppmid-utrn"])
def test_internet_facing_ppmids_model_the_home_network_and_gas_battery_threats(cid):
    r = score(CH[cid])
    goals = {g.id: g for g in CH[cid].goals}
    assert goals["home-network-intrusion"].kind == "data-disclosure"
    assert goals["gas-battery-drained"].kind == "dos"
    for gid in ("home-network-intrusion", "gas-battery-drained"):
        assert gid in r.residual_eval.goals, gid          # reachable, so scored
    assert any("battery" in s for s in CH[cid].sources) or cid == "wifi-ppmid-relay"


# --- brute force: forged UTRNs a year x their value ----------------------------------------------

@pytest.mark.parametrize("cid,step", [("utrn-keypad", "guess-mac"), ("wifi-ppmid-utrn", "guess-mac-han")])
def test_mac_guessing_harm_is_expected_forged_utrns_a_year_times_their_value(cid, step):
    """The old models counted a full top-up at every premises the guessing reached, as if every
    attack succeeded; the harm is the expected number of forged UTRNs a year times their value."""
    ch = CH[cid]
    a = Assumptions({"lockout.covers_han": "false"})
    ev = score(ch, a, ["-utrn-mac"]).residual_eval
    goal = ev.goals["guessed-credit"]
    imp = next(t for t in goal.trace if t["what"] == "impact")
    detail = ev.steps[step].detail
    expected = detail["attempts_per_year"] * 2.0 ** -detail["mac_bits"]
    assert imp["expected_successes_per_premises_year"] == pytest.approx(expected)
    assert imp["total"] == pytest.approx(imp["premises"] * expected * 250, rel=1e-3, abs=0.01)
    assert expected < 1 and imp["total"] < imp["premises"] * 250


def test_a_refuted_brute_force_bound_and_a_within_verdict_agree_in_the_model():
    """The brute-force bound (P per meter-year <= bruteforce.max_probability) is refuted on the keypad
    at the defaults; the verdict stays within appetite because the expected forged credit a year is
    small. Both figures are in the verdict's trace."""
    ev = score(CH["utrn-keypad"]).residual_eval
    step = ev.steps["guess-mac"].detail
    assert step["probability_per_year"] > 1e-6                   # the bound is exceeded (refuted)
    goal = ev.goals["guessed-credit"]
    imp = next(t for t in goal.trace if t["what"] == "impact")
    assert imp["expected_successes_a_year"] < 1 and goal.impact == 1
    assert score(CH["utrn-keypad"]).verdict == "within-appetite"


def test_per_success_of_must_name_a_mac_guess_step_required_alone(tmp_path):
    from nowan.model.channels import load_file
    from nowan.model.channels.loader import CHANNEL_DIR
    from nowan.model.errors import ModelError

    text = (CHANNEL_DIR / "utrn-keypad.yaml").read_text()
    bad = text.replace("per_success_of: guess-mac", "per_success_of: keypad-rig")
    p = tmp_path / "utrn-keypad.yaml"
    p.write_text(bad)
    with pytest.raises(ModelError, match=r"utrn-keypad.yaml:\d+ field 'goals.1.per_success_of'"):
        load_file(p)


@pytest.mark.parametrize("presence,field", [
    ("{attempts_a_year: 12, count: many, source: x}", "count"),
    ("{attempts_a_year: -1, count: 5, source: x}", "attempts_a_year"),
    ("{attempts_a_year: 12, count: 5}", "source"),
    ("{attempts_a_year: 12, count: 5, source: x, headcount: 3}", "headcount"),
])
def test_malformed_presence_figures_are_refused_at_their_line(presence, field):
    from nowan.model.channels.catalogues import _check_presence_figures
    from nowan.model.channels.source import parse_yaml
    from nowan.model.errors import ModelError

    src = parse_yaml(f"attackers:\n  gang:\n    capability: 3\n    presence: {presence}\n", "model/data/risk.yaml")
    with pytest.raises(ModelError, match=rf"risk.yaml:4 field 'attackers.gang.presence.{field}'"):
        _check_presence_figures(src, "gang", src.data["attackers"]["gang"]["presence"])
