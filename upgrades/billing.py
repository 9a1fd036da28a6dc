"""Proration arithmetic of an upgrade (pure: dates and Decimals, no ORM).

Billing periods are anchored at the subscription's term start: a monthly subscription's period runs from
the term start's day of month to the same day next month, an annual one over the current term year.
An upgrade on day D (inclusive) until the end of the source's current period:

- credit for the source  = -(source unit price × source seats × remaining days / days in the period);
- charge for the target  = target unit price × target seats × remaining days / days in one target period
  (the target period anchored like the source's; equal to the source's period when the cycles match).

Amounts are exact Decimals, quantized to 0.01 with ROUND_HALF_UP, each in its offer's currency.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MONTHS_PER_CYCLE = {"monthly": 1, "annual": 12}


def monthly_price(unit_price: Decimal, cycle: str) -> Decimal:
    """A price per seat per billing period as a price per seat per month (annual / 12, to cents): the one rule
    of the opportunities' prices and of an approval's monthly value."""
    if cycle == "annual":
        return (unit_price / 12).quantize(CENT, rounding=ROUND_HALF_UP)
    return unit_price.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day (Jan 31 + 1 → Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # first day AFTER the period (exclusive)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def current_period(*, term_start: date, cycle: str, today: date) -> Period:
    """The billing period (of ``cycle``) containing ``today``; the first one when the term starts later."""
    step = MONTHS_PER_CYCLE[cycle]
    if today < term_start:
        return Period(term_start, add_months(term_start, step))
    months = (today.year - term_start.year) * 12 + today.month - term_start.month
    k = max(months // step, 0)
    start = add_months(term_start, k * step)
    if start > today:
        k -= 1
        start = add_months(term_start, k * step)
    end = add_months(term_start, (k + 1) * step)
    if end <= today:  # clamping at month ends can leave today just past the computed period
        start, end = end, add_months(term_start, (k + 2) * step)
    return Period(start, end)


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def prorate(*, unit_price: Decimal, quantity: int, days: int, period_days: int) -> Decimal:
    """``unit_price × quantity × days / period_days`` rounded to cents (unrounded until the end)."""
    if period_days <= 0 or days <= 0:
        return Decimal("0.00")
    return quantize(Decimal(unit_price) * quantity * days / period_days)


@dataclass(frozen=True)
class Proration:
    credit: Decimal  # negative (or zero)
    charge: Decimal  # positive (or zero)
    start: date  # the upgrade day
    last_day: date  # last day of the remaining period (inclusive)
    remaining_days: int
    source_period: Period
    target_period: Period


def upgrade_proration(
    *,
    term_start: date,
    source_cycle: str,
    target_cycle: str,
    today: date,
    source_unit_price: Decimal,
    source_quantity: int,
    target_unit_price: Decimal,
    target_quantity: int,
) -> Proration:
    source_period = current_period(term_start=term_start, cycle=source_cycle, today=today)
    target_period = current_period(term_start=term_start, cycle=target_cycle, today=today)
    first = max(today, source_period.start)
    remaining = (source_period.end - first).days
    credit = -prorate(
        unit_price=source_unit_price, quantity=source_quantity, days=remaining, period_days=source_period.days
    )
    charge = prorate(
        unit_price=target_unit_price, quantity=target_quantity, days=remaining, period_days=target_period.days
    )
    return Proration(
        credit=credit + Decimal("0.00"),
        charge=charge,
        start=first,
        last_day=source_period.last_day,
        remaining_days=remaining,
        source_period=source_period,
        target_period=target_period,
    )
