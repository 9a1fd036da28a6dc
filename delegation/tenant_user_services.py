"""Writes to a customer's users (Partner Center "users and licenses" under GDAP), for the admin and any other way in.

A partner acts in the customer's tenant only through its delegated access: DAP on (its *Admin Agents* hold Global
Administrator) or an active GDAP access assignment of User Administrator or Global Administrator to a group the
acting user is in (``delegation.selectors.may_manage_tenant_users``; this module lives in ``delegation`` because it acts on a
customer through the partner's delegated access). A partner never touches another partner's
subscriptions: a user holding a license of a subscription this partner did not sell cannot be deleted by it.
Platform operators may do everything. Each write owns its transaction and writes one audit record.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.scoping import is_operator
from customers.models import Customer, TenantUser
from customers.selectors import acting_partner_id, customers_visible_to
from partners.models import Partner
from subscriptions.models import LicenseAssignment
from subscriptions.selectors import subscriptions_visible_to

from .selectors import may_manage_tenant_users

UPDATABLE_FIELDS = ("user_principal_name", "display_name", "email")
API_FIELD_NAMES = {
    "user_principal_name": "userPrincipalName",
    "display_name": "displayName",
    "email": "email",
    "object_id": "id",
}
UPN_MAX, DISPLAY_NAME_MAX = 320, 200
RESOURCE_TYPE = "customer_user"


def tenant_user_snapshot(tenant_user: TenantUser) -> dict:
    return {
        "id": str(tenant_user.object_id),
        "userPrincipalName": tenant_user.user_principal_name,
        "displayName": tenant_user.display_name,
        "email": tenant_user.email,
    }


def _acting_partner(actor) -> Partner | None:
    partner_id = acting_partner_id(actor)
    return Partner.objects.filter(pk=partner_id).first() if partner_id else None


def require_user_admin(actor, customer: Customer) -> None:
    """Raise unless ``actor`` may manage ``customer``'s users (``NotFound`` outside their customers)."""
    if not customers_visible_to(actor).filter(pk=customer.pk).exists():
        raise NotFound(_("Customer not found."), field="customer")
    if not may_manage_tenant_users(actor, customer.pk):
        raise Forbidden(
            _(
                "Your delegated admin roles for %(customer)s do not allow managing its users (User "
                "Administrator or Global Administrator needed, through DAP or an active GDAP access "
                "assignment of one of your security groups)."
            )
            % {"customer": customer.company_name},
            field="customer",
            error_name="insufficient_delegated_roles",
        )


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for name, value in changes.items():
        api_name = API_FIELD_NAMES[name]
        if not isinstance(value, str):
            raise InvalidInput(_("%(field)s: must be text.") % {"field": api_name}, field=api_name)
        value = value.strip()
        if name == "user_principal_name":
            local, at, domain = value.partition("@")
            if not (local and at and domain) or len(value) > UPN_MAX or " " in value:
                raise InvalidInput(
                    _(
                        "userPrincipalName: give a name such as ana@contoso.onmicrosoft.com (at most "
                        "%(max)d characters)."
                    )
                    % {"max": UPN_MAX},
                    field=api_name,
                )
        elif name == "display_name" and len(value) > DISPLAY_NAME_MAX:
            raise InvalidInput(
                _("displayName: at most %(max)d characters.") % {"max": DISPLAY_NAME_MAX}, field=api_name
            )
        elif name == "email" and value:
            try:
                validate_email(value)
            except ValidationError:
                raise InvalidInput(
                    _("email: %(value)s is not an email address.") % {"value": value}, field=api_name
                ) from None
        cleaned[name] = value
    return cleaned


def _upn_taken(user_principal_name: str, *, exclude_pk=None) -> None:
    taken = TenantUser.objects.filter(user_principal_name__iexact=user_principal_name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(
            _("userPrincipalName: %(upn)s is already used.") % {"upn": user_principal_name}, field="userPrincipalName"
        )


def tenant_user_create(
    *,
    actor,
    customer: Customer,
    user_principal_name: str,
    display_name: str = "",
    email: str = "",
    object_id: uuid.UUID | None = None,
) -> TenantUser:
    """Create a user in ``customer``'s tenant (``object_id``: the Entra object id, new when not given)."""
    require_user_admin(actor, customer)
    values = _clean({"user_principal_name": user_principal_name, "display_name": display_name, "email": email})
    try:
        with transaction.atomic():
            _upn_taken(values["user_principal_name"])
            tenant_user = TenantUser.objects.create(customer=customer, object_id=object_id or uuid.uuid4(), **values)
            audit_record_create(
                actor=actor,
                operation_type=OperationType.CREATE_CUSTOMER_USER,
                resource_type=RESOURCE_TYPE,
                partner=_acting_partner(actor),
                customer=customer,
                old=None,
                new=tenant_user_snapshot(tenant_user),
            )
    except IntegrityError:
        raise Conflict(_("id: this object id is already used by another user."), field="id") from None
    return tenant_user


def tenant_user_update(*, actor, tenant_user: TenantUser, changes: dict[str, Any]) -> TenantUser:
    """Change a user's ``UPDATABLE_FIELDS``; values equal to the current ones are not changes (no record)."""
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}, field=unknown[0]
        )
    with transaction.atomic():
        locked = TenantUser.objects.select_for_update(of=("self",)).select_related("customer").get(pk=tenant_user.pk)
        require_user_admin(actor, locked.customer)
        effective = {name: value for name, value in _clean(changes).items() if getattr(locked, name) != value}
        if not effective:
            return locked
        if "user_principal_name" in effective:
            _upn_taken(effective["user_principal_name"], exclude_pk=locked.pk)
        old = tenant_user_snapshot(locked)
        for name, value in effective.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(effective))
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_CUSTOMER_USER,
            resource_type=RESOURCE_TYPE,
            partner=_acting_partner(actor),
            customer=locked.customer,
            old=old,
            new=tenant_user_snapshot(locked),
        )
    return locked


def foreign_licenses_of(actor, tenant_user: TenantUser):
    """The user's licenses of subscriptions the actor may not act on (another partner's or channel's)."""
    if is_operator(actor):
        return LicenseAssignment.objects.none()
    return LicenseAssignment.objects.filter(user=tenant_user).exclude(subscription__in=subscriptions_visible_to(actor))


def tenant_user_delete(*, actor, tenant_user: TenantUser) -> None:
    """Delete a user and their licenses. Refused when they hold a license of a subscription the acting partner did
    not sell (the message does not say which: another partner's subscription is none of this partner's business)."""
    with transaction.atomic():
        locked = TenantUser.objects.select_for_update(of=("self",)).select_related("customer").get(pk=tenant_user.pk)
        require_user_admin(actor, locked.customer)
        if foreign_licenses_of(actor, locked).exists():
            raise Conflict(
                _(
                    "%(upn)s also holds licenses of subscriptions your partner did not sell: the user "
                    "cannot be deleted here. Ask the customer's administrator."
                )
                % {"upn": locked.user_principal_name},
                field="licenses",
            )
        old = tenant_user_snapshot(locked)
        old["licenses"] = sorted(str(pk) for pk in locked.licenses.values_list("subscription_id", flat=True))
        customer = locked.customer
        locked.delete()
        audit_record_create(
            actor=actor,
            operation_type=OperationType.DELETE_CUSTOMER_USER,
            resource_type=RESOURCE_TYPE,
            partner=_acting_partner(actor),
            customer=customer,
            old=old,
            new=None,
        )
