"""Conformance of family 1 (the UTRN cell) with the ESME's UTRN code.

The model is :func:`proofs.utrn.anti_replay_system`, the very system ``utrn-anti-replay`` and
``utrn-floor`` are proved on (faithful, the channel's paths, one reconstruction policy), with the
cache size N and the floor F concrete per example (N in 1..3: small caches reach eviction in a few
steps; N = 0 when the assessed configuration has no cache).

Abstraction of the ESME: ``cache`` = the cell's entries, ``n`` = their number, ``floor`` = the
floor's upper word, ``credited`` = the upper words of every credited UTRN. Ghosts: the watermark and
the pending entries of a split check.

Actions, each done on the devices with real UTRNs (1 p each, minted by the Supplier head-end):

- ``enter``: the UTRN issued for upper word ``c`` on a path (keypad; HAN through the PPMID and hub;
  CS01a/b through the DCC and hub). Model: ``enter`` with that ``c`` and its 10 low bits, which the
  relation must rebuild to ``c``; a refusal is the ``idle`` step.
- ``replay``: ``enter`` of a counter already credited (any, or the last).
- ``begin`` / ``finish``: the two halves of an entry on one path, interleavable with other entries
  (the check-then-insert race). Model: ``idle``, then ``enter`` at ``finish``.
- ``race``: ``enter`` on another path of the counter a pending entry holds.
- ``forge``: the UTRN issued for ``c`` with its MAC changed except for the low byte (the one guess
  in 256 a short MAC comparison lets through). Model: the meter credits nothing (``idle``, refused).
- ``replace-credentials``: a new floor at or above every counter credited so far (the model's
  precondition: the Supplier's new floor covers what it issued), fresh cache.

The lockout is off (``lockout.max_failures=0``): refusals must not lock the keypad, since the
lockout is family 3's subject and is checked by its own conformance.
"""
from __future__ import annotations

from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw, Scenario
from nowan.model.gbcs.utrn import decode_utrn, utrn_from_ptut
from nowan.proofs import utrn
from nowan.proofs.conformance.concrete import ConcreteModel, Values
from nowan.proofs.conformance.machine import ALWAYS, NEVER, Budget, ConformanceMachine, Evidence, run_variants

OBSERVED = ("cache", "n", "floor", "credited")
COUNTERS = st.one_of(st.integers(1, 6), st.integers(1, 24), st.integers(utrn.WINDOW - 4, utrn.WINDOW + 24))


class UtrnCellMachine(ConformanceMachine):
    """The ESME's UTRN cell against ``anti_replay_system`` on one policy and the channel's paths."""

    policy: ClassVar[str] = "above-min"
    paths: ClassVar[tuple[str, ...]] = ("keypad",)
    cache_size: ClassVar[int | None] = None

    @initialize(size=st.integers(1, 3), floor=st.integers(0, 4))
    def build(self, size: int, floor: int) -> None:
        size = 0 if self.cache_size == 0 else size
        self.sc = Scenario.build(Assumptions({"utrn.cache_size": size, "utrn.reconstruction": self.policy,
                                              "lockout.max_failures": 0}), self.device_flaws)
        self.meter = self.sc.esme
        self.meter.replace_supplier(self.meter.supplier, pp_floor=floor << 32)
        self.tickets: dict[str, Any] = {}
        system = utrn.anti_replay_system(self.policy, self.paths, cache_size=self.cache_size)
        self.begin(ConcreteModel(system, {"N": size, "F": floor}, OBSERVED), self.abstract)

    def abstract(self) -> Values:
        cell = self.meter.utrn_cell
        return {"cache": frozenset(cell.entries), "n": len(cell.entries), "floor": cell.floor_hi,
                "credited": frozenset(r.upper for r in self.meter.credited)}

    def _utrn(self, upper: int) -> str:
        return self.sc.mint("esme", 1, counter=upper << 32)

    def _enter_fields(self, path: str, upper: int) -> dict[str, Any]:
        return {"kind": utrn.ENTER, "alt": path != self.paths[0], "c": upper, "counter10": upper % utrn.WINDOW}

    def _deliver(self, path: str, upper: int) -> bool:
        if path == "keypad":
            return self.meter.enter_utrn(self._utrn(upper), "keypad").accepted
        if path == "han":
            return self.sc.ppmid.top_up(self.meter.eui, self.meter.kind, self._utrn(upper)).accepted
        utrn_text = self._utrn(upper)
        sub = self.sc.dcc.submit(self.sc.supplier.eui, self.sc.supplier.topup_command(
            self.meter.eui, utrn_text, upper << 32, kind=self.meter.kind))
        return sub.frame is not None and self.sc.hub.receive_wan(sub.frame).accepted

    @rule(data=st.data(), upper=COUNTERS)
    def enter(self, data: st.DataObject, upper: int) -> None:
        path = data.draw(st.sampled_from(self.paths))
        self._enter_on(path, upper)

    def _enter_on(self, path: str, upper: int) -> None:
        accepted = self._deliver(path, upper)
        self.check(f"enter {path} {upper}", self._enter_fields(path, upper), accepted, idle={"kind": utrn.IDLE})

    @precondition(lambda self: bool(self.meter.credited))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        """Enter again a UTRN already credited (the replay the cache exists to stop)."""
        upper = data.draw(st.sampled_from(sorted({r.upper for r in self.meter.credited}, reverse=True)))
        self._enter_on(data.draw(st.sampled_from(self.paths)), upper)

    @precondition(lambda self: bool(self.meter.credited))
    @rule()
    def replay_last(self) -> None:
        """Enter again, on the keypad, the UTRN credited last."""
        self._enter_on(self.paths[0], self.meter.credited[-1].upper)

    @rule(data=st.data(), upper=COUNTERS)
    def begin_entry(self, data: st.DataObject, upper: int) -> None:
        path = data.draw(st.sampled_from([p for p in self.paths if p != "wan"]))
        if path in self.tickets:
            return
        self.tickets[path] = (self.meter.begin_utrn(self._utrn(upper), path), upper)
        self.check(f"begin {path} {upper}", {"kind": utrn.IDLE}, True)

    @precondition(lambda self: bool(self.tickets) and len(self.paths) > 1)
    @rule(data=st.data())
    def race(self, data: st.DataObject) -> None:
        """Enter a pending entry's counter on another path before that entry finishes."""
        pending = data.draw(st.sampled_from(sorted(self.tickets)))
        other = data.draw(st.sampled_from([p for p in self.paths if p != pending]))
        upper = self.tickets[pending][1]
        self.check(f"enter {other} {upper}", self._enter_fields(other, upper), self._deliver(other, upper),
                   idle={"kind": utrn.IDLE})

    @precondition(lambda self: bool(self.tickets))
    @rule(data=st.data())
    def finish_entry(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.tickets)))
        ticket, upper = self.tickets.pop(path)
        accepted = self.meter.finish_utrn(ticket).accepted
        self.check(f"finish {path} {upper}", self._enter_fields(path, upper), accepted, idle={"kind": utrn.IDLE})

    @rule(upper=COUNTERS)
    def forge(self, upper: int) -> None:
        ptut = decode_utrn(self._utrn(upper))
        lucky = utrn_from_ptut((ptut.high32 << 32) | (ptut.mac ^ 0xFFFFFF00))
        accepted = self.meter.enter_utrn(lucky, "keypad").accepted
        self.check(f"forge keypad {upper}", {"kind": utrn.IDLE}, accepted, outcome=NEVER)

    @rule(raise_by=st.integers(0, 3))
    def replace_credentials(self, raise_by: int) -> None:
        cell = self.meter.utrn_cell
        new_floor = max([cell.floor_hi, *(r.upper for r in self.meter.credited)]) + raise_by
        self.meter.replace_supplier(self.meter.supplier, pp_floor=new_floor << 32)
        self.check(f"replace-credentials floor {new_floor}", {"kind": utrn.CHANGE, "new_floor": new_floor}, True,
                   outcome=ALWAYS)


def check(paths: tuple[str, ...], cache_size: int | None, budget: Budget,
          flaws: frozenset[Flaw] = frozenset()) -> Evidence:
    """Both reconstruction policies, as the proof covers both; the first divergence wins."""
    return run_variants([(type(f"UtrnCell_{policy}", (UtrnCellMachine,),
                               {"policy": policy, "paths": paths, "cache_size": cache_size, "device_flaws": flaws}),
                          f"utrn-cell[{policy},{'+'.join(paths)}]") for policy in utrn.POLICIES],
                        f"utrn-cell[{'+'.join(paths)}]", budget)
