"""Fuzz harnesses come from the channel models: the world, its values and its steps are model data."""
import math
import shutil

import pytest

from nowan.attacks.campaign import run_examples
from nowan.attacks.findings import IMPLEMENTATION, WEAKNESS
from nowan.attacks.registry import channel_ids, harnesses, not_fuzzed
from nowan.attacks.vocabulary import step, vocabulary
from nowan.attacks.worlds import worlds
from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.loader import CHANNEL_DIR
from nowan.model.errors import InputError, ModelError


def _models(tmp_path, channel: str, old: str, new: str):
    """The packaged models, with one line of one channel file changed, loaded from ``tmp_path``."""
    for path in CHANNEL_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    path = tmp_path / f"{channel}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return load_channels([channel], tmp_path)


def test_every_step_is_a_decorated_world_method():
    for wid, world in worlds().items():
        specs = vocabulary(world)
        assert specs, wid
        for spec in specs:
            method = getattr(world, "do_" + spec.action.replace("-", "_"))
            assert any(getattr(getattr(k, method.__name__, None), "fuzz_step", None) == spec
                       for k in world.__mro__), (wid, spec.action)


def test_a_step_declaration_names_a_do_method_and_a_known_actor():
    with pytest.raises(ValueError, match="do_<name>"):
        step("attacker")(lambda self: None)
    with pytest.raises(ValueError, match="legit, attacker or env"):
        step("insider")


def test_channels_without_an_attacker_world_are_not_fuzzed_and_say_so():
    assert "smets1-utrn-gen-1" not in channel_ids() and "nfc" in channel_ids()
    assert "declares no attacker world" in not_fuzzed()["smets1-utrn-gen-1"]
    with pytest.raises(InputError, match="smets1-utrn-gen-1.*not fuzzed"):
        harnesses(["smets1-utrn-gen-1"])


def test_the_window_a_pairing_campaign_runs_under_comes_from_the_model():
    [h] = harnesses(["pairing-no-timeout"])
    own, *shrunk = h.variants(Assumptions(), IMPLEMENTATION)
    assert math.isinf(own["pairing.window_s"]) and [v["pairing.window_s"] for v in shrunk] == [60]
    assert math.isinf(h.variants(Assumptions(), WEAKNESS)[0]["pairing.window_s"])
    # --assume still wins over the model
    assert h.variants(Assumptions({"pairing.window_s": "90"}), WEAKNESS)[0]["pairing.window_s"] == 90


def test_a_modified_model_changes_the_fuzz_evidence(tmp_path):
    """nfc.yaml given a different lockout (window, and no HAN coverage): the harness runs under it,
    its traces record it, and unbounded MAC guessing over NFC becomes evidence."""
    changed = _models(tmp_path, "nfc", "fuzz: {world: nfc}",
                      "fuzz: {world: nfc, assumptions: {lockout.window_s: 60, lockout.covers_han: false}}")
    [h] = harnesses(["nfc"], channels=changed)
    [packaged] = harnesses(["nfc"])
    assert h.variants(Assumptions(), WEAKNESS)[0]["lockout.window_s"] == 60
    assert packaged.variants(Assumptions(), WEAKNESS)[0]["lockout.window_s"] == 600
    found = {f.invariant: f for f in run_examples([h], examples=30, seed=0).findings}
    before = {f.invariant for f in run_examples([packaged], examples=30, seed=0).findings}
    assert "han-guess-rate-bounded" in found and "han-guess-rate-bounded" not in before
    assert found["han-guess-rate-bounded"].trace.assumptions["lockout.covers_han"] is False


def test_a_model_may_leave_out_steps_of_its_world(tmp_path):
    changed = _models(tmp_path, "wan", "fuzz: {world: wan}", "fuzz: {world: wan, omit: [acb-forge, acb-topup]}")
    [h] = harnesses(["wan"], channels=changed)
    actions = {s.action for s in h.machine.steps_spec}
    assert "acb-tamper" in actions and not actions & {"acb-forge", "acb-topup"}


@pytest.mark.parametrize("new, message", [
    ("fuzz: {world: bluetooth}", r"nfc.yaml:\d+ field 'fuzz.world': unknown fuzz world 'bluetooth'"),
    ("fuzz: {world: nfc, omit: [teleport]}", r"nfc.yaml:\d+ field 'fuzz.omit': 'teleport' is not a step"),
])
def test_a_bad_fuzz_section_is_a_user_error_naming_the_model_line(tmp_path, new, message):
    changed = _models(tmp_path, "nfc", "fuzz: {world: nfc}", new)
    with pytest.raises(InputError, match=message):
        harnesses(["nfc"], channels=changed)


def test_a_bad_fuzz_assumption_is_a_model_error_naming_the_line(tmp_path):
    with pytest.raises(ModelError, match=r"nfc.yaml:\d+.*lockout.window_s"):
        _models(tmp_path, "nfc", "fuzz: {world: nfc}", "fuzz: {world: nfc, assumptions: {lockout.window_s: soon}}")
