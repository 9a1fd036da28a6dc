"""``commerce.billing``: pure proration of a transition, every figure computed by hand in the comments."""

from datetime import date
from decimal import Decimal

from commerce.billing import billing_period, transition_billing
from upgrades.billing import Period


def test_periods_of_each_cycle():
    anchor = date(2026, 2, 1)
    assert billing_period(anchor=anchor, cycle="monthly", today=date(2026, 8, 10)) == Period(
        date(2026, 8, 1), date(2026, 9, 1)
    )
    assert billing_period(anchor=anchor, cycle="annual", today=date(2027, 1, 31)) == Period(
        date(2026, 2, 1), date(2027, 2, 1)
    )
    assert billing_period(anchor=anchor, cycle="annual", today=date(2027, 2, 1)) == Period(
        date(2027, 2, 1), date(2028, 2, 1)
    )
    assert billing_period(anchor=anchor, cycle="triennial", today=date(2027, 3, 1)) == Period(
        date(2026, 2, 1), date(2029, 2, 1)
    )
    # clamped month ends: anchored on Jan 31, the February period starts on Feb 28
    assert billing_period(anchor=date(2026, 1, 31), cycle="monthly", today=date(2026, 3, 1)) == Period(
        date(2026, 2, 28), date(2026, 3, 31)
    )


def test_annual_co_termed():
    # 2026-08-01 → 2027-02-01: 184 of 365 days; 72 × 4 × 184 / 365 = 145.1835…; 276 × 4 × 184 / 365 = 556.5369…
    billing = transition_billing(
        today=date(2026, 8, 1),
        source_anchor=date(2026, 2, 1),
        source_cycle="annual",
        source_unit_price=Decimal("72.00"),
        moved=4,
        target_anchor=date(2026, 2, 1),
        target_cycle="annual",
        target_unit_price=Decimal("276.00"),
        target_seats=4,
    )
    assert (billing.credit.amount, billing.credit.days, billing.credit.period_days) == (Decimal("-145.18"), 184, 365)
    assert (billing.charge.amount, billing.charge.last_day) == (Decimal("556.54"), date(2027, 1, 31))
    assert billing.credit.last_day == billing.charge.last_day == date(2027, 1, 31)


def test_monthly():
    # 2026-08-10 → 2026-09-01: 22 of 31 days; 6 × 3 × 22 / 31 = 12.774…; 23 × 3 × 22 / 31 = 48.967…
    billing = transition_billing(
        today=date(2026, 8, 10),
        source_anchor=date(2026, 2, 1),
        source_cycle="monthly",
        source_unit_price=Decimal("6.00"),
        moved=3,
        target_anchor=date(2026, 2, 1),
        target_cycle="monthly",
        target_unit_price=Decimal("23.00"),
        target_seats=3,
    )
    assert (billing.credit.amount, billing.charge.amount) == (Decimal("-12.77"), Decimal("48.97"))
    assert billing.charge.last_day == date(2026, 8, 31)


def test_triennial_over_a_leap_year():
    # 2026-02-01 → 2029-02-01 is 365 + 365 + 366 = 1096 days; 2027-03-01 → 2029-02-01: 366 + 337 = 703;
    # 700 × 1 × 703 / 1096 = 448.996…
    billing = transition_billing(
        today=date(2027, 3, 1),
        source_anchor=date(2026, 2, 1),
        source_cycle="triennial",
        source_unit_price=Decimal("700.00"),
        moved=1,
        target_anchor=date(2027, 3, 1),
        target_cycle="annual",
        target_unit_price=Decimal("276.00"),
        target_seats=1,
    )
    assert (billing.credit.amount, billing.credit.days, billing.credit.period_days) == (Decimal("-449.00"), 703, 1096)
    # a new term from today: one full annual period, 2027-03-01 → 2028-03-01 (366 days: Feb 29, 2028)
    assert (billing.charge.amount, billing.charge.days, billing.charge.last_day) == (
        Decimal("276.00"),
        366,
        date(2028, 2, 29),
    )


def test_no_price_no_credit():
    billing = transition_billing(
        today=date(2026, 8, 1),
        source_anchor=date(2026, 2, 1),
        source_cycle="annual",
        source_unit_price=Decimal("0"),
        moved=4,
        target_anchor=date(2026, 2, 1),
        target_cycle="annual",
        target_unit_price=Decimal("276.00"),
        target_seats=4,
    )
    assert billing.credit.amount == Decimal("0.00")
    assert str(billing.credit.amount) == "0.00"
