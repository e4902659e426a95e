"""The rule every source text follows: each citation says what it is cited for."""
from __future__ import annotations

from nowan.model.citations import bare, problem


def test_the_rule_catches_bare_citations_and_passes_explained_ones():
    assert bare("domain.md 1.5") == ["domain.md 1.5"]
    assert bare("domain.md 1.6 [A] placeholder") == ["domain.md 1.6 [A] placeholder"]
    assert bare("S21; cost: placeholder [A], no sourced figure") == ["S21"]
    assert bare("SECMP0037 (S19) [C]") == ["SECMP0037 (S19) [C]"]
    assert bare("domain.md 1.5 and 2") == ["domain.md 1.5 and 2"]
    assert bare("domain.md 1.2: the MAC over value, counter and EUIs") == []
    assert bare("nowan candidate; cost: placeholder [A], no sourced figure") == []
    assert bare("the seeds report 0.07% to 36% (seed 002, domain.md 11.2)") == []
    assert problem("seed 003") and problem("seed 003: the SMETS1 forum's options") is None
