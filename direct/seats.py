"""Buy or remove licenses on a directly bought subscription (Microsoft admin center "Buy or remove licenses").

- Buy more: the new licenses are co-termed (they end with the subscription: its commitment end, else its current
  billing period); today's charge is prorated from today (included) to the end of the current billing period.
- Remove: never below the licenses assigned to users (unassign first); the removed licenses are credited
  prorated over the same days.
Both write a billing entry (``upgrades.BillingEntry``, like an upgrade's) and an audit record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.services import audit_record_create
from core.errors import Conflict, InvalidInput
from customers.models import Customer
from subscriptions.models import Subscription, SubscriptionStatus
from upgrades import billing
from upgrades.models import BillingEntry, BillingKind

from . import cart
from .permissions import AdminAction, admin_require
from .services import locked_admin_subscription


@dataclass(frozen=True)
class SeatQuote:
    subscription: Subscription
    previous: int
    quantity: int
    assigned: int
    unit_price: Decimal
    currency: str
    amount: Decimal  # > 0: charged today; < 0: credited
    period_start: date  # first day charged or credited (today)
    period_last_day: date  # last day charged or credited
    coterm_end: date  # the day every license of the subscription ends

    @property
    def added(self) -> int:
        return max(self.quantity - self.previous, 0)

    @property
    def removed(self) -> int:
        return max(self.previous - self.quantity, 0)


def _clean_quantity(value) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("Quantity must be a whole number."), field="quantity")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Quantity must be a whole number."), field="quantity") from None


def seat_quote(subscription: Subscription, quantity, *, assigned: int, today: date | None = None) -> SeatQuote:
    """Validate the new total ``quantity`` and price the change (each error names its field)."""
    today = today or timezone.localdate()
    if subscription.channel != "direct":
        raise InvalidInput(
            _("Only subscriptions bought directly can change licenses here; contact your partner."),
            field="subscription_id",
        )
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise Conflict(
            _("Licenses can only be changed on an active subscription (it is %(status)s).")
            % {"status": subscription.get_status_display()},
            field="subscription_id",
        )
    value = _clean_quantity(quantity)
    if value == subscription.quantity:
        raise InvalidInput(
            ngettext(
                "The subscription already has %(count)d license: enter a different total.",
                "The subscription already has %(count)d licenses: enter a different total.",
                value,
            )
            % {"count": value},
            field="quantity",
        )
    if value < assigned:
        raise InvalidInput(
            ngettext(
                "Quantity can't be lower than %(count)d: %(count)d license is assigned to a user. "
                "Unassign licenses first.",
                "Quantity can't be lower than %(count)d: %(count)d licenses are assigned to users. "
                "Unassign licenses first.",
                assigned,
            )
            % {"count": assigned},
            field="quantity",
        )
    problem = subscription.offer.quantity_problem(value)
    if problem:
        raise InvalidInput(problem, field="quantity")
    price = cart.unit_price(subscription.offer, subscription.billing_cycle)
    period = billing.current_period(
        term_start=subscription.term_start_date, cycle=subscription.billing_cycle, today=today
    )
    first = max(today, period.start)
    amount = billing.prorate(
        unit_price=price,
        quantity=abs(value - subscription.quantity),
        days=(period.end - first).days,
        period_days=period.days,
    )
    return SeatQuote(
        subscription=subscription,
        previous=subscription.quantity,
        quantity=value,
        assigned=assigned,
        unit_price=price,
        currency=subscription.offer.currency,
        amount=amount if value > subscription.quantity else -amount,
        period_start=first,
        period_last_day=period.last_day,
        coterm_end=subscription.commitment_end_date or period.last_day,
    )


def _description(quote: SeatQuote) -> str:
    if quote.added:
        return ngettext(
            "%(count)d license added, co-termed to %(end)s (prorated)",
            "%(count)d licenses added, co-termed to %(end)s (prorated)",
            quote.added,
        ) % {"count": quote.added, "end": quote.coterm_end.isoformat()}
    return ngettext(
        "Credit for %(count)d license removed (prorated)",
        "Credit for %(count)d licenses removed (prorated)",
        quote.removed,
    ) % {"count": quote.removed}


def seats_change(
    *, actor, customer: Customer, subscription_id, quantity, now: datetime | None = None
) -> tuple[SeatQuote, BillingEntry]:
    """Set the subscription's total licenses to ``quantity`` (buy more or remove some), with its prorated billing
    entry and an audit record. Buying roles only; refused while the tenant's admin actions are locked."""
    admin_require(actor, customer, AdminAction.PURCHASE)
    today = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        customer, subscription = locked_admin_subscription(actor, customer, subscription_id)
        quote = seat_quote(subscription, quantity, assigned=subscription.assignments.count(), today=today)
        subscription.quantity = quote.quantity
        subscription.save(update_fields=["quantity", "updated"])
        entry = BillingEntry.objects.create(
            subscription=subscription,
            kind=BillingKind.CHARGE if quote.amount >= 0 else BillingKind.CREDIT,
            amount=quote.amount,
            currency=quote.currency,
            period_start=quote.period_start,
            period_end=quote.period_last_day,
            booked=today,
            description=_description(quote),
        )
        audit_record_create(
            actor=actor,
            operation_type="update_subscription",
            resource_type="subscription",
            customer=customer,
            old={"id": str(subscription.pk), "quantity": quote.previous},
            new={
                "id": str(subscription.pk),
                "quantity": quote.quantity,
                "amount": str(quote.amount),
                "currency": quote.currency,
                "coterminousEndDate": quote.coterm_end.isoformat(),
            },
        )
    return quote, entry
