"""Safety net: keep guardian grants and group membership in step with writes made outside the services.

The services in ``delegation.services`` write grants explicitly (and defer these handlers while they do);
these receivers cover ordinary ``save()``/``delete()`` calls elsewhere (Django admin, factories, shell).
Bulk writes (``bulk_create``, ``QuerySet.update``) bypass signals: call ``delegation.services.grants_resync``
after them (the tenant import does).
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.models import User
from customers.models import CustomerAdminRole, ResellerRelationship
from partners.models import Partner, SecurityGroup
from partners.signals import partner_user_changed, security_group_in_use

from . import grants, groups
from .models import AccessAssignmentStatus, DapGrant, GdapAccessAssignment, GdapRelationship

_deferred = contextvars.ContextVar("delegation_grants_deferred", default=False)


@contextmanager
def grants_deferred():
    """Inside, the receivers below do nothing: the caller syncs grants itself once at the end."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def _pair(partner_id, customer_id) -> None:
    if not _deferred.get() and partner_id and customer_id:
        grants.grants_sync_pair(partner_id=partner_id, customer_id=customer_id)


@receiver([post_save, post_delete], sender=ResellerRelationship)
@receiver([post_save, post_delete], sender=DapGrant)
@receiver([post_save, post_delete], sender=GdapRelationship)
def _relationship_changed(sender, instance, **kwargs):
    _pair(instance.partner_id, instance.customer_id)


@receiver([post_save, post_delete], sender=GdapAccessAssignment)
def _assignment_changed(sender, instance, **kwargs):
    if _deferred.get():
        return
    row = GdapRelationship.objects.filter(pk=instance.relationship_id).values("partner_id", "customer_id").first()
    if row:  # absent while the relationship itself is being deleted (its own receiver syncs)
        _pair(row["partner_id"], row["customer_id"])


@receiver([post_save, post_delete], sender=CustomerAdminRole)
def _customer_admin_changed(sender, instance, **kwargs):
    if not _deferred.get():
        grants.customer_admin_grants_sync(user_id=instance.user_id, customer_id=instance.customer_id)


@receiver(post_save, sender=SecurityGroup)
def _security_group_saved(sender, instance, created, **kwargs):
    if created and not _deferred.get():
        groups.auth_groups_ensure(partner_ids=[instance.partner_id])
        # A new "Admin Agents"/"Helpdesk Agents" group picks up existing DAP grants at once.
        customer_ids = list(
            DapGrant.objects.filter(partner_id=instance.partner_id, enabled=True).values_list("customer_id", flat=True)
        )
        if customer_ids and instance.name in grants.DAP_GROUP_PERMS:
            grants.grants_resync(partner=instance.partner_id, customer=customer_ids, memberships=False)


@receiver(post_delete, sender=SecurityGroup)
def _security_group_deleted(sender, instance, **kwargs):
    Group.objects.filter(name=groups.security_group_group_name(instance.partner_id, instance.pk)).delete()


@receiver(pre_delete, sender=Partner)
def _partner_deleted(sender, instance, **kwargs):
    Group.objects.filter(name__startswith=groups.partner_group_prefix(instance.pk)).delete()


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    if _deferred.get():
        return
    if update_fields is not None and not {"partner", "partner_id", "is_active"} & set(update_fields):
        return  # e.g. last_login on sign-in
    if created and not instance.partner_id:
        return
    groups.user_groups_sync(instance)


@receiver(m2m_changed, sender=SecurityGroup.members.through)
def _members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if _deferred.get():
        return
    if action == "pre_clear":
        instance._members_before_clear = (
            [instance.pk] if reverse else list(instance.members.values_list("pk", flat=True))
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        user_ids = [instance.pk]
    elif action == "post_clear":
        user_ids = getattr(instance, "_members_before_clear", [])
    else:
        user_ids = list(pk_set or [])
    for user in User.objects.filter(pk__in=user_ids):
        groups.user_groups_sync(user)


@receiver(partner_user_changed)
def _partner_user_changed(sender, user, **kwargs):
    """``partners.user_services`` changed the user: mirror their partner and security groups (even when deferred)."""
    groups.user_groups_sync(user)


@receiver(security_group_in_use)
def _security_group_assignments(sender, group, **kwargs) -> int:
    """The GDAP access assignments (not deleted) that still carry ``group``."""
    return group.access_assignments.exclude(status=AccessAssignmentStatus.DELETED).count()
