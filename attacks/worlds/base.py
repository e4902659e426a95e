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

import math
from collections import deque
from dataclasses import dataclass, field
from typing import ClassVar

from nowan.attacks.harness import World
from nowan.attacks.vocabulary import INDEX, step
from nowan.model.traces import Step
from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw
from nowan.model.devices.account import SUPPLY_ARMED, SUPPLY_OFF
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
#: Which limit a boundary top-up reaches exactly (:meth:`PremisesWorld.limit_amount`).
LIMITS = ("max-topup", "max-balance")
#: A counter this close above the floor is rebuilt from its 10 low bits by either reconstruction
#: policy (above-min: within 1,024 of the anchor; nearest-max: within 512 of the largest).
RECONSTRUCTIBLE = 512


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


@dataclass
class LockRule:
    """The A-LOCKOUT rule as domain.md 1.7 states it, kept by the world for one meter.

    Fed with the failures the meter reports, it says when entry must be suspended and for how
    long, independently of the meter's own lockout code: a meter that suspends a moment too long
    (a legitimate top-up refused at the expiry), too short, or counts a failure that has left the
    window is caught at the boundary.
    """

    failures: deque[float] = field(default_factory=deque)
    locked_until: float = -math.inf
    engagements: int = 0

    def locked(self, t: float) -> bool:
        return t < self.locked_until

    def failure(self, t: float, max_failures: int, window_s: float, lock_s: float) -> None:
        while self.failures and self.failures[0] <= t - window_s:
            self.failures.popleft()
        self.failures.append(t)
        if max_failures > 0 and len(self.failures) >= max_failures:
            self.locked_until, self.engagements = t + lock_s, self.engagements + 1
            self.failures.clear()


class PremisesWorld(World):
    """A premises plus the legitimate record and the attacker's observations."""

    checks: ClassVar[tuple[str, ...]] = ("credit-once", "floor-respected", "lockout-enforced",
                                         "balance-within-limits", "balance-rises-only-by-credit", "emergency-credit-once",
                                         "lockout-exact", "emergency-credit-granted", "no-crash")
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
        self.lock_rule = {m: LockRule() for m in METERS}
        self._rule_seen = {m: 0 for m in METERS}
        self._suspensions = {m: 0 for m in METERS}
        #: Per meter, the upper counter word of the floor the world's own credential changes set.
        self.floor_hi = {m: 0 for m in METERS}

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
        self.floor_hi[meter] = last

    def deadlines(self) -> list[float]:
        """Future instants where a rule changes its verdict: a lock's expiry, a failure leaving the
        lockout window (a world adds its own, e.g. the inter-PAN window's end)."""
        window = float(self.assumptions["lockout.window_s"])
        out = []
        for rule in self.lock_rule.values():
            out.append(rule.locked_until)
            out.extend(t + window for t in rule.failures)
        return sorted(t for t in out if math.isfinite(t) and t > self.sc.clock.now)

    @step("env", which=INDEX, offset=(0, -1, 1))
    def do_wait_until(self, which: int, offset: int) -> None:
        """Let time pass to exactly a rule's boundary (or one second either side of it): the
        campaigns' round waits would hit a lock's expiry or a window's end only by chance."""
        times = [t + offset for t in self.deadlines() if t + offset > self.sc.clock.now]
        if times:
            self.do_wait(times[which % len(times)] - self.sc.clock.now)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ what the rules oblige
    def limit_amount(self, meter: str, limit: str) -> int:
        """A top-up amount at a limit: the Max Credit Threshold, or what takes the balance exactly to
        the Max Meter Balance (emergency credit owed is repaid first, so it adds to the headroom);
        rounded down to what one UTRN carries (pennies below 8,192, whole pounds above)."""
        acc = self.meter(meter).account
        cap = int(self.assumptions["limits.max_topup_pence"])
        head = int(self.assumptions["limits.max_balance_pence"]) - acc.balance_pence + acc.emergency_credit_owed
        pence = cap if limit == "max-topup" else min(cap, head)
        return pence if pence < 8192 else pence - pence % 100

    def credit_due(self, meter: str, upper: int, pence: int, path: str) -> bool:
        """Whether the rules oblige ``meter`` to credit this authentic top-up now: its counter is the
        newest the supplier issued and not far above the floor, no lockout is in force on its path
        (by :class:`LockRule`), and it is within both limits (A-LIMITS)."""
        m = self.meter(meter)
        acc = m.account
        if upper != self.sc.supplier.utrn_counters.get(m.eui) or not 0 < upper - self.floor_hi[meter] <= RECONSTRUCTIBLE:
            return False
        if self._covered(path) and self.lock_rule[meter].locked(self.sc.clock.now):
            return False
        return (pence <= int(self.assumptions["limits.max_topup_pence"]) and acc.balance_pence
                + max(0, pence - acc.emergency_credit_owed) <= int(self.assumptions["limits.max_balance_pence"]))

    def expect_credited(self, meter: str, upper: int, pence: int, due: bool) -> None:
        """Flag a top-up the rules oblige the meter to credit (``due``, judged before it was entered)
        that it did not credit."""
        m = self.meter(meter)
        if due and not any(rec.upper == upper for rec in reversed(m.credited)):
            why = next((e.data.get("reason") for e in reversed(m.events) if e.name == "utrn-rejected"), "no answer")
            self.flag("topup-credited", f"{meter} refused a fresh, authentic {pence} pence top-up (counter {upper}) "
                                        f"within the limits with no lockout in force: {why}")

    def _covered(self, path: str | None) -> bool:
        return path == PATH_KEYPAD or (path == PATH_HAN and bool(self.assumptions["lockout.covers_han"]))

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
            out.extend(self._lock_exact(m, name))
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
        """The consumer selects emergency credit on the meter's keypad, or on the PPMID (PECS02/PCS02).

        When the rules allow it (none in use, the balance below the threshold) and the request can
        reach the meter, it must be granted: the full allowance, marked in use, a disconnected supply
        armed and a supply that was on left on (``emergency-credit-granted``).
        """
        m = self.meter(meter)
        acc = m.account
        limit = int(self.assumptions["limits.emergency_credit_pence"])
        allowed = not (acc.emergency_credit_active or acc.emergency_credit_pence > 0) and acc.balance_pence < limit
        reaches = via == "keypad" or self.sc.hub.on_log(self.sc.ppmid.eui)
        supply = SUPPLY_ARMED if acc.supply == SUPPLY_OFF else acc.supply
        if via == "ppmid":
            out = self.sc.ppmid.emergency_credit(m.eui, m.kind)
        else:
            out = m.activate_emergency_credit()
        if not (allowed and reaches):
            return
        if not (out.accepted and acc.emergency_credit_active and acc.emergency_credit_pence == limit):
            self.flag("emergency-credit-granted", f"{meter} did not grant emergency credit by the {via} with a "
                                                  f"balance of {acc.balance_pence} pence and none in use "
                                                  f"({out.reason.value}; {acc.emergency_credit_pence} pence available)")
        elif acc.supply != supply:
            self.flag("emergency-credit-granted", f"{meter} granted emergency credit but left the supply "
                                                  f"{acc.supply}, not {supply}")

    def _lock_exact(self, m: Meter, name: str) -> list[tuple[str, str]]:
        """Each UTRN the meter answered on a covered path against :class:`LockRule`: refused as locked
        exactly while the rule has a lock in force, checked otherwise, one suspension alert per lock."""
        a = self.assumptions
        max_f, window, lock = int(a["lockout.max_failures"]), float(a["lockout.window_s"]), float(a["lockout.lock_s"])
        rule = self.lock_rule[name]
        out = []
        for e in m.events[self._rule_seen[name]:]:
            if e.name == "utrn-entry-suspended":
                self._suspensions[name] += 1
            if e.name not in ("utrn-rejected", "utrn-credited") or not self._covered(e.data.get("path")):
                continue
            reason = e.data.get("reason")
            if (reason == Reason.LOCKED_OUT.value) != rule.locked(e.t):
                out.append(("lockout-exact", f"{name} {'refused a UTRN as locked out' if reason == Reason.LOCKED_OUT.value else 'checked a UTRN'} "
                                             f"at t={e.t:g} s; by the rule the lock "
                                             + (f"ran until t={rule.locked_until:g} s" if math.isfinite(rule.locked_until)
                                                else "never engaged")))
            elif e.name == "utrn-rejected" and reason not in _NOT_A_FAILURE:
                rule.failure(e.t, max_f, window, lock)
        self._rule_seen[name] = len(m.events)
        if self._suspensions[name] != rule.engagements:
            out.append(("lockout-exact", f"{name} raised {self._suspensions[name]} entry-suspension alerts for "
                                         f"{rule.engagements} locks the rule engaged"))
        return out

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

