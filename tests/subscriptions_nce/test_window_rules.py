"""The 7-day window, proration and renewal dates as pure rules (no database); expected values by hand."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from subscriptions.renewals import is_renewal_due, renewal_day, term_end
from subscriptions.window import (
    add_months,
    billing_period,
    cancellation_problem,
    closed_on,
    prorated_refund,
    seat_change_problem,
    window_end,
    window_is_open,
)

UNTIL = datetime(2026, 3, 8, 0, 0, 0, tzinfo=UTC)
LAST_SECOND = UNTIL
ONE_SECOND_LATER = UNTIL + timedelta(seconds=1)


def test_window_is_seven_days_and_its_last_second_counts():
    assert window_end(datetime(2026, 3, 1, tzinfo=UTC)) == datetime(2026, 3, 8, tzinfo=UTC)
    assert window_is_open(allowed_until=UNTIL, now=LAST_SECOND) is True
    assert window_is_open(allowed_until=UNTIL, now=ONE_SECOND_LATER) is False
    assert window_is_open(allowed_until=None, now=LAST_SECOND) is False
    assert closed_on(UNTIL) == "2026-03-08"
    assert closed_on(None) == "unknown"


def test_increases_are_always_allowed():
    assert (
        seat_change_problem(current=10, new=12, refundable=0, allowed_until=UNTIL, now=UNTIL + timedelta(days=90))
        is None
    )
    assert seat_change_problem(current=10, new=10, refundable=0, allowed_until=None, now=UNTIL) is None


def test_decrease_inside_the_window_up_to_the_refundable_seats():
    assert seat_change_problem(current=10, new=7, refundable=3, allowed_until=UNTIL, now=LAST_SECOND) is None
    problem = seat_change_problem(current=10, new=6, refundable=3, allowed_until=UNTIL, now=LAST_SECOND)
    assert problem.field == "quantity" and "at most 3 seats" in problem.message and "7" in problem.message


def test_decrease_after_the_window_names_the_day_it_closed():
    problem = seat_change_problem(current=10, new=9, refundable=10, allowed_until=UNTIL, now=ONE_SECOND_LATER)
    assert problem.field == "quantity" and "2026-03-08" in problem.message


def test_cancellation_inside_the_window_only_with_every_seat_refundable():
    assert cancellation_problem(quantity=10, refundable=10, allowed_until=UNTIL, now=LAST_SECOND) is None
    late = cancellation_problem(quantity=10, refundable=10, allowed_until=UNTIL, now=ONE_SECOND_LATER)
    assert late.field == "status" and "2026-03-08" in late.message
    partial = cancellation_problem(quantity=10, refundable=4, allowed_until=UNTIL, now=LAST_SECOND)
    assert partial.field == "status" and "4 of its 10" in partial.message


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 1), 12, date(2027, 3, 1)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "cycle_months, on, expected",
    [
        (1, date(2026, 3, 1), (date(2026, 3, 1), date(2026, 4, 1))),
        (1, date(2026, 3, 31), (date(2026, 3, 1), date(2026, 4, 1))),
        (1, date(2026, 4, 15), (date(2026, 4, 1), date(2026, 5, 1))),
        (12, date(2026, 3, 3), (date(2026, 3, 1), date(2027, 3, 1))),
        (36, date(2026, 3, 7), (date(2026, 3, 1), date(2029, 3, 1))),
    ],
)
def test_billing_period(cycle_months, on, expected):
    assert billing_period(term_start=date(2026, 3, 1), cycle_months=cycle_months, on=on) == expected


@pytest.mark.parametrize(
    "unit_price, seats, end, on, expected",
    [
        # monthly: 31 days; cancelled on the 3rd day → 28 days left: 2 × 6.00 × 28 / 31 = 10.838… → 10.84
        ("6.00", 2, date(2026, 4, 1), date(2026, 3, 3), "10.84"),
        # the first day counts as used: 6.00 × 30 / 31 = 5.806… → 5.81
        ("6.00", 1, date(2026, 4, 1), date(2026, 3, 1), "5.81"),
        # the 8th day (the window's last): 2 × 6.00 × 23 / 31 = 8.903… → 8.90
        ("6.00", 2, date(2026, 4, 1), date(2026, 3, 8), "8.90"),
        # annual, 365 days, the 3rd day: 72.00 × 362 / 365 = 71.408… → 71.41
        ("72.00", 1, date(2027, 3, 1), date(2026, 3, 3), "71.41"),
        # triennial, 1096 days, the 7th day: 216.00 × 1089 / 1096 = 214.620… → 214.62
        ("216.00", 1, date(2029, 3, 1), date(2026, 3, 7), "214.62"),
        # the period's last day: nothing left
        ("6.00", 5, date(2026, 4, 1), date(2026, 3, 31), "0.00"),
        ("6.00", 0, date(2026, 4, 1), date(2026, 3, 3), "0.00"),
    ],
)
def test_prorated_refund(unit_price, seats, end, on, expected):
    amount = prorated_refund(
        unit_price=Decimal(unit_price), seats=seats, period_start=date(2026, 3, 1), period_end=end, on=on
    )
    assert amount == Decimal(expected)


def test_renewal_is_due_from_midnight_utc_after_the_last_day():
    end = date(2027, 2, 28)
    assert renewal_day(end) == date(2027, 3, 1)
    assert is_renewal_due(commitment_end_date=end, now=datetime(2027, 2, 28, 23, 59, 59, tzinfo=UTC)) is False
    assert is_renewal_due(commitment_end_date=end, now=datetime(2027, 3, 1, 0, 0, 0, tzinfo=UTC)) is True
    assert is_renewal_due(commitment_end_date=None, now=datetime(2027, 3, 1, tzinfo=UTC)) is False


@pytest.mark.parametrize(
    "start, term, expected",
    [
        (date(2026, 3, 1), "P1M", date(2026, 3, 31)),
        (date(2027, 3, 1), "P1Y", date(2028, 2, 29)),
        (date(2026, 3, 1), "P3Y", date(2029, 2, 28)),
    ],
)
def test_term_end(start, term, expected):
    assert term_end(start, term) == expected
