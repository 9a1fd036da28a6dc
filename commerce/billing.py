"""Proration of a new commerce transition (domain.md §8): pure arithmetic on dates and Decimals, no ORM.

A new commerce price is per seat per billing period of a term × cycle (``catalog.CommercePrice``). Billing periods
are anchored at a subscription's term start and last the cycle's months (monthly 1, annual 12, triennial 36). A
transition on day D (inclusive):

- CREDIT for the moved seats on the source = -(source price × moved seats × days left in the source's current
  period / days of that period): the unused part of what was billed for them;
- CHARGE for the seats on the target = target price × seats × days left in the target's current period / days of
  that period. The target's period is anchored at the source's term start for a new co-termed target (so it ends
  on the same day as the credited period when the cycles match), at the existing target's term start for a
  merge, and at D itself for a new, longer term (a full first period).

Amounts are exact Decimals, rounded once to cents (ROUND_HALF_UP).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalog.models import CYCLE_MONTHS
from upgrades.billing import Period, add_months, prorate


def billing_period(*, anchor: date, cycle: str, today: date) -> Period:
    """The period of ``cycle`` (anchored at ``anchor``) containing ``today``; the first one before ``anchor``."""
    step = CYCLE_MONTHS[cycle]
    if today < anchor:
        return Period(anchor, add_months(anchor, step))
    k = max(((today.year - anchor.year) * 12 + today.month - anchor.month) // step, 0)
    while add_months(anchor, k * step) > today:
        k -= 1
    while add_months(anchor, (k + 1) * step) <= today:
        k += 1
    return Period(add_months(anchor, k * step), add_months(anchor, (k + 1) * step))


@dataclass(frozen=True)
class Side:
    """One side of a transition's billing: what is credited or charged, over which days."""

    amount: Decimal
    start: date  # the transition day
    last_day: date  # last day included
    days: int
    period_days: int


@dataclass(frozen=True)
class TransitionBilling:
    credit: Side  # amount ≤ 0, on the source
    charge: Side  # amount ≥ 0, on the target


def transition_billing(
    *,
    today: date,
    source_anchor: date,
    source_cycle: str,
    source_unit_price: Decimal,
    moved: int,
    target_anchor: date,
    target_cycle: str,
    target_unit_price: Decimal,
    target_seats: int,
) -> TransitionBilling:
    """The credit for ``moved`` seats of the source and the charge for ``target_seats`` seats of the target."""
    source_period = billing_period(anchor=source_anchor, cycle=source_cycle, today=today)
    target_period = billing_period(anchor=target_anchor, cycle=target_cycle, today=today)
    source_days = (source_period.end - max(today, source_period.start)).days
    target_days = (target_period.end - max(today, target_period.start)).days
    credit = -prorate(
        unit_price=source_unit_price, quantity=moved, days=source_days, period_days=source_period.days
    ) + Decimal("0.00")
    charge = prorate(
        unit_price=target_unit_price, quantity=target_seats, days=target_days, period_days=target_period.days
    )
    return TransitionBilling(
        credit=Side(credit, max(today, source_period.start), source_period.last_day, source_days, source_period.days),
        charge=Side(charge, max(today, target_period.start), target_period.last_day, target_days, target_period.days),
    )
