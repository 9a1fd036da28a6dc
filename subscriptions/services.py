"""Writes to subscriptions (HackSoft style: keyword-only, the actor first, one transaction each).

``subscription_update`` is Partner Center's PATCH of a subscription: seats, active ↔ suspended, friendly
name and auto-renew. Upgrades live in ``upgrades.services``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import InvalidInput
from partners.roles import Capability, require

from .models import LicenseAssignment, Subscription, SubscriptionStatus

UPDATABLE_FIELDS = ("quantity", "status", "friendly_name", "auto_renew")
# Allowed status moves through an update: active ↔ suspended only (cancel, expiry... are other operations).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    SubscriptionStatus.ACTIVE: frozenset({SubscriptionStatus.SUSPENDED}),
    SubscriptionStatus.SUSPENDED: frozenset({SubscriptionStatus.ACTIVE}),
}
API_FIELD_NAMES = {
    "quantity": "quantity",
    "status": "status",
    "friendly_name": "friendlyName",
    "auto_renew": "autoRenewEnabled",
}
FRIENDLY_NAME_MAX = 200


def subscription_update(
    *, actor, subscription: Subscription, changes: dict[str, Any], correlation_id: str = ""
) -> Subscription:
    """Apply ``changes`` (keys among ``UPDATABLE_FIELDS``) to ``subscription`` and audit old/new values.

    Rules (domain.md §2, §4): the actor's role must allow managing subscriptions; quantity is an integer
    within the offer's minimum/maximum and not below the licenses assigned; a retired offer cannot grow;
    status moves only active ↔ suspended; a suspended subscription's quantity does not change. Values equal
    to the current ones are not changes. Raises ``PermissionDenied`` or ``InvalidInput`` (naming the field)
    and changes nothing then.
    """
    require(actor, Capability.MANAGE_SUBSCRIPTIONS)
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}, field=unknown[0]
        )
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("offer", "customer", "partner")
            .get(pk=subscription.pk)
        )
        effective = {name: value for name, value in changes.items() if getattr(locked, name) != value}
        _validate(locked, effective)
        if not effective:
            return locked
        old = {API_FIELD_NAMES[name]: getattr(locked, name) for name in effective}
        for name, value in effective.items():
            setattr(locked, name, value)
        if "status" in effective:
            locked.suspended_at = timezone.now() if locked.status == SubscriptionStatus.SUSPENDED else None
        locked.save(update_fields=[*effective, "suspended_at", "updated"])
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_SUBSCRIPTION,
            resource_type="subscription",
            partner=locked.partner,
            customer=locked.customer,
            old={"id": str(locked.pk), **old},
            new={"id": str(locked.pk), **{API_FIELD_NAMES[name]: value for name, value in effective.items()}},
            correlation_id=correlation_id,
        )
    return locked


def _validate(subscription: Subscription, changes: dict[str, Any]) -> None:
    if not changes:
        return
    if subscription.status not in STATUS_TRANSITIONS:
        raise InvalidInput(
            _("A %(status)s subscription cannot be changed.") % {"status": subscription.status}, field="status"
        )
    if "status" in changes:
        new_status = changes["status"]
        if new_status not in STATUS_TRANSITIONS[subscription.status]:
            raise InvalidInput(
                _("cannot change from %(old)s to %(new)s (only active ↔ suspended).")
                % {"old": subscription.status, "new": new_status},
                field="status",
            )
    if "quantity" in changes:
        if changes.get("status", subscription.status) == SubscriptionStatus.SUSPENDED:
            raise InvalidInput(
                _("cannot be changed while the subscription is suspended; reactivate it first."), field="quantity"
            )
        _validate_quantity(subscription, changes["quantity"])
    if "friendly_name" in changes:
        name = changes["friendly_name"]
        if not isinstance(name, str) or len(name) > FRIENDLY_NAME_MAX:
            raise InvalidInput(
                _("must be text of at most %(n)d characters.") % {"n": FRIENDLY_NAME_MAX}, field="friendlyName"
            )
    if "auto_renew" in changes and not isinstance(changes["auto_renew"], bool):
        raise InvalidInput(_("must be true or false."), field="autoRenewEnabled")


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
