"""GDAP access assignment services: a partner security group × a subset of a live relationship's roles.

Status moves go through the workflow kernel (``models.ASSIGNMENT_WORKFLOW``); every change is audited and
rewrites the grants of its partner × customer pair.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.errors import Conflict, InvalidInput, NotFound
from partners.models import SecurityGroup

from .common import (
    assignment_snapshot,
    relationship_change_record,
    relationship_locked,
    require_partner_side,
    validate_roles,
)
from .models import AccessAssignmentStatus, GdapAccessAssignment, GdapRelationship
from .signals import grants_deferred


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
    relationship_change_record(actor=actor, relationship=relationship, old=old, now=now, assignment=assignment)


def access_assignment_create(
    *, actor, relationship_id, group: SecurityGroup, unified_roles, now: datetime | None = None
) -> GdapAccessAssignment:
    """Give a partner security group a subset of an active relationship's roles."""
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        relationship = relationship_locked(relationship_id)
        require_partner_side(actor, relationship)
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
        roles = validate_roles(unified_roles, field="accessDetails.unifiedRoles", allowed=relationship.unified_roles)
        assignment = GdapAccessAssignment.objects.filter(relationship=relationship, group=group).first()
        if assignment is not None and assignment.status != AccessAssignmentStatus.DELETED:
            raise Conflict(
                _("accessContainer: %(group)s already has an access assignment on this relationship.")
                % {"group": group.name},
                field="accessContainer",
            )
        old = assignment_snapshot(assignment) if assignment else None
        if assignment is None:
            assignment = GdapAccessAssignment(
                relationship=relationship,
                group=group,
                created_date_time=now,
                unified_roles=roles,
                status=AccessAssignmentStatus.ACTIVE,
            )
            assignment.save(force_insert=True)
            workflow.start(assignment, actor=actor, reason=_("Access assigned."), at=now)
            _assignment_save(actor=actor, assignment=assignment, relationship=relationship, old=old, now=now)
        else:
            assignment.unified_roles = roles
            workflow.transition(
                assignment,
                AccessAssignmentStatus.ACTIVE,
                actor=actor,
                reason=_("Access assigned again."),
                at=now,
                update_fields=["unified_roles"],
            )
            _assignment_save(actor=actor, assignment=assignment, relationship=relationship, old=old, now=now)
    return assignment


def access_assignment_update(
    *, actor, assignment_id, unified_roles, now: datetime | None = None
) -> GdapAccessAssignment:
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        assignment = _assignment_locked(assignment_id)
        relationship = relationship_locked(assignment.relationship_id)
        require_partner_side(actor, relationship)
        if assignment.status != AccessAssignmentStatus.ACTIVE or not relationship.is_active_at(now):
            raise Conflict(_("Only an active assignment on an active relationship can be changed."), field="status")
        old = assignment_snapshot(assignment)
        assignment.unified_roles = validate_roles(
            unified_roles, field="accessDetails.unifiedRoles", allowed=relationship.unified_roles
        )
        _assignment_save(actor=actor, assignment=assignment, relationship=relationship, old=old, now=now)
    return assignment


def access_assignment_delete(*, actor, assignment_id, now: datetime | None = None) -> GdapAccessAssignment:
    """active → deleted (the row stays for the record; the group loses its grants at once)."""
    now = now or timezone.now()
    with transaction.atomic(), grants_deferred():
        assignment = _assignment_locked(assignment_id)
        relationship = relationship_locked(assignment.relationship_id)
        require_partner_side(actor, relationship)
        if assignment.status == AccessAssignmentStatus.DELETED:
            return assignment
        old = assignment_snapshot(assignment)
        workflow.transition(
            assignment, AccessAssignmentStatus.DELETED, actor=actor, reason=_("Access removed."), at=now
        )
        _assignment_save(actor=actor, assignment=assignment, relationship=relationship, old=old, now=now)
    return assignment
