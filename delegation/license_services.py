"""Assigning and removing licenses (a tenant user ↔ a subscription of the same customer), for the admin and any
other way in.

Rules: the subscription must be one the actor may act on (``subscriptions_visible_to``: a partner only its own
sales); the actor's partner role must allow managing subscriptions; the acting user must hold a license-writing
delegated role in the customer's tenant (``delegation.selectors.may_assign_licenses``: the same rule as an upgrade
with license transfer); a license is assigned only within the subscription's seats, to a user of the same customer,
on an active subscription. Platform operators pass the role checks. One transaction and one audit record each.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from customers.models import TenantUser
from partners.roles import Capability, require
from subscriptions.models import LicenseAssignment, Subscription, SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to

from .selectors import may_assign_licenses

RESOURCE_TYPE = "license"


def license_snapshot(assignment: LicenseAssignment) -> dict:
    return {
        "userId": str(assignment.user.object_id),
        "userPrincipalName": assignment.user.user_principal_name,
        "subscriptionId": str(assignment.subscription_id),
        "disabledServicePlans": list(assignment.disabled_service_plans or []),
    }


def _locked_subscription(actor, subscription) -> Subscription:
    pk = getattr(subscription, "pk", subscription)
    try:
        return (
            subscriptions_visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("customer", "partner", "offer")
            .get(pk=pk)
        )
    except Subscription.DoesNotExist:
        raise NotFound(_("Subscription not found."), field="subscription") from None


def require_license_admin(actor, subscription: Subscription) -> None:
    if not may_assign_licenses(actor, subscription.customer_id):
        raise Forbidden(
            _(
                "Your delegated admin roles for %(customer)s do not allow assigning licenses (License "
                "Administrator, User Administrator, Directory Writers or Global Administrator needed, "
                "through DAP or an active GDAP access assignment of one of your security groups)."
            )
            % {"customer": subscription.customer.company_name},
            field="subscription",
            error_name="insufficient_delegated_roles",
        )


def license_assign(
    *, actor, subscription, user: TenantUser, disabled_service_plans: Iterable[str] = ()
) -> LicenseAssignment:
    """Give ``user`` a license of ``subscription`` (never above its seats)."""
    require(actor, Capability.MANAGE_SUBSCRIPTIONS)
    plans = list(disabled_service_plans or [])
    if not all(isinstance(code, str) and code for code in plans):
        raise InvalidInput(_("disabledServicePlans: give a list of service plan codes."), field="disabledServicePlans")
    with transaction.atomic():
        locked = _locked_subscription(actor, subscription)
        require_license_admin(actor, locked)
        if user is None or user.customer_id != locked.customer_id:
            raise InvalidInput(
                _("user: choose a user of %(customer)s.") % {"customer": locked.customer.company_name}, field="user"
            )
        if locked.status != SubscriptionStatus.ACTIVE:
            raise Conflict(
                _("subscription: licenses can only be assigned from an active subscription (this one is %(status)s).")
                % {"status": locked.status},
                field="subscription",
            )
        if LicenseAssignment.objects.filter(subscription=locked, user=user).exists():
            raise Conflict(
                _("user: %(upn)s already holds a license of this subscription.") % {"upn": user.user_principal_name},
                field="user",
            )
        assigned = LicenseAssignment.objects.filter(subscription=locked).count()
        if assigned >= locked.quantity:
            raise Conflict(
                _("quantity: all %(n)d seats of this subscription are assigned; add seats or remove a license first.")
                % {"n": locked.quantity},
                field="quantity",
            )
        assignment = LicenseAssignment.objects.create(subscription=locked, user=user, disabled_service_plans=plans)
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_CUSTOMER_USER_LICENSES,
            resource_type=RESOURCE_TYPE,
            partner=locked.partner,
            customer=locked.customer,
            old=None,
            new=license_snapshot(assignment),
        )
    return assignment


def license_unassign(*, actor, assignment: LicenseAssignment) -> None:
    """Take a license back (the seat stays on the subscription)."""
    require(actor, Capability.MANAGE_SUBSCRIPTIONS)
    with transaction.atomic():
        locked = _locked_subscription(actor, assignment.subscription_id)
        require_license_admin(actor, locked)
        row = LicenseAssignment.objects.select_related("user").filter(pk=assignment.pk, subscription=locked).first()
        if row is None:
            raise NotFound(_("License assignment not found."), field="id")
        old = license_snapshot(row)
        row.delete()
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_CUSTOMER_USER_LICENSES,
            resource_type=RESOURCE_TYPE,
            partner=locked.partner,
            customer=locked.customer,
            old=old,
            new=None,
        )
