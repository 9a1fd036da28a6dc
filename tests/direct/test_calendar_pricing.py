"""Business days (weekends and the country's public holidays) and checkout money."""

from datetime import date, datetime
from decimal import Decimal

import holidays
import pytest

from direct import pricing
from direct.calendar import credit_check_deadline, is_business_day


def test_the_sample_dates_are_what_the_tests_assume():
    se = holidays.Sweden(years=[2026, 2024])
    assert date(2026, 1, 6) in se and date(2026, 1, 2).weekday() == 4 and date(2026, 1, 2) not in se
    assert date(2026, 4, 3) in se and date(2026, 4, 6) in se  # Good Friday, Easter Monday
    assert date(2024, 1, 1) in se and date(2024, 1, 1).weekday() == 0


@pytest.mark.parametrize(
    "placed, country, deadline",
    [
        ("2026-01-02T10:00", "SE", "2026-01-07T10:00"),  # Friday; Tuesday 6 Jan is Epiphany in Sweden
        ("2026-01-02T10:00", "US", "2026-01-06T10:00"),  # same Friday, no holiday in the US: Mon, Tue
        ("2026-04-02T10:00", "SE", "2026-04-08T10:00"),  # Thursday before Good Friday and Easter Monday
        ("2023-12-29T16:30", "SE", "2024-01-03T16:30"),  # Friday before New Year's Day (a Monday)
        ("2026-03-04T09:00", "SE", "2026-03-06T09:00"),  # an ordinary Wednesday
    ],
)
def test_two_business_days(placed, country, deadline):
    assert credit_check_deadline(datetime.fromisoformat(placed), country=country) == datetime.fromisoformat(deadline)


def test_unknown_country_counts_weekends_only():
    assert is_business_day(date(2026, 1, 6), "ZZ")
    assert not is_business_day(date(2026, 1, 3), "ZZ")


def test_prepaid_keeps_value_only_up_to_the_new_total():
    kept = pricing.settle(subtotal=Decimal("1000"), remaining=Decimal("400"), prepaid=True)
    assert (kept.credit, kept.forfeited) == (Decimal("400.00"), Decimal("0.00"))
    lost = pricing.settle(subtotal=Decimal("380"), remaining=Decimal("1320.55"), prepaid=True)
    assert (lost.credit, lost.forfeited) == (Decimal("380.00"), Decimal("940.55"))
    not_prepaid = pricing.settle(subtotal=Decimal("380"), remaining=Decimal("1320.55"), prepaid=False)
    assert (not_prepaid.credit, not_prepaid.forfeited) == (Decimal("1320.55"), Decimal("0.00"))


def test_unused_value_of_the_current_period():
    # monthly from the 1st; on 16 March 16 of 31 days are left (today included)
    value = pricing.unused_value(
        unit_price=Decimal("22.00"),
        quantity=10,
        term_start=date(2026, 1, 1),
        billing_cycle="monthly",
        today=date(2026, 3, 16),
    )
    assert value == Decimal("113.55")
