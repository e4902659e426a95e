"""Conformance of family 2 (A-REPLAY and the command floor) with the meters' command handling.

Two models, each the very system its property is proved on: :func:`proofs.commands.system`
(``command-anti-replay``) and :func:`proofs.commands.floor_system` (``command-floor``), faithful.
The meter's answer is the relation's own ``ran`` (the command passed A-REPLAY and was executed).

Cells: cell 0 is the ESME's responsible-supplier command cell, cell 1 the GSME's (two independent
cells, as the model has any number of them). Abstraction: ``last[cell]`` = the meter's last accepted
counter in that cell (-1 before any), ``executed[cell]`` = the counters of the commands it executed.
Ghost: the floor of each cell (the meter folds it into the last counter).

Actions, with real frames (an Add Debt command signed by the Supplier and MACed by the DCC's ACB,
delivered from the WAN through the hub):

- ``deliver``: the command with counter ``k`` to a cell: a fresh frame, or the very frame delivered
  before with that counter (a replay).
- ``replace-credentials`` (floor model only): a credential change that gives a cell a command floor
  at or above its current one (the model's precondition).
"""
from __future__ import annotations

from typing import ClassVar

import z3
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw, Scenario
from nowan.model.devices.meter import Meter
from nowan.model.gbcs.crypto import CRA_COMMAND
from nowan.proofs import commands
from nowan.proofs.conformance.concrete import ConcreteModel, Table, Values
from nowan.proofs.conformance.machine import Budget, ConformanceMachine, Evidence, run

METERS = ("esme", "gsme")
COMMAND = ("add-debt", 100)
COUNTERS = st.integers(0, 12)


def ran(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
    """The meter's answer in the relation: the command passed A-REPLAY and ran."""
    return a["ran"]


class CommandCellMachine(ConformanceMachine):
    """A-REPLAY on two meters' supplier cells against ``commands.system`` (or ``floor_system``)."""

    floor_model: ClassVar[bool] = False

    @initialize()
    def build(self) -> None:
        self.sc = Scenario.build(Assumptions(), self.device_flaws)
        self.frames: dict[tuple[int, int], bytes] = {}
        system = commands.floor_system() if self.floor_model else commands.system()
        observed = ("last",) if self.floor_model else ("last", "executed")
        self.begin(ConcreteModel(system, {}, observed), self.abstract)

    def _meter(self, cell: int) -> Meter:
        return self.sc.meter(METERS[cell])

    def _cell(self, meter: Meter) -> tuple[bytes, int]:
        return (meter.supplier.eui, CRA_COMMAND)

    def abstract(self) -> Values:
        meters = [self._meter(c) for c in range(len(METERS))]
        last = Table.of(-1, {c: m.last_counter.get(self._cell(m), -1) for c, m in enumerate(meters)})
        if self.floor_model:
            return {"last": last}
        executed = {c: frozenset(e.counter for e in m.executed if e.originator == m.supplier.eui.hex())
                    for c, m in enumerate(meters)}
        return {"last": last, "executed": {c: v for c, v in executed.items() if v}}

    @rule(cell=st.integers(0, len(METERS) - 1), counter=COUNTERS, again=st.booleans())
    def deliver(self, cell: int, counter: int, again: bool) -> None:
        key = (cell, counter)
        if key not in self.frames or not again:
            self.sc.supplier.command_counter = counter - 1
            frame = self.sc.send_command(METERS[cell], *COMMAND)
            assert frame is not None, "the DCC refused the responsible supplier's command"
            self.frames[key] = frame
        accepted = self.sc.hub.receive_wan(self.frames[key]).accepted
        fields = {"cell": cell, "counter": counter}
        fields.update({"change": False} if self.floor_model else {"deliver": True})
        self.check(f"deliver cell {cell} counter {counter}{' (same frame)' if again else ''}", fields, accepted, ran)


class CommandFloorMachine(CommandCellMachine):
    """``command-floor``: deliveries and credential changes that set a cell's floor."""

    floor_model = True

    @rule(cell=st.integers(0, len(METERS) - 1), raise_by=st.integers(1, 3))
    def replace_credentials(self, cell: int, raise_by: int) -> None:
        meter = self._meter(cell)
        # at or above the cell's floor (the model's precondition), and often above its last counter
        floor = max(self.model.state["floor"][cell], meter.last_counter.get(self._cell(meter), -1)) + raise_by
        meter.replace_supplier(meter.supplier, pp_floor=meter.utrn_cell.floor, command_floor=floor)
        self.check(f"replace-credentials cell {cell} floor {floor}",
                   {"cell": cell, "change": True, "new_floor": floor}, True, ran)


def check(budget: Budget, flaws: frozenset[Flaw] = frozenset(), floor: bool = False) -> Evidence:
    base = CommandFloorMachine if floor else CommandCellMachine
    machine = type(base.__name__, (base,), {"device_flaws": flaws})
    return run(machine, "command-floor" if floor else "command-cell", budget)
