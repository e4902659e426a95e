"""The modification catalogue: every entry valid, every quote verbatim in its seed, errors at file:line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nowan.model.channels import channel_ids, load_channels
from nowan.model.modifications import load_modifications, parse_modifications

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


@pytest.mark.parametrize("mid,pos", [(m.id, i) for m in load_modifications().values()
                                     for i in range(len(m.positions))])
def test_every_quote_is_verbatim_in_the_seed_line_it_cites(mid, pos):
    p = load_modifications()[mid].positions[pos]
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
    - {who: W, stance: none, quote: Q, source: seed 000 line 1}
"""


@pytest.mark.parametrize("old,new,where,what", [
    ("channels: [usb]", "channels: [usbb]", "f.yaml:5 field 'x.channels.0'", "unknown channel 'usbb'"),
    ("combine: all", "combine: some", "f.yaml:6 field 'x.combine'", "expected one of all, any"),
    ("stance: none", "stance: maybe", "f.yaml:9 field 'x.positions.0.stance'", "expected one of support"),
    ("  owner: O\n", "", "f.yaml:2 field 'x'", "missing field 'owner'"),
    ("channels: [usb]", "channels: []", "f.yaml:5 field 'x.channels'", "say why with 'outside'"),
    ("line 1}", "line 1, no_worse_than: Keypad!}", "f.yaml:9 field 'x.positions.0.no_worse_than'",
     "expected a channel id"),
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
