"""Proration arithmetic (pure)."""

from datetime import date
from decimal import Decimal

import pytest

from upgrades.billing import add_months, current_period, prorate, upgrade_proration


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 3, 1), -1, date(2025, 2, 1)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "term_start,cycle,today,start,end",
    [
        (date(2025, 3, 1), "monthly", date(2025, 3, 11), date(2025, 3, 1), date(2025, 4, 1)),
        (date(2025, 1, 15), "monthly", date(2025, 3, 10), date(2025, 2, 15), date(2025, 3, 15)),
        (date(2025, 1, 15), "monthly", date(2025, 3, 15), date(2025, 3, 15), date(2025, 4, 15)),
        (date(2025, 1, 31), "monthly", date(2025, 3, 1), date(2025, 2, 28), date(2025, 3, 31)),
        (date(2024, 6, 15), "annual", date(2025, 3, 11), date(2024, 6, 15), date(2025, 6, 15)),
        (date(2023, 6, 15), "annual", date(2025, 7, 1), date(2025, 6, 15), date(2026, 6, 15)),
        (date(2025, 6, 1), "monthly", date(2025, 5, 20), date(2025, 6, 1), date(2025, 7, 1)),
    ],
)
def test_current_period(term_start, cycle, today, start, end):
    period = current_period(term_start=term_start, cycle=cycle, today=today)
    assert (period.start, period.end) == (start, end) and period.start <= max(today, term_start) < period.end


def test_prorate_rounds_half_up_at_the_end():
    assert prorate(unit_price=Decimal("6.00"), quantity=10, days=21, period_days=31) == Decimal("40.65")
    assert prorate(unit_price=Decimal("0.01"), quantity=1, days=1, period_days=2) == Decimal("0.01")
    assert prorate(unit_price=Decimal("5"), quantity=3, days=0, period_days=30) == Decimal("0.00")


def test_upgrade_proration_same_cycle():
    p = upgrade_proration(
        term_start=date(2025, 3, 1),
        source_cycle="monthly",
        target_cycle="monthly",
        today=date(2025, 3, 11),
        source_unit_price=Decimal("6.00"),
        source_quantity=10,
        target_unit_price=Decimal("23.00"),
        target_quantity=10,
    )
    assert (p.credit, p.charge, p.remaining_days, p.last_day) == (
        Decimal("-40.65"),
        Decimal("155.81"),
        21,
        date(2025, 3, 31),
    )


def test_upgrade_on_the_first_day_credits_the_whole_period():
    p = upgrade_proration(
        term_start=date(2025, 3, 1),
        source_cycle="monthly",
        target_cycle="monthly",
        today=date(2025, 3, 1),
        source_unit_price=Decimal("6.00"),
        source_quantity=10,
        target_unit_price=Decimal("12.50"),
        target_quantity=12,
    )
    assert (p.credit, p.charge) == (Decimal("-60.00"), Decimal("150.00"))
