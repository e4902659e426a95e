"""Family-2 counterexamples: real Supplier-signed, ACB-protected frames delivered to the ESME.

Each delivered counter becomes a real frame (cell 0 = the responsible Supplier), carried over the
WAN or, for a relaying PPMID (``bearer: ppmid``), sent over Wi-Fi and forwarded or replayed by it.
Reproduced if the meter's ``executed`` list shows a counter run twice, or one at or below the
floor a credential change set.
"""
from __future__ import annotations

from nowan.attacks.counterexamples.args import Record, takes
from nowan.attacks.counterexamples.base import COUNTER64, CounterexampleWorld
from nowan.model.traces import Trace
from nowan.model.values import NumberSpec

#: A-REPLAY cells a proof's run uses (the devices have one per meter).
CELL = NumberSpec(minimum=0, maximum=63, integer=True)

#: A replay-protected MP094 command whose re-execution is visible in the meter's ``executed`` list.
COMMAND, VALUE = "add-debt", 100


class CommandCellWorld(CounterexampleWorld):
    reads = Record({"bearer": ("wan", "ppmid")}, optional=frozenset({"bearer"}))

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.frames: dict[int, bytes] = {}
        self.floors: list[int] = []
        self.other_cells = False

    @takes(cell=CELL, floor=COUNTER64)
    def do_replace_credentials(self, cell: int, floor: int) -> None:
        esme = self.sc.esme
        self.other_cells |= cell != 0
        esme.replace_supplier(esme.supplier, pp_floor=esme.utrn_cell.floor, command_floor=int(floor))
        self.floors.append(int(floor))
        self.log.append({"action": "replace-credentials", "floor": floor})

    @takes(cell=CELL, counter=COUNTER64)
    def do_deliver(self, cell: int, counter: int) -> None:
        if cell != 0:  # the devices have one Supplier cell per meter
            self.other_cells = True
            return
        sc, counter = self.sc, int(counter)
        first = counter not in self.frames
        if first:
            sc.supplier.command_counter = counter - 1
            frame = sc.send_command("esme", COMMAND, VALUE)
            assert frame is not None
            self.frames[counter] = frame
        if self.evidence.get("bearer") != "ppmid":
            out = sc.hub.receive_wan(self.frames[counter])
        elif first:  # the Supplier sends it over Wi-Fi and the PPMID forwards it
            sc.ppmid.receive_wifi(self.frames[counter])
            out = sc.ppmid.forward(len(sc.ppmid.inbox) - 1)
        else:  # the PPMID replays a frame it has seen
            out = sc.ppmid.replay(sc.ppmid.seen.index(self.frames[counter]))
        self.log.append({"counter": counter, "accepted": out.accepted, "reason": out.reason.value})

    def verdict(self) -> tuple[bool, str]:
        if self.other_cells:
            return False, "the devices have one Supplier cell per meter; trace uses more"
        runs = [e.counter for e in self.sc.esme.executed]
        if self.trace.invariant == "command-floor":
            low = [c for c in runs if self.floors and c <= max(self.floors)]
            return bool(low), f"executed at or below the floor {max(self.floors, default=None)}: {low}"
        twice = sorted({k for k in runs if runs.count(k) > 1})
        return bool(twice), f"counters executed twice: {twice}"
