"""Money for the direct cart and checkout: pure functions on ``Decimal`` (domain.md §6 "Billing").

- The source's billing stops on completion day: the unused days of its current billing period are credited.
- A prepaid plan keeps all its remaining value only if the new order's total is at least that value;
  otherwise the difference is forfeited (and the admin must confirm before placing the order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from upgrades import billing

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def unused_value(*, unit_price: Decimal, quantity: int, term_start: date, billing_cycle: str, today: date) -> Decimal:
    """The prorated value of the unused days (today included) of the current billing period, with the shared
    upgrade billing arithmetic (``upgrades.billing``)."""
    period = billing.current_period(term_start=term_start, cycle=billing_cycle, today=today)
    remaining = (period.end - max(today, period.start)).days
    return billing.prorate(unit_price=unit_price, quantity=quantity, days=remaining, period_days=period.days)


@dataclass(frozen=True)
class Settlement:
    credit: Decimal  # applied to this order
    forfeited: Decimal  # prepaid value lost


def settle(*, subtotal: Decimal, remaining: Decimal, prepaid: bool) -> Settlement:
    """Apply the source's remaining value to the new order."""
    subtotal, remaining = money(subtotal), money(remaining)
    if prepaid and remaining > subtotal:
        return Settlement(credit=subtotal, forfeited=remaining - subtotal)
    return Settlement(credit=remaining, forfeited=ZERO)
