"""Writes to subscriptions (HackSoft style: keyword-only, the actor first, one transaction each).

``subscription_update`` is Partner Center's PATCH of a subscription: seats, active ↔ suspended, friendly
name, auto-renew, and for a new commerce subscription its cancellation (inside the 7-day window) and its
scheduled changes at renewal. Upgrades live in ``upgrades.services``; renewals in ``subscriptions.renewals``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_create
from catalog.models import (
    CYCLE_MONTHS,
    TERM_CYCLES,
    TERM_MONTHS,
    CommerceBillingCycle,
    CommercePrice,
    CommerceProduct,
    TermDuration,
)
from core import events
from core.errors import InvalidInput
from partners.roles import Capability, require

from .models import LicenseAssignment, Subscription, SubscriptionStatus
from .window import (
    add_months,
    billing_period,
    cancellation_problem,
    prorated_refund,
    seat_change_problem,
    window_is_open,
)

UPDATABLE_FIELDS = ("quantity", "status", "friendly_name", "auto_renew", "scheduled_next_term_instructions")
# Allowed status moves through an update: active ↔ suspended only (cancel, expiry... are other operations).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    SubscriptionStatus.ACTIVE: frozenset({SubscriptionStatus.SUSPENDED}),
    SubscriptionStatus.SUSPENDED: frozenset({SubscriptionStatus.ACTIVE}),
}
# A new commerce subscription is also cancelled through an update: PATCH ``status: deleted`` inside its 7-day
# window (https://learn.microsoft.com/en-us/partner-center/developer/cancel-an-azure-marketplace-subscription).
NEW_COMMERCE_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    SubscriptionStatus.ACTIVE: frozenset({SubscriptionStatus.SUSPENDED, SubscriptionStatus.DELETED}),
    SubscriptionStatus.SUSPENDED: frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.DELETED}),
}
API_FIELD_NAMES = {
    "quantity": "quantity",
    "status": "status",
    "friendly_name": "friendlyName",
    "auto_renew": "autoRenewEnabled",
    "scheduled_next_term_instructions": "scheduledNextTermInstructions",
}
FRIENDLY_NAME_MAX = 200
INSTRUCTIONS = "scheduledNextTermInstructions"


@dataclass(frozen=True)
class UpdateOutcome:
    """What an update did beyond the fields: the refund of removed seats (new commerce, inside the window:
    ``{"seats", "amount", "currency"}``, amount None when no price is on file) and the scheduled changes a
    mid-term change deleted."""

    subscription: Subscription
    refund: dict | None = None
    deleted_instructions: dict | None = None


def subscription_update(
    *, actor, subscription: Subscription, changes: dict[str, Any], correlation_id: str = "", now=None
) -> Subscription:
    """Apply ``changes`` (keys among ``UPDATABLE_FIELDS``) to ``subscription`` and audit old/new values.

    Rules (domain.md §2, §4, §8): the actor's role must allow managing subscriptions; quantity is an integer
    within the offer's minimum/maximum and not below the licenses assigned; a retired offer cannot grow;
    status moves only active ↔ suspended (a new commerce subscription may also be cancelled: ``deleted``); a
    suspended subscription's quantity does not change; a new commerce subscription's seats decrease (and it is
    cancelled) only inside its 7-day window, by at most its refundable seats (``subscriptions.window``). Values
    equal to the current ones are not changes. Raises ``PermissionDenied`` or ``InvalidInput`` (naming the
    field) and changes nothing then. ``now`` (default: the clock) decides whether the window is open.
    """
    return subscription_update_outcome(
        actor=actor, subscription=subscription, changes=changes, correlation_id=correlation_id, now=now
    ).subscription


def subscription_update_outcome(
    *, actor, subscription: Subscription, changes: dict[str, Any], correlation_id: str = "", now=None
) -> UpdateOutcome:
    """:func:`subscription_update`, telling also the refund and the scheduled changes it deleted.

    Any mid-term change of a new commerce subscription (its seats, cancelling it, turning auto-renew off)
    deletes its scheduled changes, as Partner Center does
    (https://learn.microsoft.com/en-us/partner-center/developer/create-scheduled-changes), unless the same
    request sets new ones.
    """
    require(actor, Capability.MANAGE_SUBSCRIPTIONS)
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}, field=unknown[0]
        )
    now = now or timezone.now()
    changes = dict(changes)
    if "scheduled_next_term_instructions" in changes:
        changes["scheduled_next_term_instructions"] = instructions_normalize(
            changes["scheduled_next_term_instructions"]
        )
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("offer", "customer", "partner")
            .get(pk=subscription.pk)
        )
        effective = {name: value for name, value in changes.items() if getattr(locked, name) != value}
        _validate(locked, effective, now)
        if not effective:
            return UpdateOutcome(subscription=locked)
        old = {API_FIELD_NAMES[name]: getattr(locked, name) for name in effective}
        new = {API_FIELD_NAMES[name]: value for name, value in effective.items()}
        refund = _refund(locked, effective, now) if locked.is_new_commerce else None
        extra_fields: list[str] = []
        deleted = None
        if locked.is_new_commerce:
            extra_fields = ["refundable_quantity"]
            locked.refundable_quantity = _refundable_after(locked, effective, now)
            if (
                locked.scheduled_next_term_instructions is not None
                and "scheduled_next_term_instructions" not in effective
                and is_mid_term_change(effective)
            ):
                deleted = locked.scheduled_next_term_instructions
                old[INSTRUCTIONS], new[INSTRUCTIONS] = deleted, None
                locked.scheduled_next_term_instructions = None
                extra_fields.append("scheduled_next_term_instructions")
        for name, value in effective.items():
            setattr(locked, name, value)
        if "status" in effective:
            locked.suspended_at = timezone.now() if locked.status == SubscriptionStatus.SUSPENDED else None
        locked.save(update_fields=[*effective, *extra_fields, "suspended_at", "updated"])
        if refund is not None:
            new["refund"] = refund
        record = audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_SUBSCRIPTION,
            resource_type="subscription",
            partner=locked.partner,
            customer=locked.customer,
            old={"id": str(locked.pk), **old},
            new={"id": str(locked.pk), **new},
            correlation_id=correlation_id,
        )
        events.emit(
            events.SUBSCRIPTION_UPDATED,
            partner_id=locked.partner_id,
            resource_uri=f"/v1/customers/{locked.customer.tenant_id}/subscriptions/{locked.pk}",
            resource_name="Subscription",
            payload={"changed": sorted(new)},
            audit_id=record.pk,
        )
    return UpdateOutcome(subscription=locked, refund=refund, deleted_instructions=deleted)


def is_mid_term_change(effective: dict[str, Any]) -> bool:
    """Whether these (effective) changes are a mid-term change that deletes scheduled changes: seats, a
    cancellation, auto-renew turned off (scheduled changes need it on). A transition is one too: its service
    clears ``scheduled_next_term_instructions`` itself."""
    return (
        "quantity" in effective
        or effective.get("status") == SubscriptionStatus.DELETED
        or effective.get("auto_renew") is False
    )


def _refund(subscription: Subscription, effective: dict[str, Any], now) -> dict | None:
    if effective.get("status") == SubscriptionStatus.DELETED:
        seats = subscription.quantity
    elif "quantity" in effective and effective["quantity"] < subscription.quantity:
        seats = subscription.quantity - effective["quantity"]
    else:
        return None
    currency = subscription.offer.currency
    unit_price = (
        CommercePrice.objects.filter(
            offer_id=subscription.offer_id,
            term_duration=subscription.term_duration,
            billing_cycle=subscription.billing_cycle,
            currency=currency,
        )
        .values_list("unit_price", flat=True)
        .first()
    )
    amount = None
    if unit_price is not None:
        today = now.astimezone(UTC).date()
        start, end = billing_period(
            term_start=subscription.term_start_date, cycle_months=CYCLE_MONTHS[subscription.billing_cycle], on=today
        )
        amount = str(prorated_refund(unit_price=unit_price, seats=seats, period_start=start, period_end=end, on=today))
    return {"seats": seats, "amount": amount, "currency": currency}


def _refundable_after(subscription: Subscription, effective: dict[str, Any], now) -> int:
    """Seats still refundable after the change: removed ones leave the count; seats added while the window is
    open join it (the portal keeps one window per subscription); a cancelled subscription has none."""
    refundable = subscription.refundable_quantity
    if effective.get("status") == SubscriptionStatus.DELETED:
        return 0
    if "quantity" in effective:
        delta = effective["quantity"] - subscription.quantity
        if delta < 0:
            return max(refundable + delta, 0)
        if window_is_open(allowed_until=subscription.cancellation_allowed_until, now=now):
            return refundable + delta
    return refundable


def _raise(problem) -> None:
    if problem is not None:
        raise InvalidInput(problem.message, field=problem.field)


def _validate(subscription: Subscription, changes: dict[str, Any], now) -> None:
    if not changes:
        return
    new_commerce = subscription.is_new_commerce
    transitions = NEW_COMMERCE_STATUS_TRANSITIONS if new_commerce else STATUS_TRANSITIONS
    if subscription.status not in transitions:
        raise InvalidInput(
            _("A %(status)s subscription cannot be changed.") % {"status": subscription.status}, field="status"
        )
    if "status" in changes:
        new_status = changes["status"]
        if new_status not in transitions[subscription.status]:
            if new_commerce:
                message = _("cannot change from %(old)s to %(new)s (only active ↔ suspended, or deleted to cancel).")
            else:
                message = _("cannot change from %(old)s to %(new)s (only active ↔ suspended).")
            raise InvalidInput(message % {"old": subscription.status, "new": new_status}, field="status")
        if new_status == SubscriptionStatus.DELETED:
            for name in ("quantity", "scheduled_next_term_instructions"):
                if name in changes:
                    raise InvalidInput(
                        _("cannot be changed in the request that cancels the subscription."),
                        field=API_FIELD_NAMES[name],
                    )
            _raise(
                cancellation_problem(
                    quantity=subscription.quantity,
                    refundable=subscription.refundable_quantity,
                    allowed_until=subscription.cancellation_allowed_until,
                    now=now,
                )
            )
    if "quantity" in changes:
        if changes.get("status", subscription.status) == SubscriptionStatus.SUSPENDED:
            raise InvalidInput(
                _("cannot be changed while the subscription is suspended; reactivate it first."), field="quantity"
            )
        _validate_quantity(subscription, changes["quantity"])
        if new_commerce:
            _raise(
                seat_change_problem(
                    current=subscription.quantity,
                    new=changes["quantity"],
                    refundable=subscription.refundable_quantity,
                    allowed_until=subscription.cancellation_allowed_until,
                    now=now,
                )
            )
    if "friendly_name" in changes:
        name = changes["friendly_name"]
        if not isinstance(name, str) or len(name) > FRIENDLY_NAME_MAX:
            raise InvalidInput(
                _("must be text of at most %(n)d characters.") % {"n": FRIENDLY_NAME_MAX}, field="friendlyName"
            )
    if "auto_renew" in changes and not isinstance(changes["auto_renew"], bool):
        raise InvalidInput(_("must be true or false."), field="autoRenewEnabled")
    if "scheduled_next_term_instructions" in changes:
        _validate_instructions(subscription, changes)


# --- scheduled changes at renewal (https://learn.microsoft.com/en-us/partner-center/developer/create-scheduled-changes)


def instructions_normalize(raw) -> dict | None:
    """Partner Center's ``scheduledNextTermInstructions`` shape checked and normalised (billing cycle in lower
    case, ``customTermEndDate`` as ``YYYY-MM-DD`` or None); None clears them. Raises ``InvalidInput`` naming
    the sub-field."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput(_("must be an object or null."), field=INSTRUCTIONS)
    product = raw.get("product")
    if not isinstance(product, dict):
        raise InvalidInput(
            _("must be an object with productId, skuId, availabilityId, billingCycle and termDuration."),
            field=f"{INSTRUCTIONS}.product",
        )
    normalized: dict[str, Any] = {}
    for key in ("productId", "skuId", "availabilityId", "billingCycle", "termDuration"):
        value = product.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 40:
            raise InvalidInput(_("is required (text)."), field=f"{INSTRUCTIONS}.product.{key}")
        normalized[key] = value.strip()
    normalized["billingCycle"] = normalized["billingCycle"].lower()
    normalized["termDuration"] = normalized["termDuration"].upper()
    if normalized["termDuration"] not in TermDuration.values:
        raise InvalidInput(
            _("must be one of %(values)s.") % {"values": ", ".join(TermDuration.values)},
            field=f"{INSTRUCTIONS}.product.termDuration",
        )
    if normalized["billingCycle"] not in CommerceBillingCycle.values:
        raise InvalidInput(
            _("must be one of %(values)s.") % {"values": ", ".join(CommerceBillingCycle.values)},
            field=f"{INSTRUCTIONS}.product.billingCycle",
        )
    quantity = raw.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidInput(_("must be an integer."), field=f"{INSTRUCTIONS}.quantity")
    end = raw.get("customTermEndDate")
    if end is not None:
        end = _parse_day(end)
    return {"product": normalized, "quantity": quantity, "customTermEndDate": end}


def _parse_day(value) -> str:
    field = f"{INSTRUCTIONS}.customTermEndDate"
    if not isinstance(value, str):
        raise InvalidInput(_("must be a date (YYYY-MM-DD) or null."), field=field)
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise InvalidInput(_("must be a date (YYYY-MM-DD) or null."), field=field) from None


def instructions_target(instructions: dict):
    """The offer the instructions' catalog item names (through ``CommerceProduct``), or None."""
    product = instructions["product"]
    commerce = (
        CommerceProduct.objects.select_related("offer")
        .filter(product_id=product["productId"], sku_id=product["skuId"], availability_id=product["availabilityId"])
        .first()
    )
    return commerce.offer if commerce is not None else None


def scheduling_refusal(*, is_new_commerce: bool, auto_renew: bool) -> str | None:
    """Why a subscription cannot get changes scheduled at renewal (None: it can). Pure: the renewals page
    marks its rows with it, the bulk service refuses a selection with it."""
    if not is_new_commerce:
        return _("only new commerce subscriptions have scheduled changes.")
    if not auto_renew:
        return _("changes at renewal need auto-renew on (autoRenewEnabled: true).")
    return None


def instructions_check(*, actor, subscription: Subscription, instructions, required: bool = True) -> dict | None:
    """The checks of scheduling ``instructions`` on ``subscription`` (its offer loaded) as
    :func:`subscription_update` makes them, nothing written (the wizard's review, a batch's dry run): the
    normalised instructions (None clears them, unless ``required``), or ``InvalidInput`` naming the sub-field."""
    require(actor, Capability.MANAGE_SUBSCRIPTIONS)
    normalized = instructions_normalize(instructions)
    if normalized is None and required:
        raise InvalidInput(_("is required (product, quantity, customTermEndDate)."), field=INSTRUCTIONS)
    _validate_instructions(subscription, {"scheduled_next_term_instructions": normalized})
    return normalized


def _validate_instructions(subscription: Subscription, changes: dict[str, Any]) -> None:
    instructions = changes["scheduled_next_term_instructions"]
    if not subscription.is_new_commerce:
        raise InvalidInput(scheduling_refusal(is_new_commerce=False, auto_renew=False) or "", field=INSTRUCTIONS)
    if instructions is None:
        return
    refusal = scheduling_refusal(is_new_commerce=True, auto_renew=changes.get("auto_renew", subscription.auto_renew))
    if refusal:
        raise InvalidInput(refusal, field=INSTRUCTIONS)
    product = instructions["product"]
    term, cycle = product["termDuration"], product["billingCycle"]
    if cycle not in TERM_CYCLES[term]:
        raise InvalidInput(
            _("a %(term)s term is billed %(cycles)s, not %(cycle)s.")
            % {"term": term, "cycles": " or ".join(TERM_CYCLES[term]), "cycle": cycle},
            field=f"{INSTRUCTIONS}.product.billingCycle",
        )
    offer = instructions_target(instructions)
    item = f"{product['productId']}:{product['skuId']}:{product['availabilityId']}"
    if offer is None or offer.retired:
        raise InvalidInput(
            _("%(item)s is not a catalog item sold here.") % {"item": item}, field=f"{INSTRUCTIONS}.product"
        )
    if offer.market != subscription.offer.market or offer.is_addon != subscription.offer.is_addon:
        raise InvalidInput(
            _("%(item)s (%(offer)s) cannot replace %(current)s: another market, or an add-on for a base offer.")
            % {"item": item, "offer": offer.name, "current": subscription.offer.name},
            field=f"{INSTRUCTIONS}.product",
        )
    if not CommercePrice.objects.filter(offer=offer, term_duration=term, billing_cycle=cycle).exists():
        raise InvalidInput(
            _("%(offer)s is not sold for a %(term)s term billed %(cycle)s.")
            % {"offer": offer.name, "term": term, "cycle": cycle},
            field=f"{INSTRUCTIONS}.product.termDuration",
        )
    problem = offer.quantity_problem(instructions["quantity"])
    if problem:
        raise InvalidInput(problem, field=f"{INSTRUCTIONS}.quantity")
    if instructions["customTermEndDate"] is not None:
        if subscription.commitment_end_date is None:
            raise InvalidInput(
                _("the subscription has no term end date to renew from."), field=f"{INSTRUCTIONS}.customTermEndDate"
            )
        renewal = subscription.commitment_end_date + timedelta(days=1)
        latest = add_months(renewal, TERM_MONTHS[term]) - timedelta(days=1)
        end = date.fromisoformat(instructions["customTermEndDate"])
        if not renewal <= end <= latest:
            raise InvalidInput(
                _("must be between %(first)s and %(last)s (inside the next %(term)s term).")
                % {"first": renewal.isoformat(), "last": latest.isoformat(), "term": term},
                field=f"{INSTRUCTIONS}.customTermEndDate",
            )


def _validate_quantity(subscription: Subscription, quantity) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidInput(_("must be an integer."), field="quantity")
    offer = subscription.offer
    problem = offer.quantity_problem(quantity)
    if problem:
        raise InvalidInput(problem, field="quantity")
    if offer.retired and quantity > subscription.quantity:
        raise InvalidInput(
            _("%(offer)s is retired: its seats cannot be increased.") % {"offer": offer.name}, field="quantity"
        )
    assigned = LicenseAssignment.objects.filter(subscription=subscription).count()
    if quantity < assigned:
        raise InvalidInput(
            _("cannot be lower than the %(n)d licenses assigned; unassign licenses first.") % {"n": assigned},
            field="quantity",
        )
