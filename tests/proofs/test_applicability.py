"""Which proof families apply is read off keys the model declares (a control's ``mechanism``),
never off control or channel ids."""
from __future__ import annotations

from dataclasses import replace

from nowan.model.channels import load_channels
from nowan.proofs.applicability import families

CH = load_channels(["utrn-keypad", "wan", "pairing-no-timeout", "mp169-flag"])


def _renamed(channel, prefix: str = "my-"):
    """The same model with every control id changed (and every reference to it)."""
    return replace(channel, controls=tuple(replace(c, id=prefix + c.id) for c in channel.controls))


def _without_mechanisms(channel):
    return replace(channel, controls=tuple(replace(c, mechanism=None) for c in channel.controls))


def test_renaming_controls_changes_no_family() -> None:
    for ch in CH.values():
        assert families(_renamed(ch)) == families(ch), ch.id


def test_the_declared_mechanism_is_what_makes_a_family_apply() -> None:
    assert families(CH["utrn-keypad"]).utrn_paths and families(CH["wan"]).commands
    assert families(CH["mp169-flag"]).mp169
    bare = {cid: families(_without_mechanisms(ch)) for cid, ch in CH.items()}
    assert bare["wan"].commands is False
    assert bare["mp169-flag"].mp169 is False
    assert bare["utrn-keypad"].utrn_paths == ("keypad",)  # still implied by its mac-guess step
    assert bare["pairing-no-timeout"].pairing  # still implied by its rogue-join step
