"""Partner security groups (domain.md §2, §3): create, rename, set members, delete.

A partner global admin manages their own partner's groups only; members are users of that same partner. A
platform operator (superuser, no partner) manages any partner's groups. Every call writes one audit record
(``UPDATE_SECURITY_GROUP``). Group membership carries DAP and GDAP access: ``delegation.signals`` mirror the
change into the guardian grants, and answer ``partners.signals.security_group_in_use`` before a delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.scoping import is_operator, visible_to

from .models import Partner, PartnerRole, SecurityGroup
from .signals import security_group_uses

if TYPE_CHECKING:  # annotations only; at run time the model comes from get_user_model()
    from accounts.models import User

RESOURCE = "SecurityGroup"
NAME_MAX: int = SecurityGroup._meta.get_field("name").max_length or 0


def _require_group_manager(actor) -> None:
    """Partner global admins (their own partner) and platform operators."""
    if is_operator(actor):
        return
    if (
        getattr(actor, "is_application", False)
        or not getattr(actor, "partner_id", None)
        or PartnerRole.GLOBAL_ADMIN not in actor.role_codes
    ):
        raise Forbidden(_("Only a global admin manages security groups."))


def security_groups_visible_to(actor):
    """The groups the actor may manage (operators: all; the registry's bypass)."""
    return visible_to(SecurityGroup, actor)


def security_group_for(actor, *, group_id) -> SecurityGroup:
    _require_group_manager(actor)
    try:
        return security_groups_visible_to(actor).select_related("partner").get(pk=group_id)
    except (SecurityGroup.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Security group not found."), field="group") from None


def _clean_name(name) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(_("name: give 1 to %(max)d characters.") % {"max": NAME_MAX}, field="name")
    return name


def _members(partner_id: int, member_ids) -> list[User]:
    try:
        wanted = {int(pk) for pk in (member_ids or [])}
    except (TypeError, ValueError):
        raise InvalidInput(_("members: every member must be a user of the group's partner."), field="members") from None
    members = list(get_user_model().objects.filter(partner_id=partner_id, pk__in=wanted))
    if len(members) != len(wanted):
        raise InvalidInput(_("members: every member must be a user of the group's partner."), field="members")
    return members


def _snapshot(group: SecurityGroup) -> dict:
    return {
        "id": group.pk,
        "partner": group.partner.code,
        "name": group.name,
        "members": sorted(group.members.values_list("username", flat=True)),
    }


def _audit(actor, group: SecurityGroup, old, new) -> None:
    audit_record_create(
        actor=actor,
        operation_type=OperationType.UPDATE_SECURITY_GROUP,
        resource_type=RESOURCE,
        partner=group.partner,
        old=old,
        new=new,
    )


def _name_taken(partner_id: int, name: str, exclude_pk=None) -> bool:
    others = SecurityGroup.objects.filter(partner_id=partner_id, name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _taken_error(name: str) -> InvalidInput:
    return InvalidInput(_("name: the partner already has a group called %(name)s.") % {"name": name}, field="name")


def security_group_create(*, actor, name, member_ids=(), partner=None) -> SecurityGroup:
    """A new group of the actor's partner (operators name the ``partner``) with the given members."""
    _require_group_manager(actor)
    if getattr(actor, "partner_id", None):
        partner_id = actor.partner_id
    elif partner is None:
        raise InvalidInput(_("partner: choose the partner the group belongs to."), field="partner")
    else:
        partner_id = getattr(partner, "pk", partner)
        if not Partner.objects.filter(pk=partner_id).exists():
            raise InvalidInput(_("partner: choose the partner the group belongs to."), field="partner")
    name = _clean_name(name)
    if _name_taken(partner_id, name):
        raise _taken_error(name)
    members = _members(partner_id, member_ids)
    try:
        with transaction.atomic():
            group = SecurityGroup.objects.create(partner_id=partner_id, name=name)
            group.members.set(members)
            _audit(actor, group, None, _snapshot(group))
    except IntegrityError:  # created concurrently
        raise _taken_error(name) from None
    return group


def security_group_update(*, actor, group_id, name, member_ids) -> SecurityGroup:
    """Rename the group and set its members (replacing the previous ones)."""
    group = security_group_for(actor, group_id=group_id)
    name = _clean_name(name)
    if _name_taken(group.partner_id, name, exclude_pk=group.pk):
        raise _taken_error(name)
    members = _members(group.partner_id, member_ids)
    try:
        with transaction.atomic():
            group = SecurityGroup.objects.select_for_update().select_related("partner").get(pk=group.pk)
            old = _snapshot(group)
            if group.name != name:
                group.name = name
                group.save(update_fields=["name"])
            group.members.set(members)
            _audit(actor, group, old, _snapshot(group))
    except IntegrityError:
        raise _taken_error(name) from None
    return group


def security_group_delete(*, actor, group_id) -> None:
    """Delete a group that no GDAP access assignment uses any more (delete those first)."""
    group = security_group_for(actor, group_id=group_id)
    with transaction.atomic():
        group = SecurityGroup.objects.select_for_update().select_related("partner").get(pk=group.pk)
        in_use = security_group_uses(group)
        if in_use:
            raise Conflict(
                ngettext(
                    "%(group)s still carries %(count)d GDAP access assignment: delete it first.",
                    "%(group)s still carries %(count)d GDAP access assignments: delete them first.",
                    in_use,
                )
                % {"group": group.name, "count": in_use},
                field="group",
            )
        old = _snapshot(group)
        partner = group.partner
        group.delete()
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_SECURITY_GROUP,
            resource_type=RESOURCE,
            partner=partner,
            old=old,
            new=None,
        )
