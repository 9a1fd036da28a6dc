"""Partner services: Django admin access for partner global admins (issue 4 item 5).

A partner ``global_admin`` works in the Django admin on their own partner's objects
(``audit.admin_mixins``). Django's admin needs ``is_staff`` and model permissions for that; both are
derived from the partner role here, in one place. Partner user management calls
``partner_user_sync_admin_access(user)`` after every change of a user's roles, partner or active flag.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from .roles import is_global_admin

PARTNER_ADMIN_GROUP_NAME = "Partner global admins"

ALL = ("view", "add", "change", "delete")
VIEW = ("view",)

# app_label.model → the actions a partner global admin may take in the Django admin (the admin scopes every row
# and sends every write through a service). The table of /work/wt/admin-policy.md (issue 8): what belongs to the
# customer (identity, admin roles, consent) is view only; lifecycle changes are admin actions; platform data
# (catalog, direct orders, idempotency records, object-permission tables) is operators' only.
PARTNER_ADMIN_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "partners.partner": VIEW,
    "partners.securitygroup": ALL,
    "partners.partnerroleassignment": VIEW,
    "accounts.user": ("view", "add", "change"),
    "accounts.apitoken": VIEW,  # + the "revoke" action (``ApiTokenAdmin.has_revoke_permission``)
    "customers.customer": VIEW,
    "customers.resellerrelationship": VIEW,
    "customers.customeradminrole": VIEW,
    "customers.tenantuser": ALL,
    "subscriptions.subscription": ("view", "change"),
    "subscriptions.licenseassignment": ("view", "add", "delete"),
    "delegation.dapgrant": VIEW,
    "delegation.gdaprelationship": ("view", "add", "change"),
    "delegation.gdapaccessassignment": ALL,
    "audit.auditrecord": VIEW,
    "catalog.servicefamily": VIEW,
    "catalog.serviceplan": VIEW,
    "catalog.offer": VIEW,
    "catalog.offerprice": VIEW,
    "catalog.upgradepath": VIEW,
    "catalog.directoption": VIEW,
    "upgrades.upgradeoperation": VIEW,
    "upgrades.billingentry": VIEW,
    "bulk.upgradebatch": VIEW,  # + the "cancel" action through ``bulk.services.upgrade_batch_cancel``
    "bulk.upgradebatchitem": VIEW,
}


def _permission_filter() -> Q:
    query = Q(pk__in=[])
    for label, actions in PARTNER_ADMIN_PERMISSIONS.items():
        app_label, model = label.split(".")
        query |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    return query


def partner_admin_group_ensure() -> Group:
    """Create (idempotently) the "Partner global admins" group with exactly its model permissions."""
    group, _ = Group.objects.get_or_create(name=PARTNER_ADMIN_GROUP_NAME)
    group.permissions.set(Permission.objects.filter(_permission_filter()))
    return group


@transaction.atomic
def partner_user_sync_admin_access(user) -> bool:
    """Give or take Django admin access according to the user's partner role; returns True when granted.

    Granted (``is_staff`` and the "Partner global admins" group) to an active partner user holding
    ``global_admin``; taken away otherwise. Superusers keep ``is_staff`` (they are platform operators).
    """
    group = partner_admin_group_ensure()
    if hasattr(user, "_role_codes"):
        del user._role_codes  # roles changed: let ``role_codes`` read them again
    granted = bool(user.is_active) and is_global_admin(user)
    if granted:
        user.groups.add(group)
        staff = True
    else:
        was_member = user.groups.filter(pk=group.pk).exists()
        user.groups.remove(group)
        staff = user.is_staff if (user.is_superuser or not (user.partner_id or was_member)) else False
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return granted
