"""The meter's prepayment registers: balance, debt, emergency credit, limits, price and supply.

A-LIMITS (domain.md 1.6 [A]): a credit larger than the Max Credit Threshold, or one that would take
the meter balance above the Max Meter Balance, is refused (alerts 0x8F5B / 0x8F47). Emergency credit
(limit ``limits.emergency_credit_pence``) can be selected when the balance is below the emergency
credit threshold; credit added first repays emergency credit in use. Consumption draws the balance,
then emergency credit; when both are exhausted the supply is disabled unless a non-disconnect
period applies; credit added after that *arms* the supply and the consumer (or the PPMID, PECS03)
turns it back on. All amounts are integer pence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nowan.model.assumptions import Assumptions

SUPPLY_ON, SUPPLY_OFF, SUPPLY_ARMED = "on", "off", "armed"
MODE_PREPAYMENT, MODE_CREDIT = "prepayment", "credit"

#: Default price (pence per kWh) and standing charge; not an assumption that changes any verdict,
#: only the currency a simulated consumption uses. ECS01b / change-price replaces it.
DEFAULT_PRICE_PENCE_PER_KWH = 25


@dataclass
class PrepaymentConfig:
    """Supplier-configured thresholds (ECS08a / GCS05); defaults from the A-LIMITS assumptions."""

    max_topup_pence: int
    max_balance_pence: int
    emergency_credit_limit_pence: int
    emergency_credit_threshold_pence: int

    @classmethod
    def from_assumptions(cls, a: Assumptions) -> "PrepaymentConfig":
        ec = int(a["limits.emergency_credit_pence"])
        return cls(int(a["limits.max_topup_pence"]), int(a["limits.max_balance_pence"]), ec, ec)


@dataclass
class PrepaymentAccount:
    """Registers of one meter's prepayment application."""

    config: PrepaymentConfig
    balance_pence: int = 0
    debt_pence: int = 0
    emergency_credit_pence: int = 0  # emergency credit still available to draw
    emergency_credit_active: bool = False
    price_pence_per_kwh: int = DEFAULT_PRICE_PENCE_PER_KWH
    mode: str = MODE_PREPAYMENT
    supply: str = SUPPLY_ON
    non_disconnect: bool = False
    total_credited_pence: int = 0
    history: list[tuple[str, int]] = field(default_factory=list)

    @property
    def emergency_credit_owed(self) -> int:
        return (self.config.emergency_credit_limit_pence - self.emergency_credit_pence
                if self.emergency_credit_active else 0)

    def credit_check(self, amount: int) -> str | None:
        """None if ``amount`` may be credited by a top-up, else 'max-topup' or 'max-balance'."""
        if amount > self.config.max_topup_pence:
            return "max-topup"
        if self.balance_pence + max(0, amount - self.emergency_credit_owed) > self.config.max_balance_pence:
            return "max-balance"
        return None

    def add_credit(self, amount: int, source: str) -> None:
        """Credit after the limit checks: repay emergency credit in use first, arm a disabled supply."""
        owed = self.emergency_credit_owed
        repay = min(owed, amount)
        if self.emergency_credit_active:
            self.emergency_credit_pence += repay
            if self.emergency_credit_owed == 0:
                self.emergency_credit_active, self.emergency_credit_pence = False, 0
        self.balance_pence += amount - repay
        self.total_credited_pence += amount
        self.history.append((source, amount))
        if self.supply == SUPPLY_OFF and self.available_pence() > 0:
            self.supply = SUPPLY_ARMED

    def available_pence(self) -> int:
        return self.balance_pence + (self.emergency_credit_pence if self.emergency_credit_active else 0)

    def activate_emergency_credit(self) -> bool:
        if self.emergency_credit_active or self.balance_pence >= self.config.emergency_credit_threshold_pence:
            return False
        self.emergency_credit_active = True
        self.emergency_credit_pence = self.config.emergency_credit_limit_pence
        if self.supply == SUPPLY_OFF:
            self.supply = SUPPLY_ARMED
        return True

    def consume(self, kwh: int) -> int:
        """Charge consumption (prepayment mode); returns pence charged. May disable the supply."""
        if self.mode != MODE_PREPAYMENT or self.supply != SUPPLY_ON:
            return 0
        cost = kwh * self.price_pence_per_kwh
        from_balance = min(cost, max(self.balance_pence, 0))
        self.balance_pence -= from_balance
        rest = cost - from_balance
        if rest and self.emergency_credit_active:
            take = min(rest, self.emergency_credit_pence)
            self.emergency_credit_pence -= take
            rest -= take
        if self.available_pence() <= 0 and not self.non_disconnect:
            self.supply = SUPPLY_OFF
        return cost - rest

    def request_supply_on(self) -> bool:
        """Consumer / PPMID 'Supply ON' (PECS03): only an armed supply can be enabled."""
        if self.supply == SUPPLY_ARMED:
            self.supply = SUPPLY_ON
            return True
        return self.supply == SUPPLY_ON

    def snapshot(self) -> dict[str, object]:
        return {"balance_pence": self.balance_pence, "debt_pence": self.debt_pence,
                "emergency_credit_pence": self.emergency_credit_pence,
                "emergency_credit_active": self.emergency_credit_active,
                "price_pence_per_kwh": self.price_pence_per_kwh, "mode": self.mode, "supply": self.supply,
                "non_disconnect": self.non_disconnect, "total_credited_pence": self.total_credited_pence,
                "max_topup_pence": self.config.max_topup_pence,
                "max_balance_pence": self.config.max_balance_pence}
