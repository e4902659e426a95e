"""``nowan robustness`` as a reviewer and a CI job meet it: fields, determinism, pinning, errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nowan.reports.cli import cli

MODELS = Path(__file__).parents[1] / "data" / "models"


def _run(*args: str):
    return CliRunner().invoke(cli, ["robustness", *args])


def test_json_fields_per_channel_and_same_seed_same_bytes():
    args = ("--channels", "usb,utrn-keypad", "--samples", "40", "--trajectories", "2", "--seed", "0x2a", "--json")
    one, two = _run(*args), _run(*args, "--workers", "2")
    assert one.exit_code == 0, one.output
    assert one.stdout == two.stdout            # the worker count never changes the result
    data = json.loads(one.stdout)
    assert data["seed"] == 42 and data["samples"] == 40
    for c in data["channels"]:
        assert {"id", "verdict", "robust", "p_above", "ci", "flips", "drivers"} <= set(c)
        for f in c["flips"]:
            assert {"input", "at", "verdict"} <= set(f)
        for d in c["drivers"]:
            assert {"input", "index"} <= set(d)
    keypad = next(c for c in data["channels"] if c["id"] == "utrn-keypad")
    assert not keypad["robust"] and any(f["input"] == "nowan.share" for f in keypad["flips"])


def test_assume_pins_an_input_and_moves_the_centre():
    res = _run("--channels", "utrn-keypad", "--samples", "0", "--trajectories", "0", "--json",
               "--assume", "nowan.share=0.2")
    data = json.loads(res.stdout)
    assert data["pinned"] == ["nowan.share"]
    keypad = data["channels"][0]
    assert keypad["verdict"] == "above-appetite" and keypad["p_above"] is None
    assert all(f["input"] != "nowan.share" for f in keypad["flips"])


def test_models_directory_and_list():
    res = _run("--models", str(MODELS), "--list", "--json")
    assert res.exit_code == 0, res.output
    ids = [i["input"] for i in json.loads(res.stdout)]
    assert "nowan.share" in ids and any(i.startswith("calibration.utrn-keypad.step.") for i in ids)
    text = _run("--models", str(MODELS), "--samples", "20", "--trajectories", "1")
    assert text.exit_code == 0 and "utrn-keypad" in text.stdout


@pytest.mark.parametrize("args,needle", [
    (("--samples", "-1"), "--samples"),
    (("--samples", "many"), "--samples"),
    (("--workers", "0"), "--workers"),
    (("--channels", "nope"), "nope"),
    (("--assume", "calibration.usb.step.nope.difficulty=2", "--channels", "usb"), "unknown calibration"),
])
def test_mistakes_are_one_line_exit_2(args, needle):
    res = _run(*args)
    assert res.exit_code == 2, res.output
    assert needle in res.output and res.output.strip().count("\n") == 0, res.output
