"""New commerce renewals (domain.md §8): at the end of its term an auto-renewing subscription starts a new term,
applying its scheduled changes; one without auto-renew expires.

Partner Center processes renewals from 00:00 UTC on the day after the term's last day
(https://learn.microsoft.com/en-us/partner-center/developer/create-scheduled-changes); here a periodic task
(``subscriptions.renew_due``) runs :func:`subscriptions_renew_due`. Exactly once per term: the write is a
conditional UPDATE on the term end the renewal read, so a second run, or a second worker racing the first,
matches no row and does nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_create
from catalog.models import TERM_CYCLES, TERM_MONTHS, CommercePrice

from .models import CommerceType, Subscription, SubscriptionStatus
from .services import instructions_target
from .window import add_months, midnight_utc, window_end

logger = logging.getLogger(__name__)


def renewal_day(commitment_end_date: date) -> date:
    """The first day of the next term: the day after the term's last day."""
    return commitment_end_date + timedelta(days=1)


def is_renewal_due(*, commitment_end_date: date | None, now: datetime) -> bool:
    """Due from 00:00 UTC on the day after ``commitment_end_date`` (not a second before)."""
    return commitment_end_date is not None and now >= midnight_utc(renewal_day(commitment_end_date))


def term_end(start: date, term_duration: str) -> date:
    """The last day of a term of ``term_duration`` starting on ``start`` (P1Y from 2026-03-01: 2027-02-28)."""
    return add_months(start, TERM_MONTHS[term_duration]) - timedelta(days=1)


def _due(now: datetime):
    """Active new commerce subscriptions whose term ended before today (UTC)."""
    today = now.astimezone(UTC).date()
    return Subscription.objects.filter(
        commerce=CommerceType.NEW, status=SubscriptionStatus.ACTIVE, commitment_end_date__lt=today
    )


def subscriptions_renew_due(*, now: datetime) -> int:
    """Renew (or expire) every due subscription once; the number renewed or expired. Each runs in its own
    transaction: one that fails does not hold back the others. A subscription several terms behind catches up
    one term per run."""
    done = 0
    for subscription_id in _due(now).order_by("commitment_end_date", "pk").values_list("pk", flat=True):
        try:
            renewed = subscription_renew(subscription_id=subscription_id, now=now)
        except Exception:  # one broken row must not stop the sweep; the next run tries it again
            logger.exception("renewal of subscription %s failed", subscription_id)
            continue
        if renewed is not None:
            done += 1
    return done


def subscription_renew(*, subscription_id, now: datetime) -> Subscription | None:
    """Start the next term of one due subscription, applying its scheduled changes (offer, term, billing cycle,
    quantity, custom term end), or expire it when auto-renew is off. Returns the subscription, or None when
    there was nothing to do (not due, already renewed by another run, not active, legacy)."""
    with transaction.atomic():
        subscription = (
            _due(now)
            .select_for_update(of=("self",))
            .select_related("offer", "customer", "partner")
            .filter(pk=subscription_id)
            .first()
        )
        if subscription is None:
            return None
        read_end = subscription.commitment_end_date
        if not subscription.auto_renew:
            values = {
                "status": SubscriptionStatus.EXPIRED,
                "refundable_quantity": 0,
                "scheduled_next_term_instructions": None,
            }
            old = {"status": subscription.status}
            new = {"status": SubscriptionStatus.EXPIRED}
        else:
            values, old, new = next_term(subscription)
        # the conditional UPDATE: only the run that still sees the term end it read writes the row
        if not _claim(subscription, read_end, values):
            return None
        audit_record_create(
            actor=None,
            operation_type=OperationType.UPDATE_SUBSCRIPTION,
            resource_type="subscription",
            partner=subscription.partner,
            customer=subscription.customer,
            old={"id": str(subscription.pk), **old},
            new={"id": str(subscription.pk), **new},
        )
    subscription.refresh_from_db()
    return subscription


def _claim(subscription: Subscription, read_end: date, values: dict) -> bool:
    claimed = Subscription.objects.filter(
        pk=subscription.pk, status=SubscriptionStatus.ACTIVE, commitment_end_date=read_end
    ).update(**values)
    return claimed == 1


def next_term(subscription: Subscription) -> tuple[dict, dict, dict]:
    """The new term's field values, and the audit's old and new values (``renewal`` says what was applied)."""
    offer_id = subscription.offer_id
    term = subscription.term_duration
    cycle = subscription.billing_cycle
    quantity = subscription.quantity
    custom_end = None
    not_applied = None
    instructions = subscription.scheduled_next_term_instructions
    if instructions:
        target, problem = _target_of(instructions)
        if problem is None:
            offer_id = target.pk
            term = instructions["product"]["termDuration"]
            cycle = instructions["product"]["billingCycle"]
            quantity = instructions["quantity"]
            custom_end = instructions.get("customTermEndDate")
        else:
            not_applied = problem
    ended = subscription.commitment_end_date
    assert ended is not None  # only subscriptions with a term end are due
    start = renewal_day(ended)
    end = date.fromisoformat(custom_end) if custom_end else term_end(start, term)
    values = {
        "offer_id": offer_id,
        "term_duration": term,
        "billing_cycle": cycle,
        "quantity": quantity,
        "term_start_date": start,
        "commitment_end_date": end,
        "cancellation_allowed_until": window_end(midnight_utc(start)),
        "refundable_quantity": quantity,
        "scheduled_next_term_instructions": None,
    }
    old = {
        "offerId": subscription.offer_id,
        "termDuration": subscription.term_duration,
        "billingCycle": subscription.billing_cycle,
        "quantity": subscription.quantity,
        "effectiveStartDate": subscription.term_start_date.isoformat(),
        "commitmentEndDate": ended.isoformat(),
        "scheduledNextTermInstructions": instructions,
    }
    renewal: dict[str, Any] = {"scheduledChangesApplied": bool(instructions) and not_applied is None}
    new = {
        "offerId": offer_id,
        "termDuration": term,
        "billingCycle": cycle,
        "quantity": quantity,
        "effectiveStartDate": start.isoformat(),
        "commitmentEndDate": end.isoformat(),
        "scheduledNextTermInstructions": None,
        "renewal": renewal,
    }
    if not_applied is not None:
        renewal["scheduledChangesNotApplied"] = not_applied
    return values, old, new


def _target_of(instructions: dict):
    """The offer the scheduled changes move to, or why they cannot be applied any more (the catalog changed
    since they were scheduled): the subscription then renews unchanged."""
    product = instructions.get("product") or {}
    term, cycle = product.get("termDuration"), product.get("billingCycle")
    try:
        target = instructions_target(instructions)
    except (KeyError, TypeError):
        target = None
    if target is None or target.retired:
        return None, _("the catalog item is no longer sold")
    if cycle not in TERM_CYCLES.get(str(term), ()) or not isinstance(instructions.get("quantity"), int):
        return None, _("the term or billing cycle is no longer valid")
    if not CommercePrice.objects.filter(offer=target, term_duration=term, billing_cycle=cycle).exists():
        return None, _("the offer is no longer sold for this term and billing cycle")
    if target.quantity_problem(instructions["quantity"]):
        return None, _("the quantity is outside the offer's limits")
    return target, None
