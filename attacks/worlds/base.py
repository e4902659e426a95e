"""What every premises world shares: a wired :class:`~model.devices.scenario.Scenario`, the record of
what legitimate parties issued, what the attacker has observed, and the invariant checks.

The checks compare what the devices report having done (``Meter.credited``, ``Meter.executed``,
the event log, the balance) with an independent record kept here (what the Supplier actually
issued, what the consumer paid for). Whether a credit or command was *entitled* is always decided
from the world's record, never from the device's verdict on its own input; a device that
misreported what it did (credited without a record) would escape, which is why the balance is
checked against the limits on its own.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from nowan.attacks.harness import World
from nowan.attacks.vocabulary import step
from nowan.model.traces import Step
from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw
from nowan.model.devices.meter import PATH_HAN, PATH_KEYPAD, Meter
from nowan.model.devices.outcomes import Reason
from nowan.model.devices.scenario import Scenario
from nowan.model.gbcs.utrn import PTUT_LIMIT, Ptut, ValueClass, decode_utrn, utrn_from_ptut

METERS = ("esme", "gsme")
#: A paid top-up not credited within this many simulated seconds counts as withheld.
DELIVERY_DEADLINE_S = 86400.0
#: Rejections that are not a failed guess (they do not feed the lockout).
_NOT_A_FAILURE = {Reason.LOCKED_OUT.value, Reason.EXCEEDS_MAX_TOPUP.value, Reason.EXCEEDS_MAX_BALANCE.value}
#: Amounts the legitimate supplier sells (pence); small enough to stay under the limits mostly.
AMOUNTS = (500, 1000, 2000, 5000, 10000, 25000)


@dataclass
class Observed:
    """One item the attacker saw on the channel: a UTRN or a GBCS frame, as real bytes/digits."""

    kind: str  # "utrn" | "frame"
    meter: str
    data: str  # UTRN digits or frame hex
    paid_at: float | None = None  # for top-ups the consumer paid for: when (delivery deadline)
    upper: int | None = None
    #: Set by an attacker step that kept this top-up back (a drop, a relay withholding it). Only
    #: such items can violate ``topup-delivered``: legitimate parties deliver everything eventually.
    withheld: bool = False


class PremisesWorld(World):
    """A premises plus the legitimate record and the attacker's observations."""

    checks: ClassVar[tuple[str, ...]] = ("credit-once", "floor-respected", "lockout-enforced",
                                         "balance-within-limits", "balance-rises-only-by-credit", "emergency-credit-once",
                                         "no-crash")
    reads: ClassVar[tuple[str, ...]] = ("utrn.cache_size", "utrn.reconstruction")

    def __init__(self, assumptions: Assumptions, flaws: frozenset[Flaw]) -> None:
        super().__init__(assumptions, flaws)
        self.sc = Scenario.build(assumptions, flaws)
        self.issued_utrns: dict[tuple[str, int], int] = {}   # (meter, upper) -> pence
        self.observed: list[Observed] = []
        self.paid: list[Observed] = []                         # top-ups the consumer paid for
        self._credit_seen = {m: 0 for m in METERS}
        self._balance_seen = {m: self.meter(m).account.balance_pence for m in METERS}
        self._set_credit_seen = {m: 0 for m in METERS}
        self._credited: set[tuple[str, int]] = set()
        self._events_seen: dict[str, int] = {}
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._violations: list[tuple[str, str]] = []
        #: Per meter, (balance, emergency credit in use or still available) before the step being
        #: checked: available emergency credit counts as in use whatever the device's own flag says,
        #: so a device that grants it without marking it cannot grant it again unnoticed.
        self._before: dict[str, tuple[int, bool]] = {}
        self._ec_seen = {m: 0 for m in METERS}

    def apply(self, step: Step) -> None:
        """Run a step, remembering the prepayment state it started from (for emergency-credit-once)."""
        self._before = {n: (self.meter(n).account.balance_pence, self.meter(n).account.emergency_credit_active
                            or self.meter(n).account.emergency_credit_pence > 0) for n in METERS}
        super().apply(step)

    # ------------------------------------------------------------------ helpers for steps
    def meter(self, name: str) -> Meter:
        return self.sc.meter(name)

    def mint(self, meter: str, pence: int) -> Observed:
        """The Supplier vends a UTRN (the consumer paid for it)."""
        utrn = self.sc.mint(meter, pence)
        upper = self.sc.supplier.utrn_counters[self.meter(meter).eui]
        self.issued_utrns[(meter, upper)] = pence
        item = Observed("utrn", meter, utrn, self.sc.clock.now, upper)
        self.paid.append(item)
        return item

    def pick(self, index: int, kind: str | None = None) -> Observed | None:
        pool = [o for o in self.observed if kind is None or o.kind == kind]
        return pool[index % len(pool)] if pool else None

    def flag(self, invariant_id: str, message: str) -> None:
        """Record a violation seen while executing a step (checked with the others)."""
        self._violations.append((invariant_id, message))

    # ------------------------------------------------------------------ common steps
    @step("env", seconds=(1, 60, 601, 3600, 90000))
    def do_wait(self, seconds: int) -> None:
        self.sc.clock.advance(seconds)

    @step("legit", meter=METERS, kwh=range(1, 401))
    def do_consume(self, meter: str, kwh: int) -> None:
        self.meter(meter).consume(kwh)

    @step("legit", meter=METERS)
    def do_raise_floor(self, meter: str) -> None:
        """Credential replacement by the same supplier with a new floor at its last counter (CS02b)."""
        m = self.meter(meter)
        last = self.sc.supplier.utrn_counters.get(m.eui, 0)
        m.replace_supplier(m.supplier, pp_floor=last << 32)

    # ------------------------------------------------------------------ UTRN attacks (any UTRN path)
    def forged_utrn(self, index: int, pence: int, mac: int, counter10: int | None = None) -> str | None:
        """An observed UTRN with its value (and optionally counter) changed and a guessed MAC.

        The check digit is public arithmetic, so the attacker always gets it right.
        """
        item = self.pick(index, "utrn")
        if item is None:
            return None
        p = decode_utrn(item.data)
        value, vclass = (pence, ValueClass.PENNIES) if pence < 8192 else (pence // 100, ValueClass.POUNDS)
        forged = Ptut(p.counter10 if counter10 is None else counter10 % 1024, vclass, value % 8192,
                      mac & 0xFFFFFFFF)
        ptut = forged.to_int()
        return utrn_from_ptut(ptut) if ptut < PTUT_LIMIT else None

    # ------------------------------------------------------------------ invariants
    def check(self) -> list[tuple[str, str]]:
        """Violations so far. Incremental: each device record is examined once, when it appears."""
        out = list(self._violations)
        max_balance = int(self.assumptions["limits.max_balance_pence"])
        for name in METERS:
            m = self.meter(name)
            for rec in m.credited[self._credit_seen[name]:]:
                key = (name, rec.upper)
                issued = self.issued_utrns.get(key)
                if issued is None:
                    out.append(("credit-once", f"{name} credited {rec.pence} pence for counter {rec.upper} "
                                               f"that the supplier never issued ({rec.path})"))
                elif key in self._credited:
                    out.append(("credit-once", f"{name} credited counter {rec.upper} twice"))
                elif issued != rec.pence:
                    out.append(("credit-once", f"{name} credited {rec.pence} pence for a UTRN issued for "
                                               f"{issued}"))
                if rec.upper <= m.utrn_cell.floor_hi:
                    out.append(("floor-respected", f"{name} credited counter {rec.upper} at or below the "
                                                   f"floor {m.utrn_cell.floor_hi}"))
                self._credited.add(key)
            out.extend(self._balance_rise(m, name, credited=bool(m.credited[self._credit_seen[name]:])))
            self._credit_seen[name] = len(m.credited)
            if m.account.balance_pence > max_balance:
                out.append(("balance-within-limits", f"{name} balance {m.account.balance_pence} above "
                                                     f"{max_balance}"))
            out.extend(self._lockout(m, name))
            out.extend(self._emergency(m, name))
        if "topup-delivered" in self.checks:
            out.extend(self._delivery())
        return [v for v in out if v[0] in self.checks]

    def _balance_rise(self, m: Meter, name: str, credited: bool) -> list[tuple[str, str]]:
        """A balance that went up since the last check with neither a new credit nor a set-credit run."""
        before, now = self._balance_seen[name], m.account.balance_pence
        self._balance_seen[name] = now
        set_credit = any(e.command == "set-credit" for e in m.executed[self._set_credit_seen[name]:])
        self._set_credit_seen[name] = len(m.executed)
        if now > before and not credited and not set_credit:
            return [("balance-rises-only-by-credit", f"{name} balance rose from {before} to {now} pence with no "
                                                     "top-up credited and no set-credit executed")]
        return []

    def _emergency(self, m: Meter, name: str) -> list[tuple[str, str]]:
        """Each emergency-credit activation this step against the state the step started from."""
        new = [e for e in m.events[self._ec_seen[name]:] if e.name == "emergency-credit-activated"]
        self._ec_seen[name] = len(m.events)
        if not new or name not in self._before:
            return []
        balance, active = self._before[name]
        threshold = int(self.assumptions["limits.emergency_credit_pence"])
        if active or len(new) > 1:
            return [("emergency-credit-once", f"{name} activated emergency credit while it was already in use")]
        if balance >= threshold:
            return [("emergency-credit-once", f"{name} activated emergency credit with a balance of {balance} "
                                               f"pence, at or above the threshold {threshold}")]
        return []

    @step("legit", meter=METERS, via=("keypad", "ppmid"))
    def do_emergency_credit(self, meter: str, via: str) -> None:
        """The consumer selects emergency credit on the meter's keypad, or on the PPMID (PECS02/PCS02)."""
        m = self.meter(meter)
        if via == "ppmid":
            self.sc.ppmid.emergency_credit(m.eui, m.kind)
        else:
            m.activate_emergency_credit()

    def _lockout(self, m: Meter, name: str) -> list[tuple[str, str]]:
        """At most max_failures failed checks per covered path in any window (when a lock outlasts it)."""
        a = self.assumptions
        max_f, window, lock = int(a["lockout.max_failures"]), float(a["lockout.window_s"]), float(a["lockout.lock_s"])
        seen = self._events_seen.get(name, 0)
        new = m.events[seen:]
        self._events_seen[name] = len(m.events)
        if max_f <= 0 or lock < window:
            return []
        out = []
        for e in new:
            path = e.data.get("path")
            if e.name != "utrn-rejected" or path not in (PATH_KEYPAD, PATH_HAN) \
                    or e.data.get("reason") in _NOT_A_FAILURE:
                continue
            times = self._failures.setdefault((name, path), deque())
            times.append(e.t)
            while times[0] <= e.t - window:
                times.popleft()
            if len(times) > max_f:
                inv = "lockout-enforced" if path == PATH_KEYPAD or a["lockout.covers_han"] else "han-guess-rate-bounded"
                out.append((inv, f"{name}: {len(times)} failed UTRN checks on the {path} path within "
                                 f"{window:g} s (bound {max_f})"))
        return out

    def _delivery(self) -> list[tuple[str, str]]:
        """A paid top-up an attacker step kept back, still not credited after the deadline.

        Items no attacker touched are not flagged: the worlds make legitimate parties (the consumer,
        a faithful relay) deliver everything queued when time passes, so a finding always has an
        attacker step in its trace.
        """
        now = self.sc.clock.now
        for item in self.paid:
            if item.withheld and item.paid_at is not None and now - item.paid_at > DELIVERY_DEADLINE_S \
                    and (item.meter, item.upper) not in self._credited:
                return [("topup-delivered", f"a {self.issued_utrns.get((item.meter, item.upper or 0), 0)} "
                                            f"pence top-up paid at t={item.paid_at:g} s and withheld by the "
                                            f"attacker never reached the {item.meter}")]
        return []

