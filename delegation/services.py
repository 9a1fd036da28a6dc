"""Delegated admin services (domain.md §3): the GDAP lifecycle, access assignments, DAP, and the grants.

Every write goes through here (portal pages, customer pages, the /v1/ API, Celery tasks): it checks the
actor's right, validates input (``InvalidInput`` naming the field), moves status only through
``delegation.transitions``, writes an audit record, and rewrites the guardian grants of the partner ×
customer pair it touched (``delegation.grants``). Every function takes ``now`` so tests can travel in time.
Expiry, auto-extension, request lapse and notices live in ``delegation.expiry`` (re-exported here).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_build
from core.durations import format_iso_duration, parse_iso_duration
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.scoping import is_operator
from customers.models import CustomerAdminRole, CustomerAdminRoleName
from customers.selectors import acting_partner_id, customers_visible_to
from partners.models import SecurityGroup
from partners.roles import Capability, require

from .grants import grants_resync, grants_sync_pair  # noqa: F401  (grants_resync is part of this API)
from .models import (
    AUTO_EXTEND,
    MAX_DURATION,
    REQUEST_LAPSE,
    AccessAssignmentStatus,
    DapGrant,
    GdapAccessAssignment,
    GdapRelationship,
    GdapStatus,
    UnifiedRole,
)
from .signals import grants_deferred
from .transitions import check_transition

RELATIONSHIP = "DelegatedAdminRelationship"
ASSIGNMENT = "DelegatedAdminAccessAssignment"
DAP = "DelegatedAdminPermission"
DISPLAY_NAME_MAX = 50
AUTO_EXTEND_CHOICES = {timedelta(0): "PT0S", AUTO_EXTEND: "P180D"}
# Microsoft's rule "Don't autoextend GDAP with Global Administrator" (Partner Center, "Expire granular
# relationships and extend granular delegated admin privileges (GDAP)"):
# https://learn.microsoft.com/en-us/partner-center/customers/expiring-gdap-relationships-and-auto-extend-gdap
NEVER_AUTO_EXTENDED_ROLE = UnifiedRole.GLOBAL_ADMINISTRATOR


# ---------------------------------------------------------------------------------------------- helpers
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


def _assignment_snapshot(assignment: GdapAccessAssignment) -> dict:
    return {
        "id": str(assignment.id),
        "relationshipId": str(assignment.relationship_id),
        "group": assignment.group.name,
        "unifiedRoles": list(assignment.unified_roles),
        "status": assignment.status,
    }


def _audit(
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


def _move(relationship: GdapRelationship, target: str) -> None:
    check_transition(relationship.status, target)
    relationship.status = target


def _locked(relationship_id) -> GdapRelationship:
    try:
        return (
            GdapRelationship.objects.select_for_update(of=("self",))
            .select_related("partner", "customer")
            .get(pk=relationship_id)
        )
    except (GdapRelationship.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("Delegated admin relationship not found."), field="id") from None


def _require_partner_side(actor, relationship: GdapRelationship) -> None:
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


def _require_customer_side(actor, relationship: GdapRelationship) -> None:
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


def _validate_roles(roles, *, field: str, allowed=None) -> list[str]:
    if not isinstance(roles, (list, tuple, set)) or not roles:
        raise InvalidInput(_("%(field)s: choose at least one role.") % {"field": field}, field=field)
    unknown = [role for role in roles if role not in UnifiedRole.values]
    if unknown:
        raise InvalidInput(
            _("%(field)s: unknown role(s) %(roles)s.") % {"field": field, "roles": ", ".join(map(str, unknown))},
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


# ---------------------------------------------------------------------------------------------- GDAP
def relationship_request_create(
    *,
    actor,
    customer,
    display_name: str,
    unified_roles,
    duration="P730D",
    auto_extend_duration="PT0S",
    now: datetime | None = None,
) -> GdapRelationship:
    """A partner admin agent asks the customer for a GDAP relationship: created → approvalPending."""
    require(actor, Capability.REQUEST_DELEGATED_ADMIN)
    now = now or timezone.now()
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        raise Forbidden(_("A delegated admin relationship is requested by a partner, not by an operator."))
    if not customers_visible_to(actor).filter(pk=customer.pk).exists():
        raise NotFound(_("Customer not found."), field="customer")
    name = (display_name or "").strip()
    if not name or len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(
            _("displayName: give 1 to %(max)d characters.") % {"max": DISPLAY_NAME_MAX}, field="displayName"
        )
    roles = _validate_roles(unified_roles, field="accessDetails.unifiedRoles")
    length = parse_duration(duration, field="duration")
    if not timedelta(days=1) <= length <= MAX_DURATION:
        raise InvalidInput(_("duration: must be between P1D and P2Y (730 days)."), field="duration")
    extend = parse_duration(auto_extend_duration, field="autoExtendDuration")
    if extend not in AUTO_EXTEND_CHOICES:
        raise InvalidInput(_("autoExtendDuration: must be PT0S or P180D."), field="autoExtendDuration")
    auto_extend_validate(extend, roles)
    try:
        with transaction.atomic(), grants_deferred():
            relationship = GdapRelationship.objects.create(
                partner_id=partner_id,
                customer=customer,
                display_name=name,
                unified_roles=roles,
                duration=length,
                auto_extend_duration=extend,
                status=GdapStatus.CREATED,
                created_date_time=now,
            )
            _move(relationship, GdapStatus.APPROVAL_PENDING)
            relationship.save(update_fields=["status", "last_modified_date_time"])
            _audit(
                actor=actor,
                operation_type=OperationType.CREATE_DELEGATED_ADMIN_RELATIONSHIP,
                resource_type=RELATIONSHIP,
                relationship=relationship,
                new=relationship_snapshot(relationship),
                now=now,
            )
    except IntegrityError:
        raise InvalidInput(
            _("displayName: %(name)s is already used by another relationship of your partner.") % {"name": name},
            field="displayName",
        ) from None
    return relationship


def _lapse_if_due(relationship: GdapRelationship, now: datetime) -> bool:
    return (
        relationship.status in (GdapStatus.CREATED, GdapStatus.APPROVAL_PENDING)
        and relationship.created_date_time + REQUEST_LAPSE <= now
    )


def _customer_decision(*, actor, relationship_id, approve: bool, now: datetime | None) -> GdapRelationship:
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        relationship = _locked(relationship_id)
        _require_customer_side(actor, relationship)
        old = relationship_snapshot(relationship)
        if _lapse_if_due(relationship, now):
            raise Conflict(_("This request lapsed: it was not approved within 90 days."), field="status")
        if approve:
            _move(relationship, GdapStatus.ACTIVE)
            relationship.activated_date_time = now
            relationship.end_date_time = now + relationship.duration
        else:
            _move(relationship, GdapStatus.TERMINATED)
        relationship.save()
        _audit(
            actor=actor,
            operation_type=OperationType.UPDATE_DELEGATED_ADMIN_RELATIONSHIP,
            resource_type=RELATIONSHIP,
            relationship=relationship,
            old=old,
            new=relationship_snapshot(relationship),
            now=now,
        )
        grants_sync_pair(partner_id=relationship.partner_id, customer_id=relationship.customer_id, now=now)
    return relationship


def relationship_approve(*, actor, relationship_id, now: datetime | None = None) -> GdapRelationship:
    """The customer's global administrator approves: approvalPending → active, ends at activated + duration."""
    return _customer_decision(actor=actor, relationship_id=relationship_id, approve=True, now=now)


def relationship_decline(*, actor, relationship_id, now: datetime | None = None) -> GdapRelationship:
    """The customer's global administrator declines: approvalPending → terminated."""
    return _customer_decision(actor=actor, relationship_id=relationship_id, approve=False, now=now)


def relationship_termination_request(*, actor, relationship_id, now: datetime | None = None) -> GdapRelationship:
    """The partner (admin agent / global admin) or the customer's global admin ends an active relationship:
    active → terminationRequested at once (access stops), then terminating → terminated by the Celery task.
    Subscriptions are never touched."""
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        relationship = _locked(relationship_id)
        if not is_customer_global_admin(actor, relationship.customer):
            _require_partner_side(actor, relationship)
        old = relationship_snapshot(relationship)
        _move(relationship, GdapStatus.TERMINATION_REQUESTED)
        relationship.save()
        _audit(
            actor=actor,
            operation_type=OperationType.UPDATE_DELEGATED_ADMIN_RELATIONSHIP,
            resource_type=RELATIONSHIP,
            relationship=relationship,
            old=old,
            new=relationship_snapshot(relationship),
            now=now,
        )
        grants_sync_pair(partner_id=relationship.partner_id, customer_id=relationship.customer_id, now=now)

        def enqueue():
            from .tasks import relationship_terminate

            relationship_terminate.delay(str(relationship.pk))

        transaction.on_commit(enqueue)
    return relationship


def relationship_termination_complete(*, relationship_id, now: datetime | None = None) -> GdapRelationship | None:
    """System step (Celery): terminationRequested → terminating → terminated. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        relationship = _locked(relationship_id)
        if relationship.status == GdapStatus.TERMINATED:
            return relationship
        old = relationship_snapshot(relationship)
        for target in (GdapStatus.TERMINATING, GdapStatus.TERMINATED):
            if relationship.status != target:
                _move(relationship, target)
        relationship.save()
        relationship.access_assignments.exclude(status=AccessAssignmentStatus.DELETED).update(
            status=AccessAssignmentStatus.DELETED
        )
        _audit(
            actor=None,
            operation_type=OperationType.UPDATE_DELEGATED_ADMIN_RELATIONSHIP,
            resource_type=RELATIONSHIP,
            relationship=relationship,
            old=old,
            new=relationship_snapshot(relationship),
            now=now,
        )
        grants_sync_pair(partner_id=relationship.partner_id, customer_id=relationship.customer_id, now=now)
    return relationship


# ---------------------------------------------------------------------------------------------- assignments
def _assignment_locked(assignment_id) -> GdapAccessAssignment:
    try:
        return (
            GdapAccessAssignment.objects.select_for_update(of=("self",)).select_related("group").get(pk=assignment_id)
        )
    except (GdapAccessAssignment.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("Access assignment not found."), field="id") from None


def _assignment_save(*, actor, assignment: GdapAccessAssignment, relationship: GdapRelationship, old, now) -> None:
    """Save an assignment change, audit it and recompute the grants of its partner × customer pair."""
    assignment.save()
    _audit(
        actor=actor,
        operation_type=OperationType.UPDATE_DELEGATED_ADMIN_RELATIONSHIP,
        resource_type=ASSIGNMENT,
        relationship=relationship,
        old=old,
        new=_assignment_snapshot(assignment),
        now=now,
    )
    grants_sync_pair(partner_id=relationship.partner_id, customer_id=relationship.customer_id, now=now)


def access_assignment_create(
    *, actor, relationship_id, group: SecurityGroup, unified_roles, now: datetime | None = None
) -> GdapAccessAssignment:
    """Give a partner security group a subset of an active relationship's roles."""
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        relationship = _locked(relationship_id)
        _require_partner_side(actor, relationship)
        if not relationship.is_active_at(now):
            raise Conflict(
                _("Access can only be assigned on an active relationship (this one is %(status)s).")
                % {"status": relationship.status},
                field="status",
            )
        if group is None or group.partner_id != relationship.partner_id:
            raise InvalidInput(
                _("accessContainer: the security group must belong to your partner."), field="accessContainer"
            )
        roles = _validate_roles(unified_roles, field="accessDetails.unifiedRoles", allowed=relationship.unified_roles)
        assignment = GdapAccessAssignment.objects.filter(relationship=relationship, group=group).first()
        if assignment is not None and assignment.status != AccessAssignmentStatus.DELETED:
            raise Conflict(
                _("accessContainer: %(group)s already has an access assignment on this relationship.")
                % {"group": group.name},
                field="accessContainer",
            )
        old = _assignment_snapshot(assignment) if assignment else None
        if assignment is None:
            assignment = GdapAccessAssignment(relationship=relationship, group=group, created_date_time=now)
        assignment.unified_roles = roles
        assignment.status = AccessAssignmentStatus.ACTIVE
        _assignment_save(actor=actor, assignment=assignment, relationship=relationship, old=old, now=now)
    return assignment


def access_assignment_update(
    *, actor, assignment_id, unified_roles, now: datetime | None = None
) -> GdapAccessAssignment:
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        assignment = _assignment_locked(assignment_id)
        relationship = _locked(assignment.relationship_id)
        _require_partner_side(actor, relationship)
        if assignment.status != AccessAssignmentStatus.ACTIVE or not relationship.is_active_at(now):
            raise Conflict(_("Only an active assignment on an active relationship can be changed."), field="status")
        old = _assignment_snapshot(assignment)
        assignment.unified_roles = _validate_roles(
            unified_roles, field="accessDetails.unifiedRoles", allowed=relationship.unified_roles
        )
        _assignment_save(actor=actor, assignment=assignment, relationship=relationship, old=old, now=now)
    return assignment


def access_assignment_delete(*, actor, assignment_id, now: datetime | None = None) -> GdapAccessAssignment:
    """active → deleted (the row stays for the record; the group loses its grants at once)."""
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        assignment = _assignment_locked(assignment_id)
        relationship = _locked(assignment.relationship_id)
        _require_partner_side(actor, relationship)
        if assignment.status == AccessAssignmentStatus.DELETED:
            return assignment
        old = _assignment_snapshot(assignment)
        assignment.status = AccessAssignmentStatus.DELETED
        _assignment_save(actor=actor, assignment=assignment, relationship=relationship, old=old, now=now)
    return assignment


# ---------------------------------------------------------------------------------------------- DAP
def dap_set(*, actor, partner, customer, enabled: bool, now: datetime | None = None) -> DapGrant:
    """Switch DAP for partner × customer. The customer's global administrator may switch it OFF (the reseller
    relationship stays); switching it on is a platform operator's action (DAP is legacy: no new DAP)."""
    now = now or timezone.now()
    if enabled and not is_operator(actor):
        raise Forbidden(_("DAP cannot be switched on again: ask the partner for a GDAP relationship instead."))
    if not enabled and not is_customer_global_admin(actor, customer):  # consent is the customer's (§3)
        raise Forbidden(
            _("Only a global administrator of %(customer)s can change delegated admin permissions.")
            % {"customer": customer.company_name}
        )
    with transaction.atomic(), grants_deferred():
        grant, _created = DapGrant.objects.select_for_update().get_or_create(
            partner=partner, customer=customer, defaults={"enabled": enabled}
        )
        old = {"enabled": None if _created else grant.enabled}
        if grant.enabled != enabled:
            grant.enabled = enabled
            grant.save()
        _audit(
            actor=actor,
            operation_type=OperationType.UPDATE_DELEGATED_ADMIN_RELATIONSHIP,
            resource_type=DAP,
            partner=partner,
            customer=customer,
            old=old,
            new={"enabled": enabled},
            now=now,
        )
        grants_sync_pair(partner_id=partner.pk, customer_id=customer.pk, now=now)
    return grant


from .expiry import relationship_expiry_notices_send, relationships_sweep  # noqa: E402,F401
