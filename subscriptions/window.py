"""The new commerce 7-day window and its prorated refund: pure rules over plain values (domain.md §8).

Partner Center's policy (https://learn.microsoft.com/en-us/partner-center/customers/new-commerce-cancellation-policy):
a license-based subscription can be cancelled, or its seats reduced, with a prorated refund within seven calendar
days of purchase or renewal; afterwards the seats are locked until the term ends (a decrease is then a scheduled
change at renewal). ``refundableQuantity`` (``RefundableQuantity.TotalQuantity`` / ``Details``:
https://learn.microsoft.com/en-us/dotnet/api/microsoft.store.partnercenter.models.subscriptions.refundablequantity)
says how many seats may still be removed. Cancelling is a PATCH of ``status: deleted``
(https://learn.microsoft.com/en-us/partner-center/developer/cancel-an-azure-marketplace-subscription), refused
once the window has passed. Increases are always allowed and co-termed: the term end date does not change.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

WINDOW = timedelta(days=7)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Problem:
    """Why a change is refused: the API field at fault and a message for the user."""

    field: str
    message: str


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day (Jan 31 + 1 → Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def window_end(start: datetime) -> datetime:
    """``cancellationAllowedUntilDate`` for a purchase or renewal at ``start``: seven days later."""
    return start + WINDOW


def window_is_open(*, allowed_until: datetime | None, now: datetime) -> bool:
    """Open up to and including ``allowed_until`` (its last second still counts)."""
    return allowed_until is not None and now <= allowed_until


def closed_on(allowed_until: datetime | None) -> str:
    """The (UTC) day the window closed, ``YYYY-MM-DD``; ``unknown`` when the subscription never had one."""
    if allowed_until is None:
        return "unknown"
    return allowed_until.astimezone(UTC).date().isoformat()


def seat_change_problem(
    *, current: int, new: int, refundable: int, allowed_until: datetime | None, now: datetime
) -> Problem | None:
    """Why ``current`` → ``new`` seats is refused for a new commerce subscription, or None.

    Increases: always allowed. Decreases: only inside the window, by at most ``refundable`` seats.
    """
    if new >= current:
        return None
    if not window_is_open(allowed_until=allowed_until, now=now):
        return Problem(
            "quantity",
            _(
                "seats of a new commerce subscription can only be reduced within 7 days of purchase or renewal; "
                "the window closed on %(date)s. Schedule the lower quantity for the renewal instead."
            )
            % {"date": closed_on(allowed_until)},
        )
    if current - new > refundable:
        return Problem(
            "quantity",
            _("at most %(n)d seats can still be removed (refundableQuantity), so not fewer than %(min)d.")
            % {"n": refundable, "min": current - refundable},
        )
    return None


def cancellation_problem(
    *, quantity: int, refundable: int, allowed_until: datetime | None, now: datetime
) -> Problem | None:
    """Why cancelling (``status: deleted``) a new commerce subscription is refused, or None: inside the window,
    and every seat must still be refundable (the portal's rule: cancelling removes all seats)."""
    if not window_is_open(allowed_until=allowed_until, now=now):
        return Problem(
            "status",
            _(
                "a new commerce subscription can only be cancelled within 7 days of purchase or renewal; "
                "the window closed on %(date)s. Turn auto-renew off to end it at the end of its term."
            )
            % {"date": closed_on(allowed_until)},
        )
    if quantity > refundable:
        return Problem(
            "status",
            _("only %(n)d of its %(total)d seats can still be refunded: it cannot be cancelled.")
            % {"n": refundable, "total": quantity},
        )
    return None


def billing_period(*, term_start: date, cycle_months: int, on: date) -> tuple[date, date]:
    """The billing period of a term containing ``on``: (first day, first day after it)."""
    start = term_start
    periods = 0
    while True:
        end = add_months(term_start, (periods + 1) * cycle_months)
        if on < end or end <= start:
            return start, end
        periods += 1
        start = end


def prorated_refund(*, unit_price: Decimal, seats: int, period_start: date, period_end: date, on: date) -> Decimal:
    """Refund for ``seats`` removed on ``on`` out of a paid period [``period_start``, ``period_end``): the price
    of the days left after ``on``, counted daily (cancelling on the third day refunds the period minus three
    days, as the policy page's example has it), to the cent (half up)."""
    total_days = (period_end - period_start).days
    used_days = min(max((on - period_start).days + 1, 0), total_days)
    if total_days <= 0 or seats <= 0:
        return Decimal("0.00")
    amount = unit_price * seats * (total_days - used_days) / total_days
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
