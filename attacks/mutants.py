"""Realistic code mutants of the reference implementation, to measure what the fuzzer can catch.

A :class:`~nowan.model.devices.flaws.Flaw` is a switch the device code was written to honour; a code
mutant is a small change a programmer could make by mistake (an off-by-one, a check left out of one
path, the wrong end of a cache evicted) that the device code knows nothing about. Each mutant here is
applied by temporarily replacing one method of a device class, and names the attacker worlds whose
steps reach it (the channels hunted are those whose model names one of them, so no channel id is
fixed here). They are used by the tests, the self-test and ``bench/fuzz.py`` only; nothing on a
production path applies one.

The first two are the defects the faithful implementation once had (a second supplier changing
another supplier's hub log; ``deduct-credit`` adding credit); the others are the misses a review
of the fuzzer found (floor off-by-one, hub window, UTRN authentication skipped on the CS01a/b path,
cache eviction order, emergency-credit re-activation); the last group are boundaries and refusals
the campaigns once never reached (a lock held at its expiry, a lock raised without its alert, a
top-up of exactly a limit refused, emergency credit interrupting the supply, the inter-PAN window
closed at its last second, a hub taking a CCS01 counter equal to the last as fresh, and a hub or
meter comparing 4 bytes of the MAC).
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from nowan.model.devices import hub as hub_module
from nowan.model.devices import meter as meter_module
from nowan.model.devices.account import SUPPLY_ARMED, SUPPLY_ON, PrepaymentAccount
from nowan.model.devices.dcc import Dcc
from nowan.model.devices.hub import CommsHub
from nowan.model.devices.lockout import Lockout
from nowan.model.devices.meter import Meter
from nowan.model.devices.utrn_cache import UtrnCounterCache


@dataclass(frozen=True)
class CodeMutant:
    """One mutant: a name, what it changes, the channels to hunt it on, and how to apply it."""

    name: str
    text: str
    #: The attacker worlds whose steps reach the changed code; the channels hunted are derived.
    worlds: tuple[str, ...]
    owner: type
    method: str
    make: Callable[[Callable[..., Any]], Callable[..., Any]]

    @property
    def channels(self) -> tuple[str, ...]:
        """The packaged channels whose model names one of :attr:`worlds` (first world first)."""
        from nowan.attacks.selftest import channels_of

        return channels_of(self.worlds)

    @contextmanager
    def applied(self) -> Iterator[None]:
        """Replace the method for the duration of the block (the original is always restored)."""
        original = self.owner.__dict__[self.method]
        setattr(self.owner, self.method, self.make(original))
        try:
            yield
        finally:
            setattr(self.owner, self.method, original)


def _log_change_any_supplier(orig: Callable[..., Any]) -> Callable[..., Any]:
    def device_log_change(self: Dcc, sender: bytes, sender_counter: int, hub: bytes, device: bytes,
                          **kw: Any) -> Any:
        rec = self.devices.get(hub)
        if rec is None or self.users.get(sender) is None:
            return orig(self, sender, sender_counter, hub, device, **kw)
        saved, rec.supplier = rec.supplier, sender  # the responsible-supplier check sees any supplier
        try:
            return orig(self, sender, sender_counter, hub, device, **kw)
        finally:
            rec.supplier = saved
    return device_log_change


def _deduct_adds(orig: Callable[..., Any]) -> Callable[..., Any]:
    def _apply(self: Meter, command: str, value: Any, code: int) -> Any:
        if command == "deduct-credit":  # the balance plus the amount, where minus was meant
            return orig(self, "set-credit", self.account.balance_pence + int(value), code)
        return orig(self, command, value, code)
    return _apply


def _floor_off_by_one(orig: Callable[..., Any]) -> Callable[..., Any]:
    def check(self: UtrnCounterCache, upper: int, **kw: Any) -> Any:
        if self.floor_hi == 0:
            return orig(self, upper, **kw)
        saved, self.floor = self.floor, (self.floor_hi - 1) << 32  # ``upper < floor`` where ``<=`` was meant
        try:
            return orig(self, upper, **kw)
        finally:
            self.floor = saved
    return check


def _window_in_minutes(orig: Callable[..., Any]) -> Callable[..., Any]:
    def inter_pan_open(self: CommsHub) -> bool:
        saved, self.window_s = self.window_s, self.window_s * 60  # seconds read as minutes
        try:
            return orig(self)
        finally:
            self.window_s = saved
    return inter_pan_open


def _wan_utrn_unauthenticated(orig: Callable[..., Any]) -> Callable[..., Any]:
    def _remote_topup(self: Meter, *args: Any, **kw: Any) -> Any:
        self._utrn_mac_ok = lambda *a, **k: True  # type: ignore[method-assign]
        try:
            return orig(self, *args, **kw)
        finally:
            del self._utrn_mac_ok
    return _remote_topup


def _evict_newest(orig: Callable[..., Any]) -> Callable[..., Any]:
    def record(self: UtrnCounterCache, upper: int) -> None:
        self.entries.add(upper)
        while len(self.entries) > self.size:
            self.entries.discard(max(self.entries))  # the wrong end of the cache
    return record


def _emergency_reactivates(orig: Callable[..., Any]) -> Callable[..., Any]:
    def activate_emergency_credit(self: PrepaymentAccount) -> bool:
        active, self.emergency_credit_active = self.emergency_credit_active, False
        if orig(self):
            return True
        self.emergency_credit_active = active
        return False
    return activate_emergency_credit


def _emergency_unmarked(orig: Callable[..., Any]) -> Callable[..., Any]:
    def activate_emergency_credit(self: PrepaymentAccount) -> bool:
        if orig(self):
            self.emergency_credit_active = False  # granted, but never marked in use
            return True
        return False
    return activate_emergency_credit


def _lock_held_at_expiry(orig: Callable[..., Any]) -> Callable[..., Any]:
    def locked(self: Lockout, now: float) -> bool:
        return self.enabled and now <= self.locked_until  # ``<=`` where ``<`` was meant
    return locked


def _lock_without_alert(orig: Callable[..., Any]) -> Callable[..., Any]:
    def record_failure(self: Lockout, now: float) -> bool:
        orig(self, now)
        return False  # the lock engages, but the caller is told it did not (no suspension alert)
    return record_failure


def _max_topup_exclusive(orig: Callable[..., Any]) -> Callable[..., Any]:
    def credit_check(self: PrepaymentAccount, amount: int) -> str | None:
        if amount == self.config.max_topup_pence:  # ``>=`` where ``>`` was meant
            return "max-topup"
        return orig(self, amount)
    return credit_check


def _max_balance_exclusive(orig: Callable[..., Any]) -> Callable[..., Any]:
    def credit_check(self: PrepaymentAccount, amount: int) -> str | None:
        after = self.balance_pence + max(0, amount - self.emergency_credit_owed)
        return orig(self, amount) or ("max-balance" if after == self.config.max_balance_pence else None)
    return credit_check


def _emergency_interrupts_supply(orig: Callable[..., Any]) -> Callable[..., Any]:
    def activate_emergency_credit(self: PrepaymentAccount) -> bool:
        was_on = self.supply == SUPPLY_ON
        granted = orig(self)
        if granted and was_on:
            self.supply = SUPPLY_ARMED  # ``!=`` where ``==`` was meant: a supply that was on must be re-enabled
        return granted
    return activate_emergency_credit


def _window_closed_at_end(orig: Callable[..., Any]) -> Callable[..., Any]:
    def inter_pan_open(self: CommsHub) -> bool:
        return math.isinf(self.window_s) or self.clock.now - self.powered_on_at < self.window_s  # ``<`` for ``<=``
    return inter_pan_open


def _hub_counter_equal(orig: Callable[..., Any]) -> Callable[..., Any]:
    def _device_log_command(self: CommsHub, frame: Any) -> Any:
        saved = dict(self.last_counter)
        self.last_counter = {k: v - 1 for k, v in saved.items()}  # ``counter >= last`` where ``>`` was meant
        try:
            return orig(self, frame)
        finally:
            untouched = {k for k, v in self.last_counter.items() if k in saved and v == saved[k] - 1}
            self.last_counter = {k: saved[k] if k in untouched else v for k, v in self.last_counter.items()}
    return _device_log_command


def _mac_on_four_bytes(module: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The wrapped method checks GBCS MACs (``module.check_mac``) on their first 4 bytes only."""
    def make(orig: Callable[..., Any]) -> Callable[..., Any]:
        def checked_short(self: Any, frame: Any) -> Any:
            real = module.check_mac
            module.check_mac = lambda f, key, n=4: real(f, key, 4)
            try:
                return orig(self, frame)
            finally:
                module.check_mac = real
        return checked_short
    return make


MUTANTS: dict[str, CodeMutant] = {m.name: m for m in (
    CodeMutant("dcc-log-change-any-supplier", "the DCC lets any supplier change any hub's device log",
               ("pairing",), Dcc, "device_log_change", _log_change_any_supplier),
    CodeMutant("deduct-credit-adds", "deduct-credit adds its amount to the balance", ("wan",), Meter, "_apply",
               _deduct_adds),
    CodeMutant("utrn-floor-off-by-one", "a UTRN whose counter equals the floor is accepted", ("keypad", "wan"),
               UtrnCounterCache, "check", _floor_off_by_one),
    CodeMutant("hub-window-minutes", "the inter-PAN window is read in minutes, not seconds", ("pairing",),
               CommsHub, "inter_pan_open", _window_in_minutes),
    CodeMutant("wan-utrn-unauthenticated", "the UTRN MAC is not checked on the CS01a/b path", ("wan",), Meter,
               "_remote_topup", _wan_utrn_unauthenticated),
    CodeMutant("cache-evicts-newest", "the UTRN cache evicts its largest entry, not its smallest", ("keypad",),
               UtrnCounterCache, "record", _evict_newest),
    CodeMutant("emergency-credit-reactivates", "emergency credit can be activated again while in use",
               ("keypad", "nfc"), PrepaymentAccount, "activate_emergency_credit", _emergency_reactivates),
    CodeMutant("emergency-credit-unmarked", "emergency credit is granted without being marked in use",
               ("keypad", "nfc"), PrepaymentAccount, "activate_emergency_credit", _emergency_unmarked),
    CodeMutant("lock-held-at-expiry", "UTRN entry is still refused at the instant the lockout expires", ("keypad",),
               Lockout, "locked", _lock_held_at_expiry),
    CodeMutant("lock-without-alert", "the lockout engages without the entry-suspension alert", ("keypad",),
               Lockout, "record_failure", _lock_without_alert),
    CodeMutant("max-topup-exclusive", "a top-up of exactly the Max Credit Threshold is refused", ("keypad", "wan"),
               PrepaymentAccount, "credit_check", _max_topup_exclusive),
    CodeMutant("max-balance-exclusive", "a top-up taking the balance exactly to the Max Meter Balance is refused",
               ("keypad", "wan"), PrepaymentAccount, "credit_check", _max_balance_exclusive),
    CodeMutant("emergency-credit-interrupts-supply", "granting emergency credit arms a supply that was on",
               ("keypad", "wan"), PrepaymentAccount, "activate_emergency_credit", _emergency_interrupts_supply),
    CodeMutant("hub-window-closed-at-end", "the inter-PAN window closes one instant early", ("pairing",), CommsHub,
               "inter_pan_open", _window_closed_at_end),
    CodeMutant("hub-counter-equal", "the hub takes a CCS01/CCS02 counter equal to the last as fresh", ("pairing",),
               CommsHub, "_device_log_command", _hub_counter_equal),
    CodeMutant("hub-mac-four-bytes", "the hub compares 4 bytes of a CCS01/CCS02 MAC", ("pairing",), CommsHub,
               "_device_log_command", _mac_on_four_bytes(hub_module)),
    CodeMutant("meter-mac-four-bytes", "the meter compares 4 bytes of a command's MAC", ("wan",), Meter, "_mac_ok",
               _mac_on_four_bytes(meter_module)),
)}
