"""Every citation says what it is cited for, and every candidate cost is sourced or a labelled placeholder.

A bare "domain.md 1.5" or "S21" beside a control tells a reviewer nothing about which claim rests on
it (the loader refuses a bare citation in a channel's ``sources``, a control's ``source`` and a
proposal's ``source``; the assumptions' sources are checked here). A candidate control's cost ranks treatments in front of the
committee, so it must cite where it comes from or say it is a placeholder.
"""
from __future__ import annotations

import re

import pytest

from nowan.model.assumptions import catalogue
from nowan.model.channels import channel_ids, load_channels
from nowan.model.channels.loader import CHANNEL_DIR, load_file
from nowan.model.citations import CITATION, bare
from nowan.model.errors import ModelError
from nowan.model.modifications import load_modifications, parse_modifications

#: A cost basis: a citation, an explicit placeholder, or a zero cost with its reason.
COST = re.compile(r"\bcost: (?:placeholder \[A\]|0, \S|" + CITATION.pattern + ")")
KEYPAD = (CHANNEL_DIR / "utrn-keypad.yaml").read_text()


@pytest.mark.parametrize("cid", channel_ids())
def test_every_control_source_says_what_it_is_cited_for(cid):
    ch = load_channels([cid])[cid]
    found = {c.id: bare(c.source) for c in ch.controls}
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_a_bare_control_source_is_a_load_error_naming_file_and_line(tmp_path):
    old = 'source: "domain.md 1.2: the 32-bit MAC binds value, class, counter and both EUIs"'
    assert KEYPAD.count(old) == 1
    (tmp_path / "utrn-keypad.yaml").write_text(KEYPAD.replace(old, "source: domain.md 1.2"))
    with pytest.raises(ModelError, match=r"utrn-keypad.yaml:\d+ field 'controls.0.source'.*'domain.md 1.2'"):
        load_file(tmp_path / "utrn-keypad.yaml")


def test_every_proposal_source_says_what_it_is_cited_for_and_a_bare_one_is_refused():
    assert all(not bare(m.source) for m in load_modifications().values())
    text = (CHANNEL_DIR.parent / "data" / "modifications.yaml").read_text()
    old = "  source: \"seed 001: the MP169 business requirements\"\n"
    assert text.count(old) == 1
    with pytest.raises(ModelError, match=r"modifications.yaml:\d+ field 'mp169.source'.*'seed 001'"):
        parse_modifications(text.replace(old, "  source: seed 001\n"), "modifications.yaml")


@pytest.mark.parametrize("cid", channel_ids())
def test_every_candidate_cost_is_sourced_or_a_placeholder(cid):
    ch = load_channels([cid])[cid]
    unsourced = [c.id for c in ch.controls if c.status == "candidate" and not COST.search(c.source)]
    assert not unsourced, f"{cid}: candidate cost with no 'cost: <citation>' or 'cost: placeholder [A]': {unsourced}"


def test_every_assumption_source_says_what_it_is_cited_for():
    found = {k: bare(a.source) + bare(a.range.source) for k, a in catalogue().items()}
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_placeholder_costs_are_known_to_the_model():
    ch = load_channels(["pairing-no-timeout"])["pairing-no-timeout"]
    assert ch.control("cs14-alert").cost_is_placeholder and not ch.control("A-60MIN").cost_is_placeholder
