"""Business days for the credit-check deadline: weekends and the customer country's public holidays don't count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

CREDIT_CHECK_BUSINESS_DAYS = 2


@lru_cache(maxsize=64)
def _holidays_for(country: str, year: int) -> frozenset[date]:
    try:
        calendar = holidays.country_holidays(country, years=[year])
    except NotImplementedError:
        # ``holidays`` signals a country it has no calendar for this way; such a country counts weekends only
        # (covered by tests/direct/test_calendar_pricing.py::test_unknown_country_counts_weekends_only).
        return frozenset()
    return frozenset(calendar.keys())


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(country.upper(), day.year)


def add_business_days(start: datetime, days: int, *, country: str) -> datetime:
    """The same time of day, ``days`` business days after ``start`` (its own day never counts)."""
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if is_business_day(current.date(), country):
            counted += 1
    return current


def credit_check_deadline(placed: datetime, *, country: str) -> datetime:
    return add_business_days(placed, CREDIT_CHECK_BUSINESS_DAYS, country=country)
