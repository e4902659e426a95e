"""Added risk (model.channels.added): a route judged on what it adds over the premises as it is today."""
from __future__ import annotations

import shutil
from pathlib import Path

from nowan.model.channels import load_channels
from nowan.model.channels.added import added_risk, cheapest_treatment, points
from nowan.model.channels.loader import CHANNEL_DIR

CH = load_channels()
KEYPAD = [CH["utrn-keypad"]]


def _edited(tmp_path: Path, cid: str, old: str, new: str, also: tuple[str, ...] = ()):
    """The packaged channel ``cid`` with one text edit, loaded from a copy (plus ``also`` unchanged)."""
    for other in also:
        shutil.copy(CHANNEL_DIR / f"{other}.yaml", tmp_path)
    text = (CHANNEL_DIR / f"{cid}.yaml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / f"{cid}.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return load_channels([cid, *also], tmp_path)


def test_a_channel_adds_nothing_over_itself_though_its_own_residual_is_medium():
    a = added_risk(CH["utrn-keypad"], KEYPAD)
    assert a.added == [] and a.level == "very-low" and a.verdict == "within-appetite"
    assert {p.goal for p, _ in a.covered} == {"free-credit", "guessed-credit"}


def test_a_harm_the_keypad_already_carries_does_not_count_for_the_nfc_route():
    a = added_risk(CH["nfc"], KEYPAD)
    assert "free-credit" not in {p.kind for p in a.added}
    assert {p.goal for p, _ in a.covered} >= {"free-credit", "guessed-credit"}
    # without the keypad's own free-credit paths, the same NFC harms are added
    bare = added_risk(CH["nfc"], [])
    assert {"free-credit", "guessed-credit"} <= {p.goal for p in bare.added}


def test_a_harm_the_route_reaches_more_likely_than_the_keypad_is_added(tmp_path):
    # make the NFC insider mint top-up codes as easily as a consumer would: likelier than any keypad path
    ch = _edited(tmp_path, "nfc", "{id: misuse-vending, rule: credential-misuse, target: supplier, "
                 "title: \"Insider mints unpaid top-up UTRNs\", entry: [vending-platform], difficulty: 3",
                 "{id: misuse-vending, rule: credential-misuse, target: supplier, "
                 "title: \"Insider mints unpaid top-up UTRNs\", entry: [vending-platform], difficulty: 1")["nfc"]
    a = added_risk(ch, KEYPAD)
    assert "free-credit" in {p.goal for p in a.added}


def test_withholding_what_the_keypad_premises_never_receives_is_not_added(tmp_path):
    # the keypad carries credit only: a no-WAN premises gets no non-disconnect periods today either
    a = added_risk(CH["wifi-ppmid-relay"], KEYPAD)
    assert "non-disconnect-withheld" in {p.goal for p in a.undelivered}
    assert "non-disconnect-withheld" not in {p.goal for p in a.added}
    assert a.level == "medium" and a.verdict == "within-appetite"
    # the rule reads the baseline's carried commands: a baseline that delivered them makes it added
    keypad = _edited(tmp_path, "utrn-keypad", "commands: [top-up]\n", "commands: [top-up, set-non-disconnect]\n")
    b = added_risk(CH["wifi-ppmid-relay"], [keypad["utrn-keypad"]])
    assert b.worst.goal == "non-disconnect-withheld" and b.level == "very-high"
    assert cheapest_treatment(CH["wifi-ppmid-relay"], [keypad["utrn-keypad"]])["status"] == "none-within-budget"


def test_fewer_command_types_are_scored_by_the_goals_those_commands_enable():
    full = added_risk(CH["nfc"], KEYPAD)
    top_up = added_risk(CH["nfc"], KEYPAD, carried=["top-up"])
    assert top_up.carried == ("top-up",)
    assert {"price-manipulation", "forced-off-supply"} <= {p.goal for p in full.added}
    assert not {"price-manipulation", "forced-off-supply"} & {p.goal for p in top_up.added}
    # top-up only: a withheld top-up has the keypad fallback, and no non-disconnect period is carried
    assert full.level == "high" and top_up.level == "very-low"
    # a command the route does not carry is not added by asking for it
    assert added_risk(CH["usb"], KEYPAD, carried=["top-up", "no-such"]).carried == ("top-up",)


def test_the_reduced_set_result_comes_from_the_model_file(tmp_path):
    # if a withheld top-up also left the premises without its non-disconnect periods, top-up only stays very high
    ch = _edited(tmp_path, "wifi-ppmid-relay", "vulnerable: true, commands: [set-non-disconnect]}",
                 "vulnerable: true, commands: [set-non-disconnect, top-up]}")["wifi-ppmid-relay"]
    assert added_risk(ch, KEYPAD, carried=["top-up"]).level == "very-high"


def test_points_keep_only_the_worst_of_each_goal_and_say_who_reaches_them():
    pts = points(CH["wifi-ppmid-relay"])
    for p in pts:
        assert not any(q is not p and q.goal == p.goal and q.covers(p) for q in pts)
    nd = [p for p in pts if p.goal == "non-disconnect-withheld"]
    assert nd and all(p.attacker and p.scale for p in nd)


def _mods():
    from nowan.model.modifications import load_modifications

    return load_modifications(known_channels=list(CH))


def test_the_hub_forwarding_on_every_hub_is_part_of_the_wifi_and_usb_routes_and_keeps_fewer_commands_high():
    from dataclasses import replace

    from nowan.model.channels.added import modification_added

    mods = _mods()
    for mid in ("secmp0038-wifi", "secmp0038-usb"):
        assert "hub-forwarding" in mods[mid].channels
    wifi = modification_added(mods["secmp0038-wifi"], CH, CH)
    top_up = next(f for f in wifi["fewer_commands"] if f["name"] == "top-up only")
    assert top_up["routes"]["wifi-ppmid-relay"]["level"] == "medium"       # the relay's part falls...
    assert top_up["worst"]["level"] == "high" and top_up["worst"]["goal"] == "hub-taken-over"  # ...the hub's does not
    # without the hub-forwarding threat, the same reduced set is within appetite
    alone = modification_added(replace(mods["secmp0038-wifi"], channels=("wifi-ppmid-relay",)), CH, CH)
    assert next(f for f in alone["fewer_commands"] if f["name"] == "top-up only")["worst"]["level"] == "medium"


def test_the_hub_change_is_exposed_on_every_hub_not_only_at_no_wan_premises(tmp_path):
    every_hub = added_risk(CH["hub-forwarding"], KEYPAD)
    only_nowan = _edited(tmp_path, "hub-forwarding", "exposure: {population: smets2, duration: permanent,",
                         "exposure: {population: nowan, duration: intermittent,")["hub-forwarding"]
    assert every_hub.level == "high" and added_risk(only_nowan, KEYPAD).level == "medium"


def test_over_existing_wifi_displays_only_what_they_cannot_already_do_is_added():
    today = [CH["utrn-keypad"], CH["wifi-ppmid-today"]]
    relay = added_risk(CH["wifi-ppmid-relay"], today)
    assert {"han-dos", "home-network-intrusion", "gas-battery-drained"} <= {p.goal for p, _ in relay.covered}
    assert relay.level == "low" and relay.level != added_risk(CH["wifi-ppmid-relay"], KEYPAD).level
    hub = added_risk(CH["hub-forwarding"], today)
    assert [p.goal for p in hub.added] == ["hub-taken-over"]          # a PPMID can already flood the HAN
    assert "meters-unavailable" in {p.goal for p in added_risk(CH["hub-forwarding"], KEYPAD).added}
    also = _mods()["secmp0038-wifi"].also_over
    assert [b.channels for b in also] == [("utrn-keypad", "wifi-ppmid-today")]
