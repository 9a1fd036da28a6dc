"""GDAP relationship services (domain.md §3): request, customer decision, termination.

Every write checks the actor's right, validates input (``InvalidInput`` naming the field), moves status only
through the workflow kernel (``core.workflow``, table ``models.GDAP_WORKFLOW``: one history row per move),
writes an audit record and rewrites the guardian grants of the partner × customer pair it touched. Every
function takes ``now`` so tests can travel in time. The termination is finished by the task
``delegation.tasks.relationship_terminate``, enqueued by name on commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import OperationType
from core import events, workflow
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.tasks import enqueue_on_commit
from customers.selectors import acting_partner_id, customers_visible_to
from partners.roles import Capability, require

from .common import (
    AUTO_EXTEND_CHOICES,
    DISPLAY_NAME_MAX,
    RELATIONSHIP,
    auto_extend_validate,
    delegation_audit,
    is_customer_global_admin,
    parse_duration,
    relationship_change_record,
    relationship_locked,
    relationship_snapshot,
    require_customer_side,
    require_partner_side,
    validate_roles,
)
from .models import MAX_DURATION, AccessAssignmentStatus, GdapRelationship, GdapStatus
from .signals import grants_deferred


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
    roles = validate_roles(unified_roles, field="accessDetails.unifiedRoles")
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
            workflow.start(relationship, actor=actor, reason=_("Requested by the partner."), at=now)
            workflow.transition(
                relationship, GdapStatus.APPROVAL_PENDING, actor=actor, reason=_("Sent to the customer."), at=now
            )
            delegation_audit(
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


def _customer_decision(*, actor, relationship_id, approve: bool, now: datetime | None) -> GdapRelationship:
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        relationship = relationship_locked(relationship_id)
        require_customer_side(actor, relationship)
        old = relationship_snapshot(relationship)
        if relationship.request_lapsed(now):
            raise Conflict(_("This request lapsed: it was not approved within 90 days."), field="status")
        if approve:
            workflow.transition(
                relationship,
                GdapStatus.ACTIVE,
                actor=actor,
                reason=_("Approved by the customer."),
                at=now,
                values={"activated_date_time": now, "end_date_time": now + relationship.duration},
            )
            gdap_event(events.GDAP_APPROVED, relationship)
        else:
            workflow.transition(
                relationship, GdapStatus.TERMINATED, actor=actor, reason=_("Declined by the customer."), at=now
            )
        relationship_change_record(actor=actor, relationship=relationship, old=old, now=now)
    return relationship


def gdap_event(name: str, relationship: GdapRelationship) -> None:
    """Tell the partner's webhook listeners (``core.events``) about ``relationship`` once this commits."""
    events.emit(
        name,
        partner_id=relationship.partner_id,
        resource_uri=f"/v1/delegatedAdminRelationships/{relationship.pk}",
        resource_name="DelegatedAdminRelationship",
        payload={"status": relationship.status, "customerTenantId": str(relationship.customer.tenant_id)},
    )


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
        relationship = relationship_locked(relationship_id)
        if not is_customer_global_admin(actor, relationship.customer):
            require_partner_side(actor, relationship)
        old = relationship_snapshot(relationship)
        workflow.transition(
            relationship, GdapStatus.TERMINATION_REQUESTED, actor=actor, reason=_("Termination requested."), at=now
        )
        relationship_change_record(actor=actor, relationship=relationship, old=old, now=now)
        enqueue_on_commit("delegation.tasks.relationship_terminate", str(relationship.pk))
    return relationship


def relationship_termination_complete(*, relationship_id, now: datetime | None = None) -> GdapRelationship | None:
    """System step (Celery): terminationRequested → terminating → terminated. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        relationship = relationship_locked(relationship_id)
        if relationship.status == GdapStatus.TERMINATED:
            return relationship
        old = relationship_snapshot(relationship)
        for target in (GdapStatus.TERMINATING, GdapStatus.TERMINATED):
            if relationship.status != target:
                workflow.transition(relationship, target, reason=_("Termination processed."), at=now)
        workflow.transition_many(
            relationship.access_assignments.all(),
            AccessAssignmentStatus.DELETED,
            reason=_("The relationship was terminated."),
            at=now,
        )
        relationship_change_record(actor=None, relationship=relationship, old=old, now=now)
    return relationship
