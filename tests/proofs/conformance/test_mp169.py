"""Family 6 conformance: the DCC conforms; the issue's mutant stops mp169-blocks-consumption being proved."""
from __future__ import annotations

import pytest

from nowan.model.devices import dcc
from nowan.proofs import run
from nowan.proofs.conformance import Budget, mp169 as conf_mp169


def test_faithful_dcc_conforms(budget: Budget) -> None:
    ev = conf_mp169.check(budget)
    assert ev.status == "conforms", ev.divergence
    assert ev.steps > budget.examples


def test_serving_a_consumption_read_under_the_flag_is_not_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    # the mutant: the DCC forgets one consumption-related read (ECS82, Read Meter Balance)
    monkeypatch.setattr(dcc, "CONSUMPTION_RELATED", dcc.CONSUMPTION_RELATED - {0x0069})
    results = {r.property: r for r in run(["mp169-flag"])}
    blocked = results["mp169-blocks-consumption"]
    assert blocked.status == "unknown", blocked.detail
    assert blocked.detail.startswith("model does not conform to the code:") and "0x0069" in blocked.detail
    assert blocked.conformance["status"] == "diverges"
