"""Every citation says what it is cited for, and every candidate cost is sourced or a labelled placeholder.

A bare "domain.md 1.5" or "S21" beside a control tells a reviewer nothing about which claim rests on
it (the channel ``sources`` lists are checked by the loader; these are the control and assumption
sources the loader takes as free text). A candidate control's cost ranks treatments in front of the
committee, so it must cite where it comes from or say it is a placeholder.
"""
from __future__ import annotations

import re

import pytest

from nowan.model.assumptions import catalogue
from nowan.model.channels import channel_ids, load_channels

CITATION = re.compile(r"\b(?:domain\.md|design\.md) \d[\d.,\- ]*(?:and \d[\d.]*)?|\bseed 00\d\b|\bS\d{1,2}\b")
LABEL = re.compile(r"\[(?:C|C-V|C2|I|U|A)\]")
WORD = re.compile(r"[A-Za-z][\w'+-]*")
#: A cost basis: a citation, an explicit placeholder, or a zero cost with its reason.
COST = re.compile(r"\bcost: (?:placeholder \[A\]|0, \S|" + CITATION.pattern + ")")
#: Channel files another change owns; listed here until their control sources say what they cite.
PENDING = {"nfc", "usb", "wifi-ppmid-relay"}


def bare(text: str) -> list[str]:
    """The ';'-separated parts of ``text`` that cite something without saying what for: no
    'CITATION: what', and fewer than three words besides citations and status labels."""
    out = []
    for part in text.split(";"):
        if not CITATION.search(part) or re.search(r": \S", part):
            continue
        rest = LABEL.sub(" ", CITATION.sub(" ", part))
        if len(WORD.findall(rest)) < 3:
            out.append(part.strip())
    return out


def test_the_rule_catches_bare_citations_and_passes_explained_ones():
    assert bare("domain.md 1.5") == ["domain.md 1.5"]
    assert bare("domain.md 1.6 [A] placeholder") == ["domain.md 1.6 [A] placeholder"]
    assert bare("S21; cost: placeholder [A], no sourced figure") == ["S21"]
    assert bare("SECMP0037 (S19) [C]") == ["SECMP0037 (S19) [C]"]
    assert bare("domain.md 1.5 and 2") == ["domain.md 1.5 and 2"]
    assert bare("domain.md 1.2: the MAC over value, counter and EUIs") == []
    assert bare("nowan candidate; cost: placeholder [A], no sourced figure") == []
    assert bare("the seeds report 0.07% to 36% (seed 002, domain.md 11.2)") == []


@pytest.mark.parametrize("cid", [pytest.param(c, marks=pytest.mark.xfail(reason="control sources owned by another change"))
                                 if c in PENDING else c for c in channel_ids()])
def test_every_control_source_says_what_it_is_cited_for(cid):
    ch = load_channels([cid])[cid]
    found = {c.id: bare(c.source) for c in ch.controls}
    assert not any(found.values()), {k: v for k, v in found.items() if v}


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
