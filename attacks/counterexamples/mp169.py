"""MP169 counterexamples on the DCC: set/clear the flag, submit requests, change of supplier.

The trace's symbolic parties become the scenario's two suppliers: the step's sender is the
responsible supplier when the trace says so, otherwise the other supplier (another SEC party). The
flag starts as the trace's first state has it. Request classes map to real traffic: consumption ->
a Read Meter Balance (ECS82, 0x0069) submitted to the DCC; alert -> a CS14 alert frame the hub
raised, received by the DCC; firmware and other -> a non-consumption Remote Party command (the
catalogue has no firmware message; see :mod:`nowan.proofs.mp169`).
"""
from __future__ import annotations

from typing import Any

from nowan.attacks.counterexamples.args import Record, takes
from nowan.attacks.counterexamples.base import CounterexampleWorld
from nowan.model.traces import Trace
from nowan.model.values import NumberSpec

READ_METER_BALANCE = 0x0069
#: The solver's symbolic parties (any integers; only equality with the state's supplier matters).
PARTY = NumberSpec(minimum=-2**63, maximum=2**63 - 1, integer=True)
#: Every step carries the solver's whole action and the state before it (the first one's flag
#: is where the DCC starts).
STEP = {"sender": PARTY, "value": (True, False), "by_responsible_supplier": (True, False),
        "request": ("consumption", "alert", "firmware", "other"),
        "state": Record({"flag": (True, False), "supplier": PARTY})}


class Mp169FlagWorld(CounterexampleWorld):
    """Reproduced if the DCC's own flag and answers break the traced property."""

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.alerts = list(self.sc.hub.cs14_alerts)
        self.violated = False
        if trace.steps and trace.steps[0].args["state"]["flag"]:
            self.sc.dcc.set_mp169(self.sc.supplier.eui, self.sc.esme.eui, True)

    def _flag(self) -> bool:
        return self.sc.dcc.devices[self.sc.esme.eui].mp169

    def _served(self, request: str) -> bool:
        sc = self.sc
        if request == "consumption":
            return sc.dcc.submit(sc.supplier.eui, sc.supplier.raw_command(sc.esme.eui, READ_METER_BALANCE, b"")) \
                .frame is not None
        if request == "alert":
            return sc.dcc.receive_alert(self.alerts.pop(0)).accepted
        return sc.send_command("esme", "change-price", 20) is not None

    @takes(**STEP)
    def do_set_flag(self, by_responsible_supplier: bool, value: bool, **_solver: Any) -> None:
        before = self._flag()
        sender = self.sc.supplier if by_responsible_supplier else self.sc.supplier2
        out = self.sc.dcc.set_mp169(sender.eui, self.sc.esme.eui, bool(value))
        self.violated |= (self.trace.invariant == "mp169-responsible-supplier" and self._flag() != before
                          and not by_responsible_supplier)
        self.log.append({"action": "set-flag", "responsible": by_responsible_supplier, "accepted": out.accepted,
                         "flag": self._flag()})

    @takes(**STEP)
    def do_request(self, request: str, **_solver: Any) -> None:
        before = self._flag()
        served = self._served(request)
        wrong = served if request == "consumption" else not served and request in ("alert", "firmware")
        self.violated |= self.trace.invariant == "mp169-blocks-consumption" and before and wrong
        self.log.append({"action": "request", "class": request, "flag": before, "served": served})

    @takes(**STEP)
    def do_change_supplier(self, **_solver: Any) -> None:
        before = self._flag()
        self.sc.change_supplier()
        self.violated |= self.trace.invariant == "mp169-survives-cos" and self._flag() != before
        self.log.append({"action": "change-supplier", "flag_before": before, "flag_after": self._flag()})

    def verdict(self) -> tuple[bool, str]:
        return self.violated, f"{self.trace.invariant} {'broken' if self.violated else 'held'} on the DCC"
