"""The modification catalogue: every entry valid, every quote verbatim in its seed, errors at file:line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nowan.model.channels import channel_ids, load_channels
from nowan.model.modifications import load_modifications, load_today, parse_modifications, parse_today

CHANNEL_IDS = channel_ids()

SEEDS = Path(__file__).parents[1] / "data" / "seeds"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[*>#\\]", " ", text).split()).lower()


def test_the_issue_list_of_modifications_is_present():
    mods = load_modifications(known_channels=CHANNEL_IDS)
    assert {"mp094-option-1", "mp094-option-2", "sec0009", "secmp0037", "secmp0038-wifi", "secmp0038-usb",
            "secmp0038-nfc", "secmp0038-hardwire", "wg-alternative", "mp169", "smets1-option-1",
            "smets1-option-2", "smets1-option-3", "secmp0032"} <= set(mods)
    assert mods["secmp0032"].outside and not mods["secmp0032"].channels
    assert "table" in mods["mp094-option-1"].note and "opposite" in mods["mp094-option-2"].note


def _positions(mid: str):
    return (load_modifications().get(mid) or load_today()[mid]).positions


@pytest.mark.parametrize("mid,pos", [(m.id, i) for m in [*load_modifications().values(), *load_today().values()]
                                     for i in range(len(m.positions))])
def test_every_quote_is_verbatim_in_the_seed_line_it_cites(mid, pos):
    p = _positions(mid)[pos]
    m = re.fullmatch(r"seed (\d{3}) line (\d+)", p.source)
    assert m, f"{mid}: source {p.source!r} should read 'seed NNN line N'"
    lines = (SEEDS / f"{m.group(1)}.txt").read_text(encoding="utf-8").splitlines()
    line = int(m.group(2))
    window = _norm(" ".join(lines[line - 1:line + 8]))
    assert _norm(p.quote) in window, f"{mid}: quote not found from {p.source}"
    assert _norm(p.quote)[:30] in _norm(lines[line - 1]), f"{mid}: quote does not start on {p.source}"


def test_reversal_controls_exist_in_their_channels():
    channels = load_channels()
    for m in load_modifications().values():
        for control in m.reversed_by:
            assert any(control in {c.id for c in channels[cid].controls} for cid in m.channels), (m.id, control)


GOOD = """\
x:
  title: T
  proposal: P
  source: "seed 000: the proposal"
  channels: [usb]
  combine: all
  owner: O
  positions:
    - {who: W, stance: none, kind: security, kind_source: seed 000 line 1, quote: Q, source: seed 000 line 1}
"""


@pytest.mark.parametrize("old,new,where,what", [
    ("channels: [usb]", "channels: [usbb]", "f.yaml:5 field 'x.channels.0'", "unknown channel 'usbb'"),
    ("combine: all", "combine: some", "f.yaml:6 field 'x.combine'", "expected one of all, any"),
    ("stance: none", "stance: maybe", "f.yaml:9 field 'x.positions.0.stance'", "expected one of support"),
    ("  owner: O\n", "", "f.yaml:2 field 'x'", "missing field 'owner'"),
    ("channels: [usb]", "channels: []", "f.yaml:5 field 'x.channels'", "say why with 'outside'"),
    ("line 1}", "line 1, no_worse_than: Keypad!}", "f.yaml:9 field 'x.positions.0.no_worse_than'",
     "expected a channel id"),
    ("kind: security, ", "", "f.yaml:9 field 'x.positions.0'", "missing field 'kind'"),
    ("kind: security", "kind: opinion", "f.yaml:9 field 'x.positions.0.kind'", "expected one of security, business"),
    ("kind_source: seed 000 line 1, ", "", "f.yaml:9 field 'x.positions.0'", "missing field 'kind_source'"),
    ("line 1}", "line 1, reason_channels: [Relay!]}", "f.yaml:9 field 'x.positions.0.reason_channels'",
     "expected a list of channel ids"),
    ("line 1}", "line 1, harms: [Battery drain]}", "f.yaml:9 field 'x.positions.0.harms'", "expected a non-empty list of goal ids"),
    ("line 1}", "line 1, harms: []}", "f.yaml:9 field 'x.positions.0.harms'", "expected a non-empty list of goal ids"),
])
def test_a_mistake_names_file_line_and_field(old, new, where, what, one_mistake):
    assert parse_modifications(GOOD, "f.yaml", CHANNEL_IDS)["x"].channels == ("usb",)
    one_mistake(lambda text: parse_modifications(text, "f.yaml", CHANNEL_IDS), GOOD, old, new, where, what)


ADDED = GOOD.replace("  owner: O\n", """\
  owner: O
  baseline: {channels: [utrn-keypad], plain: a keypad premises, source: seed 004}
  fewer_commands:
    - {name: top-up only, commands: [top-up], source: seed 004}
    - {name: no price or supply, where: {price_or_supply: false}, source: seed 002}
""")


@pytest.mark.parametrize("old,new,where,what", [
    ("channels: [utrn-keypad]", "channels: [keypad]", "f.yaml:8 field 'x.baseline.channels.0'", "unknown channel 'keypad'"),
    ("channels: [utrn-keypad]", "channels: []", "f.yaml:8 field 'x.baseline.channels'", "expected a list of channel ids"),
    ("commands: [top-up]", "commands: [top-ups]", "f.yaml:10 field 'x.fewer_commands.0.commands.0'", "unknown command 'top-ups'"),
    ("where: {price_or_supply: false}", "where: {priced: false}", "f.yaml:11 field 'x.fewer_commands.1.where.priced'",
     "unknown command field"),
    ("commands: [top-up], source", "commands: [top-up], where: {critical: false}, source", "f.yaml:10 field 'x.fewer_commands.0'",
     "exactly one of"),
    ("  baseline: {channels: [utrn-keypad], plain: a keypad premises, source: seed 004}\n", "",
     "f.yaml:9 field 'x.fewer_commands'", "needs a 'baseline'"),
])
def test_a_mistake_in_the_added_risk_fields_names_file_line_and_field(old, new, where, what, one_mistake):
    m = parse_modifications(ADDED, "f.yaml", CHANNEL_IDS)["x"]
    assert m.baseline.channels == ("utrn-keypad",) and [r.name for r in m.fewer_commands] == ["top-up only", "no price or supply"]
    one_mistake(lambda text: parse_modifications(text, "f.yaml", CHANNEL_IDS), ADDED, old, new, where, what)


def test_every_secmp0038_route_is_judged_over_the_keypad_premises_and_declares_fewer_command_sets():
    mods = load_modifications(known_channels=CHANNEL_IDS)
    for mid in ("secmp0038-wifi", "secmp0038-usb", "secmp0038-nfc", "secmp0038-hardwire"):
        assert mods[mid].baseline and mods[mid].baseline.channels == ("utrn-keypad",), mid
        assert mods[mid].fewer_commands, mid
    assert all(m.baseline is None for mid, m in mods.items() if not mid.startswith("secmp0038"))



def test_every_secmp0038_route_that_passes_gbcs_commands_to_the_ppmid_includes_the_hub_change():
    """Seed 004 names Wi-Fi, USB and NFC as avenues "to pass any GBCS Commands to the PPMID", each
    needing the hub to accept and forward them: NFC was once scored as extended codes without it."""
    from nowan.model.channels import load_channels

    mods = load_modifications(known_channels=CHANNEL_IDS)
    for mid in ("secmp0038-wifi", "secmp0038-usb", "secmp0038-nfc"):
        assert "hub-forwarding" in mods[mid].channels and mods[mid].combine == "all", mid
        route = [c for c in mods[mid].channels if c != "hub-forwarding"]
        carried = {c: set(load_channels(route)[c].commands) for c in route}
        assert all({"change-price", "set-non-disconnect"} <= v for v in carried.values()), (mid, carried)

EXPOSED = GOOD.replace("  owner: O\n", """\
  owner: O
  exposure: {duration: intermittent, source: "domain.md 11.3 (outages from 48 hours)"}
""")


@pytest.mark.parametrize("old,new,where,what", [
    ("duration: intermittent", "duration: sometimes", "f.yaml:8 field 'x.exposure.duration'",
     "expected one of intermittent, permanent"),
    (', source: "domain.md 11.3 (outages from 48 hours)"', "", "f.yaml:8 field 'x.exposure'", "missing field 'source'"),
    ("duration: intermittent", "population: nowan", "f.yaml:8 field 'x.exposure.population'", "unknown field"),
])
def test_a_mistake_in_the_exposure_names_file_line_and_field(old, new, where, what, one_mistake):
    assert parse_modifications(EXPOSED, "f.yaml", CHANNEL_IDS)["x"].exposure.duration == "intermittent"
    assert parse_modifications(GOOD, "f.yaml", CHANNEL_IDS)["x"].exposure is None
    one_mistake(lambda text: parse_modifications(text, "f.yaml", CHANNEL_IDS), EXPOSED, old, new, where, what)


def test_mp094_option_1_runs_intermittent_and_option_2_permanent():
    """domain.md 11.3-11.4: MP094 Option 1 is the intermittent no-WAN option, Option 2 the permanent
    one; SECMP0038 is scoped to intermittent WAN (seed 004), and so is its NFC route's own file."""
    mods = load_modifications(known_channels=CHANNEL_IDS)
    assert mods["mp094-option-1"].exposure.duration == "intermittent"
    assert mods["mp094-option-2"].exposure.duration == "permanent"
    from nowan.model.channels import load_channels
    assert load_channels(["nfc-relay"])["nfc-relay"].exposure_duration == "intermittent"
    assert all("seed" in m.exposure.source or "domain.md" in m.exposure.source
               for m in mods.values() if m.exposure)


CONDITIONED = GOOD.replace("stance: none, kind: security, kind_source: seed 000 line 1, quote: Q, source: seed 000 line 1}", """\
stance: support-with-conditions, kind: security, kind_source: seed 002 line 333, quote: Q, source: seed 002 line 333,
       conditions: [{plain: price commands end to end, commands: {price_or_supply: true},
                     protected_by: [gbcs-end-to-end], source: seed 002 line 333}]}""")


@pytest.mark.parametrize("old,new,where,what", [
    ("protected_by: [gbcs-end-to-end]", "protected_by: [end-to-end]", "f.yaml:11 field 'x.positions.0.conditions.0.protected_by.0'",
     "unknown control mechanism 'end-to-end'"),
    ("commands: {price_or_supply: true}", "commands: {priced: true}", "f.yaml:10 field 'x.positions.0.conditions.0.commands.priced'",
     "unknown command field"),
    ("stance: support-with-conditions", "stance: cannot-support", "f.yaml:10 field 'x.positions.0.conditions'",
     "only a support-with-conditions position"),
    ("plain: price commands end to end, ", "", "f.yaml:10 field 'x.positions.0.conditions.0'", "missing field 'plain'"),
])
def test_a_mistake_in_a_position_condition_names_file_line_and_field(old, new, where, what, one_mistake):
    c = parse_modifications(CONDITIONED, "f.yaml", CHANNEL_IDS)["x"].positions[0].conditions[0]
    assert c.commands == (("price_or_supply", True),) and c.protected_by == ("gbcs-end-to-end",)
    one_mistake(lambda text: parse_modifications(text, "f.yaml", CHANNEL_IDS), CONDITIONED, old, new, where, what)


def test_positions_say_what_they_judge_and_only_the_ssc_mp094_view_sets_the_end_to_end_condition():
    """Issue review: a Large Supplier's 'does not support' (the scale of the need) and the MP169 business
    requirements are not security judgements; the SSC's MP094 view sets a condition the model can test."""
    mods = load_modifications(known_channels=CHANNEL_IDS)
    kinds = {(mid, p.who): p.kind for mid, m in mods.items() for p in m.positions}
    assert kinds["mp094-option-1", "A Large Supplier"] == kinds["mp094-option-2", "A Large Supplier"] == "business"
    assert kinds["mp169", "MP169 business requirements"] == "business"
    assert kinds["secmp0037", "SSC"] == kinds["secmp0038-wifi", "SSC"] == "security"
    for m in mods.values():
        for p in m.positions:
            assert re.search(r"seed 00\d lines? \d", p.kind_source), (m.id, p.who)
    for mid in ("mp094-option-1", "mp094-option-2", "sec0009"):
        ssc = next(p for p in mods[mid].positions if p.who == "SSC")
        assert [c.protected_by for c in ssc.conditions] == [("gbcs-end-to-end",)], mid


def test_the_harm_a_position_names_is_a_goal_its_routes_model():
    """SSC review finding 9: the Working Group's stated drawback of its alternative, gas meter battery
    wastage (seed 004 line 94), is named as the goal that models it, so its page can show the result."""
    assert parse_modifications(GOOD.replace("line 1}", "line 1, harms: [gas-battery-drained]}"), "f.yaml",
                               CHANNEL_IDS)["x"].positions[0].harms == ("gas-battery-drained",)
    mods = load_modifications(known_channels=CHANNEL_IDS)
    wg = mods["wg-alternative"].positions[0]
    assert wg.harms == ("gas-battery-drained",) and "battery" in wg.quote
    channels = load_channels()
    for m in mods.values():
        for p in m.positions:
            for goal in p.harms:
                assert any(goal in {g.id for g in channels[c].goals} for c in m.channels), (m.id, goal)


OWN = GOOD.replace("  owner: O\n", "  owner: O\n  own_risk: {plain: it is to deliver the commands, source: seed 000 section 2.1}\n")


@pytest.mark.parametrize("old,new,where,what", [
    ("source: seed 000 section 2.1}", "}", "f.yaml:8 field 'x.own_risk'", "missing field 'source'"),
    ("  own_risk:", "  baseline: {channels: [utrn-keypad], plain: a keypad premises, source: seed 004}\n  own_risk:",
     "f.yaml:9 field 'x.own_risk'", "is not judged on its own risk"),
])
def test_a_mistake_in_the_own_risk_scope_names_file_line_and_field(old, new, where, what, one_mistake):
    m = parse_modifications(OWN, "f.yaml", CHANNEL_IDS)["x"]
    assert m.own_risk.plain == "it is to deliver the commands" and m.own_risk.source == "seed 000 section 2.1"
    one_mistake(lambda text: parse_modifications(text, "f.yaml", CHANNEL_IDS), OWN, old, new, where, what)


def test_the_mp094_options_say_why_they_are_judged_on_their_routes_own_risk():
    """SSC review finding 7: MP094 is to deliver the commands (seed 000 requirements 1 and 3), SECMP0038 is
    judged on the risk it adds (seed 004); each option's scope is data, with its source."""
    mods = load_modifications(known_channels=CHANNEL_IDS)
    for mid, req in (("mp094-option-1", "business requirement 1"), ("mp094-option-2", "business requirement 3")):
        assert req in mods[mid].own_risk.plain and mods[mid].own_risk.source.startswith("seed 000"), mid
    assert all(m.own_risk is None for m in mods.values() if m.baseline is not None)


TODAY = """\
t:
  today: wan
  title: Today's WAN route
  source: "domain.md 2.2: today's message protection"
  positions:
    - {who: SSC, stance: within-appetite, kind: security, kind_source: seed 002 line 333, quote: Q,
       source: seed 002 line 333, inferred: read from its advice, reason_mechanisms: [gbcs-end-to-end]}
"""


@pytest.mark.parametrize("old,new,where,what", [
    ("today: wan", "today: wann", "f.yaml:2 field 't.today'", "expected the id of a channel in use today"),
    ("stance: within-appetite", "stance: support", "f.yaml:6 field 't.positions.0.stance'",
     "expected one of within-appetite, above-appetite, none"),
    ("reason_mechanisms: [gbcs-end-to-end]", "reason_mechanisms: [end-to-end]",
     "f.yaml:7 field 't.positions.0.reason_mechanisms.0'", "unknown control mechanism 'end-to-end'"),
    ("inferred: read", "harms: [x], inferred: read", "f.yaml:7 field 't.positions.0.harms'", "unknown field"),
    (TODAY[TODAY.index("  positions:"):], "  positions: []\n", "f.yaml:5 field 't.positions'",
     "say what the seeds leave unrecorded"),
])
def test_a_mistake_in_a_route_in_use_today_names_file_line_and_field(old, new, where, what, one_mistake):
    t = parse_today(TODAY, "f.yaml", CHANNEL_IDS)["t"]
    assert t.channel == "wan" and t.positions[0].reason_mechanisms == ("gbcs-end-to-end",)
    assert t.positions[0].inferred == "read from its advice"
    one_mistake(lambda text: parse_today(text, "f.yaml", CHANNEL_IDS), TODAY, old, new, where, what)
    # a position on a proposal cannot name a reason to re-score: only a route in use today is re-scored
    one_mistake(lambda text: parse_modifications(text, "f.yaml", CHANNEL_IDS), GOOD, "line 1}",
                "line 1, reason_mechanisms: [gbcs-end-to-end]}", "f.yaml:9 field 'x.positions.0.reason_mechanisms'",
                "unknown field")


def test_the_routes_in_use_today_are_in_the_catalogue_apart_from_the_proposals():
    """Issue 10 and SSC review finding 5: today's keypad and WAN routes are compared with what the seeds
    record about them. No seed rates either against the appetite, so each position is marked inferred
    and each entry says what is unrecorded; neither is a proposal with a recommendation."""
    mods, today = load_modifications(known_channels=CHANNEL_IDS), load_today(known_channels=CHANNEL_IDS)
    assert {t.channel for t in today.values()} == {"wan", "utrn-keypad"} and not set(today) & set(mods)
    for t in today.values():
        assert t.unrecorded and all(p.inferred and p.kind == "security" for p in t.positions), t.id
    wan = next(t for t in today.values() if t.channel == "wan")
    assert wan.positions[0].who == "SSC" and wan.positions[0].reason_mechanisms == ("gbcs-end-to-end",)
    keypad = next(t for t in today.values() if t.channel == "utrn-keypad")
    assert "SSC" in keypad.unrecorded and all(p.who != "SSC" for p in keypad.positions)
