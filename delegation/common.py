"""What every delegated-admin service shares: snapshots, the audit record, row locks, the actor checks and
input validation. Services only (no task, no view is imported)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import OperationType
from audit.services import audit_record_build
from core.durations import format_iso_duration, parse_iso_duration
from core.errors import Forbidden, InvalidInput, NotFound
from core.scoping import is_operator
from customers.models import CustomerAdminRole, CustomerAdminRoleName
from customers.selectors import acting_partner_id
from partners.roles import Capability, require

from .grants import grants_sync_pair
from .models import AUTO_EXTEND, GdapAccessAssignment, GdapRelationship, UnifiedRole

RELATIONSHIP = "DelegatedAdminRelationship"
ASSIGNMENT = "DelegatedAdminAccessAssignment"
DAP = "DelegatedAdminPermission"
DISPLAY_NAME_MAX = 50
AUTO_EXTEND_CHOICES = {timedelta(0): "PT0S", AUTO_EXTEND: "P180D"}
# Microsoft's rule "Don't autoextend GDAP with Global Administrator" (Partner Center, "Expire granular
# relationships and extend granular delegated admin privileges (GDAP)"):
# https://learn.microsoft.com/en-us/partner-center/customers/expiring-gdap-relationships-and-auto-extend-gdap
NEVER_AUTO_EXTENDED_ROLE = UnifiedRole.GLOBAL_ADMINISTRATOR


def relationship_snapshot(relationship: GdapRelationship) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": str(relationship.id),
        "displayName": relationship.display_name,
        "status": relationship.status,
        "unifiedRoles": list(relationship.unified_roles),
        "duration": format_iso_duration(relationship.duration),
        "autoExtendDuration": format_iso_duration(relationship.auto_extend_duration),
        "activatedDateTime": iso(relationship.activated_date_time),
        "endDateTime": iso(relationship.end_date_time),
    }


def assignment_snapshot(assignment: GdapAccessAssignment) -> dict:
    return {
        "id": str(assignment.id),
        "relationshipId": str(assignment.relationship_id),
        "group": assignment.group.name,
        "unifiedRoles": list(assignment.unified_roles),
        "status": assignment.status,
    }


def delegation_audit(
    *,
    actor,
    operation_type,
    resource_type,
    relationship=None,
    partner=None,
    customer=None,
    old=None,
    new=None,
    now=None,
):
    """Write the audit record of a delegated-admin change (``now``: the operation date, tests travel in time)."""
    record = audit_record_build(
        actor=actor,
        operation_type=operation_type,
        resource_type=resource_type,
        partner=partner or relationship.partner,
        customer=customer or relationship.customer,
        old=old,
        new=new,
    )
    if now is not None:
        record.operation_date = now
    record.save(force_insert=True)
    return record


def relationship_locked(relationship_id) -> GdapRelationship:
    try:
        return (
            GdapRelationship.objects.select_for_update(of=("self",))
            .select_related("partner", "customer")
            .get(pk=relationship_id)
        )
    except (GdapRelationship.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("Delegated admin relationship not found."), field="id") from None


def require_partner_side(actor, relationship: GdapRelationship) -> None:
    """The acting partner's admin agents / global admins (404 for another partner's relationship); platform
    operators act for any partner (the Django admin)."""
    if is_operator(actor):
        return
    if acting_partner_id(actor) != relationship.partner_id:
        raise NotFound(_("Delegated admin relationship not found."), field="id")
    require(actor, Capability.REQUEST_DELEGATED_ADMIN)


def is_customer_global_admin(actor, customer) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or getattr(actor, "is_application", False):
        return False
    return CustomerAdminRole.objects.filter(
        user_id=actor.pk, customer_id=customer.pk, role=CustomerAdminRoleName.GLOBAL_ADMINISTRATOR
    ).exists()


def require_customer_side(actor, relationship: GdapRelationship) -> None:
    if not is_customer_global_admin(actor, relationship.customer):
        raise Forbidden(
            _("Only a global administrator of %(customer)s can do this.")
            % {"customer": relationship.customer.company_name}
        )


def parse_duration(value, *, field: str) -> timedelta:
    if isinstance(value, timedelta):
        return value
    try:
        return parse_iso_duration(str(value).strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s: %(value)r is not an ISO-8601 duration such as P730D.") % {"field": field, "value": value},
            field=field,
        ) from None


def validate_roles(roles, *, field: str, allowed=None) -> list[str]:
    if not isinstance(roles, (list, tuple, set)) or not roles:
        raise InvalidInput(_("%(field)s: choose at least one role.") % {"field": field}, field=field)
    unknown = [role for role in roles if role not in UnifiedRole.values]
    if unknown:
        raise InvalidInput(
            ngettext("%(field)s: unknown role %(roles)s.", "%(field)s: unknown roles %(roles)s.", len(unknown))
            % {"field": field, "roles": ", ".join(map(str, unknown))},
            field=field,
        )
    if allowed is not None:
        outside = [role for role in roles if role not in allowed]
        if outside:
            raise InvalidInput(
                _("%(field)s: %(roles)s not granted by the relationship (a subset of its roles is required).")
                % {"field": field, "roles": ", ".join(outside)},
                field=field,
            )
    return [role for role in UnifiedRole.values if role in set(roles)]  # canonical order, no duplicates


def auto_extend_validate(extend: timedelta, roles) -> None:
    """Refuse automatic extension of a relationship that includes Global Administrator (Microsoft's rule, see
    ``NEVER_AUTO_EXTENDED_ROLE``)."""
    if extend > timedelta(0) and NEVER_AUTO_EXTENDED_ROLE in roles:
        raise InvalidInput(
            _(
                "autoExtendDuration: a relationship that includes Global Administrator cannot be "
                "extended automatically; choose PT0S or remove Global Administrator."
            ),
            field="autoExtendDuration",
        )


def relationship_change_record(
    *, actor, relationship: GdapRelationship, old: dict, now, assignment: GdapAccessAssignment | None = None
) -> None:
    """After a relationship (or one of its ``assignment``s) changed: its audit record (``old`` → now), then the
    grants of its partner × customer pair."""
    delegation_audit(
        actor=actor,
        operation_type=OperationType.UPDATE_DELEGATED_ADMIN_RELATIONSHIP,
        resource_type=RELATIONSHIP if assignment is None else ASSIGNMENT,
        relationship=relationship,
        old=old,
        new=relationship_snapshot(relationship) if assignment is None else assignment_snapshot(assignment),
        now=now,
    )
    grants_sync_pair(partner_id=relationship.partner_id, customer_id=relationship.customer_id, now=now)
