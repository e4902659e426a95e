"""Family-1 counterexamples on the ESME: real UTRNs minted for the traced counters.

``utrn-cell`` (anti-replay, floor): entries on the keypad, the PPMID's HAN path or the WAN (CS01a/b),
interleaved begin/finish of one entry, credential changes; reproduced if the meter's own credit
records show the double credit or the credit at or below the floor. ``utrn-availability``: the
traced order rejects issued UTRNs that issue order credits. ``utrn-wrap``: in-order keypad entries
after a credential change until the meter rejects one.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from nowan.attacks.counterexamples.args import ListOf, Record, takes
from nowan.attacks.counterexamples.base import UTRN_COUNTER, CounterexampleWorld
from nowan.model.devices.meter import UtrnTicket
from nowan.model.traces import Step, Trace

#: Paths a UTRN enters by; an interleaved entry (begin, finish) is a meter-side path only.
PATHS, METER_PATHS = ("keypad", "han", "wan"), ("keypad", "han")
#: In-order entries one step may make (a wrap needs 1,025; each is a real UTRN, about 0.6 ms).
IN_ORDER_MAX = 4096


def _span(args: Mapping[str, Any]) -> tuple[str, str] | None:
    span = args["last"] - args["first"]
    return None if 0 <= span < IN_ORDER_MAX else ("last", f"expected first <= last < first + {IN_ORDER_MAX}")


class UtrnCellWorld(CounterexampleWorld):
    """The ESME's UTRN counter cell after a credential change that set the trace's floor."""

    reads = Record({"params": Record({"floor": UTRN_COUNTER})})

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.sc.esme.replace_supplier(self.sc.esme.supplier, pp_floor=int(self.evidence["params"]["floor"]) << 32)
        self.tickets: dict[str, UtrnTicket] = {}

    def _utrn(self, upper: int) -> str:
        return self.sc.mint("esme", 100, counter=upper << 32)

    def _record(self, action: str, path: str, upper: int, out: dict[str, Any]) -> None:
        self.log.append({"action": action, "path": path, "counter": upper, "accepted": out["accepted"],
                         "reason": out["reason"]})

    @takes(floor=UTRN_COUNTER)
    def do_replace_credentials(self, floor: int) -> None:
        self.sc.esme.replace_supplier(self.sc.esme.supplier, pp_floor=int(floor) << 32)
        self.log.append({"action": "replace-credentials", "floor": floor})

    @takes(path=PATHS, counter=UTRN_COUNTER, accepted=(True, False, None))
    def do_enter(self, path: str, counter: int, accepted: bool | None = None) -> None:
        """Enter the UTRN for ``counter`` on ``path`` (``accepted``: what the proof expects, if it says)."""
        upper = int(counter)
        if path == "wan":
            sc = self.sc
            utrn = self._utrn(upper)
            sub = sc.dcc.submit(sc.supplier.eui, sc.supplier.topup_command(sc.esme.eui, utrn, upper << 32, kind="esme"))
            assert sub.frame is not None, sub
            out = sc.hub.receive_wan(sub.frame).to_dict()
        else:
            out = self.sc.esme.enter_utrn(self._utrn(upper), path).to_dict()
        self._record("enter", path, upper, out)

    @takes(path=METER_PATHS, counter=UTRN_COUNTER)
    def do_begin(self, path: str, counter: int) -> None:
        self.tickets[path] = self.sc.esme.begin_utrn(self._utrn(int(counter)), path)
        self._record("begin", path, int(counter), {"accepted": None, "reason": "pending"})

    @takes(path=METER_PATHS, counter=UTRN_COUNTER)
    def do_finish(self, path: str, counter: int) -> None:
        self._record("finish", path, int(counter), self.sc.esme.finish_utrn(self.tickets.pop(path)).to_dict())

    def verdict(self) -> tuple[bool, str]:
        esme = self.sc.esme
        if self.trace.invariant == "utrn-floor":
            bad = [r.upper for r in esme.credited if r.upper <= esme.utrn_cell.floor_hi]
            return bool(bad), f"credited at or below the floor: {bad}"
        uppers = [r.upper for r in esme.credited]
        twice = sorted({u for u in uppers if uppers.count(u) > 1})
        return bool(twice), f"counters credited twice: {twice}"


class UtrnAvailabilityWorld(UtrnCellWorld):
    """Reproduced if issue order credits every UTRN and the traced order rejects the traced ones."""

    reads = Record({**UtrnCellWorld.reads.fields, "issued": ListOf(UTRN_COUNTER, IN_ORDER_MAX)})  # type: ignore[union-attr]

    def verdict(self) -> tuple[bool, str]:
        issued = [int(u) for u in self.evidence["issued"]]
        in_order = UtrnCellWorld(replace(self.trace, steps=tuple(
            Step("legit", "enter", {"path": "keypad", "counter": u}) for u in issued)))
        for step in in_order.trace.steps:
            in_order.apply(step)
        same = [o["accepted"] for o in self.log] == [s.args.get("accepted") for s in self.trace.steps]
        shown = all(o["accepted"] for o in in_order.log) and same and not all(o["accepted"] for o in self.log)
        return shown, "issue order: all credited; traced order: " + ", ".join(
            f"{o['counter']}:{o['reason']}" for o in self.log)


class UtrnWrapWorld(UtrnCellWorld):
    """Reproduced if every in-order UTRN before the traced one is credited and the traced one is not."""

    @takes(_span, path=METER_PATHS, first=UTRN_COUNTER, last=UTRN_COUNTER)
    def do_enter_in_order(self, path: str, first: int, last: int) -> None:
        for upper in range(int(first), int(last) + 1):  # 1 p each, so 1024 top-ups stay under the limit
            out = self.sc.esme.enter_utrn(self.sc.mint("esme", 1, counter=upper << 32), path)
            self.log.append({"counter": upper, "accepted": out.accepted, "reason": out.reason.value})

    def verdict(self) -> tuple[bool, str]:
        if not self.log:
            return False, "no UTRN entered"
        before, final = self.log[:-1], self.log[-1]
        shown = all(o["accepted"] for o in before) and not final["accepted"]
        return shown, (f"{sum(o['accepted'] for o in before)}/{len(before)} in-order UTRNs credited; "
                       f"counter {final['counter']}: {final['reason']}")
