"""Partner principals as django ``auth.Group`` rows, so guardian group permissions can carry grants.

Naming scheme (no extra table, stable across imports):

- ``partner:<partner pk>:users``          every user of the partner (reseller relationship → view);
- ``partner:<partner pk>:sg:<group pk>``  one per ``partners.SecurityGroup`` (DAP/GDAP → delegated perms).

Membership mirrors ``User.partner`` and ``SecurityGroup.members``; ``memberships_sync`` recomputes it in bulk
and ``user_groups_sync`` for one user (called from the signals in ``delegation.signals``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db.models import Q

from accounts.models import User
from partners.models import Partner, SecurityGroup

PREFIX = "partner:"


def partner_group_prefix(partner_id: int) -> str:
    return f"{PREFIX}{partner_id}:"


def partner_users_group_name(partner_id: int) -> str:
    return f"{partner_group_prefix(partner_id)}users"


def security_group_group_name(partner_id: int, security_group_id: int) -> str:
    return f"{partner_group_prefix(partner_id)}sg:{security_group_id}"


def _scope_prefixes(partner_ids: Iterable[int] | None) -> list[str]:
    return [PREFIX] if partner_ids is None else [partner_group_prefix(pid) for pid in partner_ids]


def _groups_in_scope(partner_ids: Iterable[int] | None):
    condition = Q()
    for prefix in _scope_prefixes(partner_ids):
        condition |= Q(name__startswith=prefix)
    return Group.objects.filter(condition)


def auth_groups_ensure(*, partner_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Create the missing auth groups for the partners in scope (all partners when None); name → group id."""
    partners = Partner.objects.all() if partner_ids is None else Partner.objects.filter(pk__in=list(partner_ids))
    wanted = {partner_users_group_name(pid) for pid in partners.values_list("pk", flat=True)}
    security_groups = SecurityGroup.objects.filter(partner__in=partners).values_list("partner_id", "pk")
    wanted |= {security_group_group_name(pid, sgid) for pid, sgid in security_groups}
    existing = dict(
        _groups_in_scope(None if partner_ids is None else list(partners.values_list("pk", flat=True))).values_list(
            "name", "pk"
        )
    )
    missing = wanted - existing.keys()
    if missing:
        Group.objects.bulk_create([Group(name=name) for name in sorted(missing)], ignore_conflicts=True)
        existing = dict(Group.objects.filter(name__in=wanted).values_list("name", "pk"))
    # Groups of deleted security groups / partners lose their perms with them.
    stale = set(existing) - wanted
    if stale:
        Group.objects.filter(name__in=stale).delete()
        existing = {name: pk for name, pk in existing.items() if name not in stale}
    return existing


def _desired_memberships(users, names: dict[str, int]) -> set[tuple[int, int]]:
    desired: set[tuple[int, int]] = set()
    for user_id, partner_id in users.values_list("pk", "partner_id"):
        group_id = names.get(partner_users_group_name(partner_id)) if partner_id else None
        if group_id:
            desired.add((user_id, group_id))
    through = SecurityGroup.members.through
    rows = through.objects.filter(user__in=users).values_list(
        "user_id", "securitygroup_id", "securitygroup__partner_id"
    )
    for user_id, sg_id, partner_id in rows:
        group_id = names.get(security_group_group_name(partner_id, sg_id))
        if group_id:
            desired.add((user_id, group_id))
    return desired


def _apply_memberships(desired: set[tuple[int, int]], existing_qs) -> None:
    through = User.groups.through
    existing = {(u, g): pk for pk, u, g in existing_qs.values_list("pk", "user_id", "group_id")}
    extra = [pk for pair, pk in existing.items() if pair not in desired]
    for start in range(0, len(extra), 500):
        through.objects.filter(pk__in=extra[start : start + 500]).delete()
    missing = desired - existing.keys()
    if missing:
        through.objects.bulk_create([through(user_id=u, group_id=g) for u, g in missing], ignore_conflicts=True)


def memberships_sync(*, partner_ids: Iterable[int] | None = None) -> None:
    """Mirror partner membership and security-group membership into ``auth`` group membership (bulk)."""
    partner_ids = None if partner_ids is None else list(partner_ids)
    names = auth_groups_ensure(partner_ids=partner_ids)
    users = User.objects.filter(partner__isnull=False)
    if partner_ids is not None:
        users = users.filter(partner_id__in=partner_ids)
    desired = _desired_memberships(users, names)
    groups = _groups_in_scope(partner_ids)
    _apply_memberships(desired, User.groups.through.objects.filter(group__in=groups))


def user_groups_sync(user) -> None:
    """One user's partner groups (after their partner, security groups or active flag changed)."""
    partner_ids = {user.partner_id} if user.partner_id else set()
    partner_ids |= set(SecurityGroup.objects.filter(members=user).values_list("partner_id", flat=True))
    names = auth_groups_ensure(partner_ids=partner_ids) if partner_ids else {}
    users = User.objects.filter(pk=user.pk)
    desired = _desired_memberships(users, names) if names else set()
    _apply_memberships(desired, User.groups.through.objects.filter(user_id=user.pk, group__name__startswith=PREFIX))
