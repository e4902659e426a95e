"""Loader errors name file, line and field; every model validates; nothing fails silently."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from nowan.model.channels import channel_ids, load_channels, load_file
from nowan.model.channels.loader import CHANNEL_DIR
from nowan.model.errors import ModelError, NowanError

KEYPAD = (CHANNEL_DIR / "utrn-keypad.yaml").read_text()


def _write(tmp_path: Path, text: str, name: str = "utrn-keypad") -> Path:
    p = tmp_path / f"{name}.yaml"
    p.write_text(text)
    return p


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_registry_is_the_directory_sorted_and_without_the_rule_catalogue():
    chs = load_channels()
    assert list(chs) == list(channel_ids()) == sorted(chs)
    assert len(chs) == 15 and "rules" not in chs
    assert {"utrn-keypad", "wan", "smets1-utrn-gen-3"} <= set(chs)


def test_a_new_file_in_a_models_directory_is_a_channel_and_unknown_ids_list_the_directory(tmp_path):
    (tmp_path / "keypad-copy.yaml").write_text((CHANNEL_DIR / "utrn-keypad.yaml").read_text()
                                              .replace("id: utrn-keypad", "id: keypad-copy", 1))
    (tmp_path / "notes.txt").write_text("not a model")
    assert channel_ids(tmp_path) == ("keypad-copy",)
    assert list(load_channels(directory=tmp_path)) == ["keypad-copy"]
    with pytest.raises(ModelError, match=r"channel 'utrn-keypad': unknown channel; expected one of keypad-copy$"):
        load_channels(["utrn-keypad"], tmp_path)


def test_models_validate_against_the_published_schema_for_editors():
    schema = json.loads((CHANNEL_DIR / "schema.json").read_text())
    for cid in channel_ids():
        jsonschema.validate(yaml.safe_load((CHANNEL_DIR / f"{cid}.yaml").read_text()), schema)


@pytest.mark.parametrize("old,new,needle,field", [
    ("rule: replay\n", "rule: no-such-rule\n", "rule: no-such-rule", "steps.0.rule"),
    ("entry: [keypad]\n    difficulty: 1\n    scale: premises\n  - id: cross-meter-utrn",
     "entry: [nowhere]\n    difficulty: 1\n    scale: premises\n  - id: cross-meter-utrn", "entry: [nowhere]", "steps.0.entry.0"),
    ("blocks: [replay-used-utrn]", "blocks: [no-such-step]", "blocks: [no-such-step]", "controls.1.blocks.0"),
    ("gbp: limits.max_topup_pence / 100", "gbp: limits.no_such_key / 100", "gbp: limits.no_such_key", "goals.0.gbp"),
    ("scale: fleet\n", "scale: planet\n", "scale: planet", "steps.5.scale"),
    ("attackers: [psp-insider]", "attackers: [martian]", "attackers: [martian]", "entry_points.1.attackers.0"),
    ("hardens: {misuse-vending: 2}", "hardens: {misuse-vending: -1}", "hardens: {misuse-vending: -1}",
     "controls.4.hardens.misuse-vending"),
    ("commands: [top-up]\nassets", "commands: [teleport]\nassets", "commands: [teleport]", "commands.0"),
])
def test_errors_name_file_line_and_field(tmp_path, old, new, needle, field):
    assert old in KEYPAD
    text = KEYPAD.replace(old, new, 1)
    with pytest.raises(ModelError) as exc:
        load_file(_write(tmp_path, text))
    msg = str(exc.value)
    assert "\n" not in msg
    assert f"utrn-keypad.yaml:{_line_of(text, needle)}" in msg, msg
    assert f"field '{field}'" in msg, msg


def test_unknown_field_points_at_that_key(tmp_path):
    text = KEYPAD.replace("exposure:", "colour: blue\nexposure:", 1)
    with pytest.raises(ModelError, match=rf"utrn-keypad.yaml:{_line_of(text, 'colour')} field 'colour'"):
        load_file(_write(tmp_path, text))


def test_yaml_syntax_error_is_one_line(tmp_path):
    with pytest.raises(ModelError, match=r"utrn-keypad.yaml:\d+: not valid YAML"):
        load_file(_write(tmp_path, KEYPAD + "\n  - [unclosed\n"))


def test_id_must_match_file_name(tmp_path):
    with pytest.raises(ModelError, match="field 'id'"):
        load_file(_write(tmp_path, KEYPAD, name="other"))


def test_cycle_in_preconditions_is_an_error(tmp_path):
    text = KEYPAD.replace("    title: Fit a robotic key-presser to enter codes unattended\n",
                          "    title: Fit a robotic key-presser to enter codes unattended\n    requires: guess-mac\n")
    with pytest.raises(ModelError, match="cycle"):
        load_file(_write(tmp_path, text))


def test_duplicate_stable_id_is_an_error(tmp_path):
    text = KEYPAD.replace("rule: cross-device-replay", "rule: replay")
    text = text.replace("title: Enter a UTRN minted for another meter", "title: x")
    with pytest.raises(ModelError, match="stable id 'replay@utrn-keypad@meter' used twice"):
        load_file(_write(tmp_path, text))


def test_expression_that_cannot_evaluate_is_an_error_not_a_silent_zero(tmp_path):
    text = KEYPAD.replace("difficulty: 2\n    cost_gbp: 100", "difficulty: \"1 / 0\"\n    cost_gbp: 100")
    with pytest.raises(ModelError, match="cannot evaluate"):
        load_file(_write(tmp_path, text))


def test_unknown_channel_id_is_a_user_error():
    with pytest.raises(NowanError, match="unknown channel"):
        load_channels(["nope"])


def test_every_record_keeps_its_source_line():
    for ch in load_channels().values():
        for rec in (*ch.steps, *ch.controls, *ch.goals, *ch.entry_points):
            assert rec.origin.file == f"model/channels/{ch.id}.yaml"
            assert isinstance(rec.origin.line, int) and rec.origin.line > 1


def test_stable_ids_follow_rule_channel_target():
    ch = load_channels(["utrn-keypad"])["utrn-keypad"]
    assert ch.step("replay-used-utrn").stable_id == "replay@utrn-keypad@meter"


@pytest.mark.parametrize("value,shown", [("0", "0"), ("6", "6"), ("5.5", "5.5"), ("\"2 * 3\"", "6"), ("-1", "-1")])
def test_step_difficulty_outside_1_to_5_is_an_error_naming_file_line_and_field(tmp_path, value, shown):
    old = "difficulty: 2\n    cost_gbp: 100"
    text = KEYPAD.replace(old, f"difficulty: {value}\n    cost_gbp: 100")
    assert text != KEYPAD
    with pytest.raises(ModelError) as info:
        load_file(_write(tmp_path, text))
    line = _line_of(text, f"difficulty: {value}")
    msg = str(info.value)
    assert f"utrn-keypad.yaml:{line} field 'steps.3.difficulty'" in msg and "\n" not in msg
    assert f"difficulty {shown} out of range; expected 1 (trivial) .. 5 (very hard)" in msg


@pytest.mark.parametrize("value", ["1", "5", "2.5", "\"1 + 1\""])
def test_step_difficulty_at_the_ends_of_the_scale_loads(tmp_path, value):
    text = KEYPAD.replace("difficulty: 2\n    cost_gbp: 100", f"difficulty: {value}\n    cost_gbp: 100")
    load_file(_write(tmp_path, text))


def test_schema_for_editors_bounds_the_declared_difficulty():
    schema = json.loads((CHANNEL_DIR / "schema.json").read_text())
    data = yaml.safe_load(KEYPAD)
    data["steps"][0]["difficulty"] = 6
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


@pytest.mark.parametrize("bad", ["seed 004", "SECMP0038 working group (seed 004)", "domain.md 4 A-PPMID"])
def test_a_channel_source_must_say_what_it_is_cited_for(tmp_path, bad):
    """A bare citation, or one that does not resolve through docs/sources.md, is an error at its line."""
    old = '  - "S16, S17: the keypad lockout figures behind A-LOCKOUT"\n'
    assert old in KEYPAD
    text = KEYPAD.replace(old, f'  - "{bad}"\n', 1)
    with pytest.raises(ModelError) as exc:
        load_file(_write(tmp_path, text))
    assert f"utrn-keypad.yaml:{_line_of(text, bad)}" in str(exc.value)
    assert "field 'sources.1'" in str(exc.value)


def test_a_goal_reached_by_withholding_must_name_the_withheld_commands(tmp_path):
    text = (CHANNEL_DIR / "wifi-ppmid-utrn.yaml").read_text()
    old = "vulnerable: true, commands: [top-up]}"
    assert text.count(old) == 1
    text = text.replace(old, "vulnerable: true}")
    with pytest.raises(ModelError) as exc:
        load_file(_write(tmp_path, text, "wifi-ppmid-utrn"))
    assert f"wifi-ppmid-utrn.yaml:{_line_of(text, 'id: top-up-blocked')}" in str(exc.value)
    assert "withholding" in str(exc.value) and "field 'goals.2'" in str(exc.value)


# --- scale: a step needing presence at a premises reaches one premises (issue: seeds, scale) ------

def _keypad_step_scale_line(step: str) -> int:
    start = _line_of(KEYPAD, f"- id: {step}")
    return next(i for i, line in enumerate(KEYPAD.splitlines(), 1) if i > start and "scale:" in line)


@pytest.mark.parametrize("step", ["keypad-rig", "guess-mac"])   # at the keypad; needs the keypad-rig
def test_a_step_needing_presence_labelled_national_is_refused_at_its_line(tmp_path, step):
    line = _keypad_step_scale_line(step)
    lines = KEYPAD.splitlines()
    assert lines[line - 1].strip() == "scale: premises"
    lines[line - 1] = lines[line - 1].replace("premises", "national")
    with pytest.raises(ModelError) as exc:
        load_file(_write(tmp_path, "\n".join(lines) + "\n"))
    msg = str(exc.value)
    assert f"utrn-keypad.yaml:{line} " in msg and "needs presence" in msg and "'presence'" in msg, msg


def test_repetition_belongs_to_the_attacker_profile_not_the_entry(tmp_path):
    text = KEYPAD.replace("    presence: true\n", "    presence: true\n    repeat: 10\n", 1)
    assert text != KEYPAD
    with pytest.raises(ModelError, match=r"utrn-keypad.yaml:\d+ field 'entry_points.0.repeat': unknown field"):
        load_file(_write(tmp_path, text))


def test_presence_entries_are_declared_where_attackers_stand_at_the_premises():
    chs = load_channels()
    presence = {(cid, e.id) for cid, ch in chs.items() for e in ch.entry_points if e.presence}
    assert {("utrn-keypad", "keypad"), ("usb", "usb-port"), ("nfc", "nfc-field"), ("wan", "wan-radio"),
            ("pairing-no-timeout", "han-radio"), ("wifi-ppmid-relay", "home-wifi")} <= presence
    for ch in chs.values():   # no presence-only step claims more than one premises
        for s in ch.steps:
            if s.entry and all(ch.entry(e).presence for e in s.entry):
                assert s.scale == "premises", (ch.id, s.id)


def test_a_comparison_key_outside_the_schema_is_an_error_at_its_line(tmp_path):
    text = (CHANNEL_DIR / "smets1-utrn-gen-1.yaml").read_text().replace(
        "comparison: smets1-utrn-generation", "comparison: smets1-options", 1)
    with pytest.raises(ModelError) as exc:
        load_file(_write(tmp_path, text, "smets1-utrn-gen-1"))
    msg = str(exc.value)
    assert f"smets1-utrn-gen-1.yaml:{_line_of(text, 'comparison: smets1-options')}" in msg, msg
    assert "field 'comparison'" in msg and "smets1-utrn-generation" in msg, msg


def test_the_smets1_options_declare_their_comparison():
    chs = load_channels()
    assert sorted(c for c, ch in chs.items() if ch.comparison == "smets1-utrn-generation") == [
        "smets1-utrn-gen-1", "smets1-utrn-gen-2", "smets1-utrn-gen-3"]


# --- a root step says where the attacker stands (finding: steps with no entry escaped the check) --

PAIRING = (CHANNEL_DIR / "pairing-no-timeout.yaml").read_text()


def test_a_root_step_without_an_entry_is_refused_at_its_line(tmp_path):
    old = "entry: [han-radio, premises], difficulty: 1, scale: premises}"
    assert old in PAIRING
    text = PAIRING.replace(old, "difficulty: 1, scale: national}", 1)   # the old catch-open-window
    with pytest.raises(ModelError) as exc:
        load_file(_write(tmp_path, text, "pairing-no-timeout"))
    msg = str(exc.value)
    assert f"pairing-no-timeout.yaml:{_line_of(text, 'id: catch-open-window')} " in msg, msg
    assert "catch-open-window" in msg and "'entry'" in msg and "anywhere" in msg


def test_anywhere_needs_no_entry_beside_it(tmp_path):
    text = PAIRING.replace("scale: national,\n     anywhere:", "scale: national, entry: [han-radio],\n     anywhere:", 1)
    assert text != PAIRING
    with pytest.raises(ModelError, match=r"pairing-no-timeout.yaml:\d+ field 'steps.0.anywhere'"):
        load_file(_write(tmp_path, text, "pairing-no-timeout"))


def test_catching_the_pairing_window_needs_radio_range_so_reaches_one_premises():
    ch = load_channels(["pairing-no-timeout"])["pairing-no-timeout"]
    step = ch.step("catch-open-window")
    assert step.scale == "premises" and all(ch.entry(e).presence for e in step.entry)
    assert not any(i.id.endswith("step.catch-open-window.scale") for i in ch.inputs)   # no longer swept
    for s in ch.steps:
        assert s.entry or s.requires is not None or s.id == "obtain-zse-cert"
