"""Object-permission grants on customers, derived from relationships (domain.md §2, §3).

Rules (the one place they live):

- a reseller or advisor relationship → the partner's users group holds ``view_customer``;
- DAP on → *Admin Agents* holds Global Administrator (``manage_customer`` + ``transfer_licenses``),
  *Helpdesk Agents* holds Helpdesk Administrator (``manage_customer``);
- a GDAP relationship ``active``/``expiring`` and not past ``endDateTime`` → every ``active`` access assignment
  gives its security group ``manage_customer``, plus ``transfer_licenses`` when the assignment holds one of
  ``LICENSE_WRITE_ROLES``;
- a customer tenant admin role → that user holds ``view_customer`` on the tenant.

Grants are rows of guardian's direct foreign-key tables ``customers.CustomerGroupObjectPermission`` and
``customers.CustomerUserObjectPermission``: one row per (group, permission, customer), never per subscription.
``grants_resync`` recomputes any scope in a fixed number of queries and applies only the difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import (
    CustomerAdminRole,
    CustomerGroupObjectPermission,
    CustomerUserObjectPermission,
    RelationshipToPartner,
    ResellerRelationship,
)
from partners.models import SecurityGroup

from . import groups
from .models import (
    DAP_GROUP_ROLES,
    LICENSE_WRITE_ROLES,
    AccessAssignmentStatus,
    DapGrant,
    GdapAccessAssignment,
    active_gdap_q,
)

VIEW = "view_customer"
MANAGE = "manage_customer"
TRANSFER = "transfer_licenses"
CODENAMES = (VIEW, MANAGE, TRANSFER)


def gdap_assignment_perms(unified_roles: Iterable[str]) -> tuple[str, ...]:
    """What Entra roles held in the tenant (through a GDAP assignment or DAP) allow."""
    return (MANAGE, TRANSFER) if set(unified_roles) & set(LICENSE_WRITE_ROLES) else (MANAGE,)


# DAP: the fixed groups and what their Entra roles allow (derived from the one DAP role table).
DAP_GROUP_PERMS = {name: gdap_assignment_perms(roles) for name, roles in DAP_GROUP_ROLES.items()}


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(
            content_type__app_label="customers", content_type__model="customer", codename__in=CODENAMES
        ).values_list("codename", "pk")
    )


def _scoped(qs, *, partner_field: str | None, customer_field: str, partner_ids, customer_ids):
    if partner_ids is not None and partner_field:
        qs = qs.filter(**{f"{partner_field}__in": partner_ids})
    if customer_ids is not None:
        qs = qs.filter(**{f"{customer_field}__in": customer_ids})
    return qs


def _desired_group_grants(*, partner_ids, customer_ids, now) -> set[tuple[str, str, int]]:
    """(auth group name, codename, customer id) for every grant the relationships in scope call for."""
    desired: set[tuple[str, str, int]] = set()
    scope = {"partner_ids": partner_ids, "customer_ids": customer_ids}
    relationships = _scoped(
        ResellerRelationship.objects.exclude(relationship=RelationshipToPartner.NONE),
        partner_field="partner_id",
        customer_field="customer_id",
        **scope,
    )
    for partner_id, customer_id in relationships.values_list("partner_id", "customer_id"):
        desired.add((groups.partner_users_group_name(partner_id), VIEW, customer_id))

    dap = _scoped(
        DapGrant.objects.filter(enabled=True), partner_field="partner_id", customer_field="customer_id", **scope
    ).values_list("partner_id", "customer_id")
    dap = list(dap)
    if dap:
        dap_groups = SecurityGroup.objects.filter(name__in=DAP_GROUP_PERMS, partner_id__in={p for p, _ in dap})
        by_partner: dict[int, list[tuple[int, str]]] = {}
        for sg_id, partner_id, name in dap_groups.values_list("pk", "partner_id", "name"):
            by_partner.setdefault(partner_id, []).append((sg_id, name))
        for partner_id, customer_id in dap:
            for sg_id, name in by_partner.get(partner_id, []):
                for codename in DAP_GROUP_PERMS[name]:
                    desired.add((groups.security_group_group_name(partner_id, sg_id), codename, customer_id))

    assignments = _scoped(
        GdapAccessAssignment.objects.filter(
            active_gdap_q(now, prefix="relationship__"), status=AccessAssignmentStatus.ACTIVE
        ),
        partner_field="relationship__partner_id",
        customer_field="relationship__customer_id",
        **scope,
    ).values_list("group_id", "group__partner_id", "relationship__customer_id", "unified_roles")
    for sg_id, partner_id, customer_id, roles in assignments:
        for codename in gdap_assignment_perms(roles or []):
            desired.add((groups.security_group_group_name(partner_id, sg_id), codename, customer_id))
    return desired


def _apply(model, existing_rows, desired_rows, build) -> tuple[int, int]:
    """Delete rows not desired, create rows missing. ``existing_rows``: {key: pk}; returns (created, deleted)."""
    extra = [pk for key, pk in existing_rows.items() if key not in desired_rows]
    for start in range(0, len(extra), 500):
        model.objects.filter(pk__in=extra[start : start + 500]).delete()
    missing = [key for key in desired_rows if key not in existing_rows]
    if missing:
        model.objects.bulk_create([build(key) for key in missing], ignore_conflicts=True, batch_size=500)
    return len(missing), len(extra)


def _sync_group_grants(*, partner_ids, customer_ids, now, perm_ids) -> tuple[int, int]:
    names = groups.auth_groups_ensure(partner_ids=partner_ids)
    desired = set()
    for name, codename, customer_id in _desired_group_grants(
        partner_ids=partner_ids, customer_ids=customer_ids, now=now
    ):
        if name in names:  # a DAP/GDAP group always exists once ensured; defensive for races
            desired.add((names[name], perm_ids[codename], customer_id))
    group_filter = Q()
    for prefix in [groups.PREFIX] if partner_ids is None else [groups.partner_group_prefix(pid) for pid in partner_ids]:
        group_filter |= Q(group__name__startswith=prefix)
    existing_qs = CustomerGroupObjectPermission.objects.filter(group_filter)
    if customer_ids is not None:
        existing_qs = existing_qs.filter(content_object_id__in=customer_ids)
    existing = {
        (g, p, c): pk for pk, g, p, c in existing_qs.values_list("pk", "group_id", "permission_id", "content_object_id")
    }
    return _apply(
        CustomerGroupObjectPermission,
        existing,
        desired,
        lambda key: CustomerGroupObjectPermission(group_id=key[0], permission_id=key[1], content_object_id=key[2]),
    )


def _sync_user_grants(*, customer_ids, user_ids, perm_ids) -> tuple[int, int]:
    roles = CustomerAdminRole.objects.all()
    existing_qs = CustomerUserObjectPermission.objects.filter(permission_id=perm_ids[VIEW])
    if customer_ids is not None:
        roles = roles.filter(customer_id__in=customer_ids)
        existing_qs = existing_qs.filter(content_object_id__in=customer_ids)
    if user_ids is not None:
        roles = roles.filter(user_id__in=user_ids)
        existing_qs = existing_qs.filter(user_id__in=user_ids)
    desired = {(u, perm_ids[VIEW], c) for u, c in roles.values_list("user_id", "customer_id")}
    existing = {
        (u, p, c): pk for pk, u, p, c in existing_qs.values_list("pk", "user_id", "permission_id", "content_object_id")
    }
    return _apply(
        CustomerUserObjectPermission,
        existing,
        desired,
        lambda key: CustomerUserObjectPermission(user_id=key[0], permission_id=key[1], content_object_id=key[2]),
    )


def _ids(value) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return [getattr(item, "pk", item) for item in value]
    return [getattr(value, "pk", value)]


@transaction.atomic
def grants_resync(
    *, partner=None, customer=None, now: datetime | None = None, memberships: bool = True
) -> dict[str, int]:
    """Recompute guardian grants (and partner group membership) for a scope, in bulk.

    ``partner`` / ``customer``: an instance, a pk, or an iterable of either; None means "all". Safe to call any
    time (idempotent): after an import, after bulk writes that bypass model signals, or from a repair task.
    Returns counts of rows created and deleted.
    """
    now = now or timezone.now()
    partner_ids, customer_ids = _ids(partner), _ids(customer)
    if memberships:
        groups.memberships_sync(partner_ids=partner_ids)
    perm_ids = _permission_ids()
    created, deleted = _sync_group_grants(
        partner_ids=partner_ids, customer_ids=customer_ids, now=now, perm_ids=perm_ids
    )
    user_created = user_deleted = 0
    if partner_ids is None:
        user_created, user_deleted = _sync_user_grants(customer_ids=customer_ids, user_ids=None, perm_ids=perm_ids)
    return {
        "group_grants_created": created,
        "group_grants_deleted": deleted,
        "user_grants_created": user_created,
        "user_grants_deleted": user_deleted,
    }


def grants_sync_pair(*, partner_id: int, customer_id: int, now: datetime | None = None) -> None:
    """Recompute the grants of one partner × customer pair (after a relationship, DAP or assignment change)."""
    with transaction.atomic():
        _sync_group_grants(
            partner_ids=[partner_id], customer_ids=[customer_id], now=now or timezone.now(), perm_ids=_permission_ids()
        )


def customer_admin_grants_sync(*, user_id: int, customer_id: int) -> None:
    with transaction.atomic():
        _sync_user_grants(customer_ids=[customer_id], user_ids=[user_id], perm_ids=_permission_ids())
