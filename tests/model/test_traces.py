import json

import pytest

from nowan.model.traces import Step, Trace, TraceError


def test_trace_round_trips_through_json(tmp_path):
    t = Trace("wan", (Step("legit", "command", {"meter": "esme", "command": 3, "value": 12}),
                      Step("attacker", "replay", {"index": 0})),
              {"lockout.covers_han": False}, ("LOCKOUT_OFF",), "credit-once")
    path = tmp_path / "t.json"
    t.save(path)
    back = Trace.load(path)
    assert back == t
    assert json.loads(path.read_text())["steps"][1] == {"actor": "attacker", "action": "replay",
                                                        "args": {"index": 0}}


def test_step_rejects_non_json_arguments():
    with pytest.raises(TypeError, match="JSON types"):
        Step("attacker", "flip", {"frame": b"\x00"})
    with pytest.raises(ValueError, match="actor"):
        Step("someone", "flip", {})


def test_describe_is_one_readable_line():
    assert Step("attacker", "replay", {"index": 2}).describe() == "attacker replay(index=2)"


@pytest.mark.parametrize("text, where", [
    ("not json", "t.json:1"),
    ('{"format": "other"}', "field 'format'"),
    ('{"format": "nowan-attack-trace/1", "channel": "wan", "steps": [{"actor": 1}]}', "steps[0]"),
    ('{"format": "nowan-attack-trace/1", "channel": "wan", "steps": [], "flaws": "X"}', "field 'flaws'"),
])
def test_bad_trace_files_name_the_place(tmp_path, text, where):
    p = tmp_path / "t.json"
    p.write_text(text)
    with pytest.raises(TraceError) as err:
        Trace.load(p)
    assert where in str(err.value) and "\n" not in str(err.value)


def test_missing_trace_file_is_a_user_error(tmp_path):
    with pytest.raises(TraceError, match="cannot read"):
        Trace.load(tmp_path / "absent.json")
