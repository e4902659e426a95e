"""Conformance of family 6 (the MP169 flag) with the DCC's access control.

The model is :func:`proofs.mp169.system`, faithful (its relation is the same for the three
behavioural properties), with the DCC's answers read from the relation by
:func:`proofs.mp169.accepted`. Abstraction of the DCC: ``flag`` = the ESME record's MP169 flag,
``supplier`` = which of the two suppliers is responsible for it (1 or 2).

Actions on a premises, all through the DCC's public interface:

- ``set-flag`` by supplier 1 or 2 (responsible or not), to set or clear: ``Dcc.set_mp169``; and
  the consumer's choice, passed on by the responsible supplier.
- ``request`` by the responsible supplier: a consumption-related read (the catalogue's
  consumption use cases, :data:`CONSUMPTION_USE_CASES`; all of them in one go while the flag is set) submitted to the DCC; an alert (a CS14 the hub raises on a real
  device-log change) received by the DCC; or another Remote Party command (a price change, a debt
  adjustment, a configuration read). Served = a protected frame (or an accepted alert) came back.
- ``change-supplier``: the premises changes supplier (DCC registration and meter anchors).
"""
from __future__ import annotations

from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw, Scenario
from nowan.model.gbcs import codes
from nowan.model.devices.scenario import PPMID_EUI, SUPPLIER2_EUI, SUPPLIER_EUI
from nowan.proofs import mp169
from nowan.proofs.conformance.concrete import ConcreteModel, Values
from nowan.proofs.conformance.machine import Budget, ConformanceMachine, Evidence, run

SUPPLIERS = {1: SUPPLIER_EUI, 2: SUPPLIER2_EUI}
#: The consumption-related requests by use case (prepayment registers, billing data log credits,
#: meter balance), taken from the message catalogue, not from the DCC's own code set: a DCC that
#: forgets one of them must show up here.
CONSUMPTION_USE_CASES = ("ECS19", "GCS14", "ECS20d", "GCS15e", "ECS82", "GCS60")
CONSUMPTION_CODES = tuple(sorted(c for c, e in codes.catalogue().items() if e.use_case in CONSUMPTION_USE_CASES))
#: Remote Party commands that reveal no consumption: (command id, value) or a raw read code.
OTHER = (("change-price", 20), ("add-debt", 100), 0x003B)


class Mp169Machine(ConformanceMachine):
    """The DCC's MP169 rules against ``mp169.system``."""

    @initialize()
    def build(self) -> None:
        self.sc = Scenario.build(Assumptions(), self.device_flaws)
        self.esme = self.sc.esme.eui
        self.begin(ConcreteModel(mp169.system("mp169-blocks-consumption"), {}, ("flag", "supplier")),
                   self.abstract)

    def abstract(self) -> Values:
        rec = self.sc.dcc.devices[self.esme]
        return {"flag": rec.mp169, "supplier": next(i for i, e in SUPPLIERS.items() if e == rec.supplier)}

    @rule(sender=st.sampled_from(sorted(SUPPLIERS)), value=st.booleans())
    def set_flag(self, sender: int, value: bool) -> None:
        accepted = self.sc.dcc.set_mp169(SUPPLIERS[sender], self.esme, value).accepted
        self.check(f"set-flag {value} by supplier {sender}",
                   {"kind": mp169.SET_FLAG, "sender": sender, "value": value}, accepted, mp169.accepted)

    @rule(value=st.booleans())
    def consumer_choice(self, value: bool) -> None:
        """The consumer asks: the responsible supplier sets (or clears) the flag."""
        self.set_flag(self.abstract()["supplier"], value)

    @rule(code=st.sampled_from(CONSUMPTION_CODES))
    def consumption_read(self, code: int) -> None:
        sup = self.sc.supplier
        served = self.sc.dcc.submit(sup.eui, sup.raw_command(self.esme, code, b"")).frame is not None
        self.check(f"request consumption 0x{code:04X}", {"kind": mp169.REQUEST, "cls": mp169.CONSUMPTION},
                   served, mp169.accepted)

    @precondition(lambda self: self.sc.dcc.devices[self.esme].mp169)
    @rule()
    def every_consumption_read_while_set(self) -> None:
        """The requests the flag is about, each of them, once it is set (one checked step per code)."""
        for code in CONSUMPTION_CODES:
            self.consumption_read(code)

    @rule()
    def alert(self) -> None:
        self.sc.add_to_log(PPMID_EUI, "ppmid")  # a real device-log change: the hub raises CS14
        served = self.sc.dcc.receive_alert(self.sc.hub.cs14_alerts[-1]).accepted
        self.check("request alert CS14", {"kind": mp169.REQUEST, "cls": mp169.ALERT}, served, mp169.accepted)

    @rule(which=st.sampled_from(OTHER))
    def other_command(self, which: tuple[str, int] | int) -> None:
        sup = self.sc.supplier
        if isinstance(which, int):
            served = self.sc.dcc.submit(sup.eui, sup.raw_command(self.esme, which, b"")).frame is not None
        else:
            served = self.sc.send_command("esme", *which) is not None
        self.check(f"request other {which}", {"kind": mp169.REQUEST, "cls": mp169.OTHER}, served, mp169.accepted)

    @rule()
    def change_supplier(self) -> None:
        new = 2 if self.abstract()["supplier"] == 1 else 1
        self.sc.change_supplier()
        self.check(f"change-supplier to {new}", {"kind": mp169.CHANGE_SUPPLIER, "new_supplier": new}, True,
                   mp169.accepted)


def check(budget: Budget, flaws: frozenset[Flaw] = frozenset()) -> Evidence:
    """The DCC steps cost a few ms, and a policy bug needs the flag set first: a wider budget."""
    machine = type("Mp169", (Mp169Machine,), {"device_flaws": flaws})
    return run(machine, "mp169", budget.widened(5 / 3, 8))
