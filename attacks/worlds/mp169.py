"""MP169: while the consumer's reduced-communications flag is set, no consumption data leaves.

Parties ask the DCC for consumption reads (registers, daily and half-hour logs, billing logs,
meter balances: every code of ``CONSUMPTION_RELATED``);
the flag is set and cleared by the responsible supplier at the consumer's request and survives a
change of supplier. The attacker is another registered party (the other supplier) trying to clear
the flag or read anyway, and a network attacker replaying read requests it saw before the flag
was set. The invariant is checked on what the DCC releases: a consumption read protected for
delivery while the flag is set is data leaving the premises' control.
"""
from __future__ import annotations

from typing import ClassVar

from nowan.attacks.vocabulary import INDEX, step
from nowan.attacks.worlds.base import METERS, Observed, PremisesWorld
from nowan.model.assumptions import Assumptions
from nowan.model.devices.dcc import CONSUMPTION_RELATED
from nowan.model.devices.flaws import Flaw

READ_CODES = tuple(sorted(CONSUMPTION_RELATED))


class Mp169World(PremisesWorld):
    world = "mp169"
    checks: ClassVar[tuple[str, ...]] = PremisesWorld.checks + ("mp169-no-consumption-data",)
    reads: ClassVar[tuple[str, ...]] = ()
    burst_factor: ClassVar[int] = 8  # DCC requests are cheap next to Hypothesis's per-rule overhead

    def __init__(self, assumptions: Assumptions, flaws: frozenset[Flaw]) -> None:
        super().__init__(assumptions, flaws)
        # The flag as the consumer asked for it through the responsible supplier: the world's own
        # record, so a DCC that loses the flag or lets others change it is caught, not believed.
        self.consumer_choice: dict[str, bool] = {}

    def _request(self, meter: str, code: int, other: bool) -> None:
        m = self.meter(meter)
        head = self.sc.supplier2 if other else self.sc.supplier
        flagged = self.consumer_choice.get(meter, False)
        sub = self.sc.dcc.submit(head.eui, head.raw_command(m.eui, READ_CODES[code % len(READ_CODES)], b"\x00"))
        if sub.frame is not None:
            if flagged:
                self.flag("mp169-no-consumption-data",
                          f"the DCC released read 0x{READ_CODES[code % len(READ_CODES)]:04X} for {meter} "
                          "while MP169 was set")
            self.observed.append(Observed("frame", meter, sub.frame.hex()))
            self.sc.hub.receive_wan(sub.frame)

    # -- legitimate -------------------------------------------------------------------------------
    @step("legit", meter=METERS, value=(False, True))
    def do_set_flag(self, meter: str, value: bool) -> None:
        if self.sc.dcc.set_mp169(self.sc.supplier.eui, self.meter(meter).eui, value).accepted:
            self.consumer_choice[meter] = value

    @step("legit", meter=METERS, code=range(len(READ_CODES)))
    def do_read(self, meter: str, code: int) -> None:
        """The responsible supplier asks for a consumption read."""
        self._request(meter, code, other=False)

    @step("legit")
    def do_change_supplier(self) -> None:
        self.sc.change_supplier()

    # -- attacker ---------------------------------------------------------------------------------
    @step("attacker", meter=METERS, code=range(len(READ_CODES)))
    def do_other_read(self, meter: str, code: int) -> None:
        """The other supplier asks for a read of a meter it does not serve."""
        self._request(meter, code, other=True)

    @step("attacker", meter=METERS)
    def do_other_clear(self, meter: str) -> None:
        """The other supplier tries to clear the consumer's flag."""
        self.sc.dcc.set_mp169(self.sc.supplier2.eui, self.meter(meter).eui, False)

    @step("attacker", index=INDEX)
    def do_replay_read(self, index: int) -> None:
        item = self.pick(index, "frame")
        if item is not None:
            self.sc.hub.receive_wan(bytes.fromhex(item.data))
