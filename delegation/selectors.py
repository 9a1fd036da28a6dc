"""Reads of delegated admin access (domain.md §3): may a partner act in a customer's tenant, and with which roles?

Two questions, answered for a whole set of customers in a FIXED number of queries (at most four, whatever
the number of customers, relationships, groups or members):

1. *Is there an active relationship?*  DAP is enabled, or a GDAP relationship is ``active``/``expiring``
   and its ``end_date_time`` is still in the future.
2. *Which Entra roles does this user hold in the customer's tenant?*  The union of the roles of every
   ACTIVE access assignment of an active GDAP relationship to a partner security group the user is a
   member of, plus, while DAP is on, Global Administrator for members of the partner's *Admin Agents*
   group and Helpdesk Administrator for *Helpdesk Agents*.

Who is asking:
- a partner user: their group memberships decide (above);
- an application (app-only token): no user, so no roles (upgrades answer ``user_context_required``);
- a platform operator (superuser) acts for the partner with the partner's full delegated rights: every
  role of the partner's active relationships (and Global Administrator while DAP is on).

Everything here is a read: the GDAP lifecycle (requests, approval, expiry) lives in the delegation services
and extends this module with its own selectors; keep the shape (plain dataclasses, set-based queries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.scoping import is_operator
from customers.selectors import acting_partner_id
from partners.models import SecurityGroup

from .models import (
    DAP_GROUP_ROLES,
    LICENSE_WRITE_ROLES,
    USER_WRITE_ROLES,
    AccessAssignmentStatus,
    DapGrant,
    GdapAccessAssignment,
    GdapRelationship,
    UnifiedRole,
)


@dataclass(frozen=True)
class DelegatedAccess:
    """What one partner may do in one customer's tenant (for one user, when a user was given)."""

    customer_id: int
    dap_enabled: bool = False
    active_gdap_ids: tuple = ()
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_active_relationship(self) -> bool:
        return self.dap_enabled or bool(self.active_gdap_ids)

    @property
    def can_transfer_licenses(self) -> bool:
        """Moving licenses needs Directory Writers, License/User Administrator or Global Administrator."""
        return self.has_active_relationship and bool(self.roles & LICENSE_WRITE_ROLES)

    @property
    def can_manage_users(self) -> bool:
        """Creating, changing and deleting the customer's users needs User Administrator or Global Administrator."""
        return self.has_active_relationship and bool(self.roles & USER_WRITE_ROLES)


def active_gdap_relationships(
    *, partner_id: int, customer_ids: Iterable[int] | None = None, at: datetime | None = None
) -> QuerySet[GdapRelationship]:
    """GDAP relationships that grant access right now: ``active``/``expiring`` and not past ``end_date_time``."""
    at = at or timezone.now()
    queryset = GdapRelationship.objects.live(at).filter(partner_id=partner_id)
    if customer_ids is not None:
        queryset = queryset.filter(customer_id__in=list(customer_ids))
    return queryset


def relationship_auto_extends(relationship: GdapRelationship) -> bool:
    """Whether the relationship rolls forward at its end: ``autoExtendDuration`` set and no Global Administrator
    among its roles (Microsoft: "Don't autoextend GDAP with Global Administrator",
    https://learn.microsoft.com/en-us/partner-center/customers/expiring-gdap-relationships-and-auto-extend-gdap).
    An imported or older row may carry both; it expires like any other."""
    return relationship.auto_extend_duration > timedelta(0) and UnifiedRole.GLOBAL_ADMINISTRATOR not in (
        relationship.unified_roles or []
    )


def relationships_ending_within(
    partner_id: int | None, days: int, *, now: datetime | None = None
) -> list[GdapRelationship]:
    """Live GDAP relationships of ``partner_id`` (None: every partner, for operators) whose ``endDateTime``
    falls within ``days`` from now and that will not auto-extend, soonest first (one query)."""
    now = now or timezone.now()
    queryset = GdapRelationship.objects.live(now).filter(end_date_time__lte=now + timedelta(days=days))
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    rows = queryset.select_related("customer").order_by("end_date_time", "pk")
    return [r for r in rows if not relationship_auto_extends(r)]


def delegated_access_for(
    *, partner_id: int, customer_ids: Iterable[int], user=None, at: datetime | None = None
) -> dict[int, DelegatedAccess]:
    """Delegated access of ``partner_id`` to each customer (and ``user``'s roles there), keyed by customer id.

    Queries: 1 (DAP) + 1 (active GDAP) + at most 2 for the user's roles (GDAP assignments, DAP groups),
    independent of the number of customers, relationships, assignments and group members.
    """
    customer_ids = list(dict.fromkeys(customer_ids))
    if not customer_ids:
        return {}
    at = at or timezone.now()

    dap_on = set(
        DapGrant.objects.filter(partner_id=partner_id, customer_id__in=customer_ids, enabled=True).values_list(
            "customer_id", flat=True
        )
    )
    relationships = list(
        active_gdap_relationships(partner_id=partner_id, customer_ids=customer_ids, at=at).values_list(
            "id", "customer_id", "unified_roles"
        )
    )
    gdap_ids: dict[int, list] = defaultdict(list)
    relationship_roles: dict[int, set[str]] = defaultdict(set)
    for rel_id, customer_id, roles in relationships:
        gdap_ids[customer_id].append(rel_id)
        relationship_roles[customer_id].update(roles or [])

    roles = _roles_of(
        user, partner_id=partner_id, dap_on=dap_on, relationships=relationships, relationship_roles=relationship_roles
    )
    return {
        cid: DelegatedAccess(
            customer_id=cid,
            dap_enabled=cid in dap_on,
            active_gdap_ids=tuple(gdap_ids.get(cid, ())),
            roles=frozenset(roles.get(cid, ())),
        )
        for cid in customer_ids
    }


def delegated_access(*, partner_id: int, customer_id: int, user=None, at: datetime | None = None) -> DelegatedAccess:
    """One customer's :class:`DelegatedAccess` (same queries as :func:`delegated_access_for`)."""
    return delegated_access_for(partner_id=partner_id, customer_ids=[customer_id], user=user, at=at)[customer_id]


def _roles_of(
    user, *, partner_id, dap_on: set[int], relationships: list, relationship_roles: dict[int, set[str]]
) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = defaultdict(set)
    if user is None or getattr(user, "is_application", False) or getattr(user, "pk", None) is None:
        return roles
    if is_operator(user):
        for customer_id, held in relationship_roles.items():
            roles[customer_id].update(held)
        for customer_id in dap_on:
            roles[customer_id].update(DAP_GROUP_ROLES[SecurityGroup.ADMIN_AGENTS])
        return roles

    if relationships:
        assignments = GdapAccessAssignment.objects.filter(
            relationship_id__in=[rel_id for rel_id, _c, _r in relationships],
            status=AccessAssignmentStatus.ACTIVE,
            group__members=user.pk,
        ).values_list("relationship__customer_id", "unified_roles", "relationship__unified_roles")
        for customer_id, assigned, granted in assignments:
            # An assignment can only hand out roles its relationship grants.
            roles[customer_id].update(set(assigned or []) & set(granted or []))
    if dap_on:
        group_names = set(
            SecurityGroup.objects.filter(
                partner_id=partner_id, name__in=list(DAP_GROUP_ROLES), members=user.pk
            ).values_list("name", flat=True)
        )
        dap_roles = set().union(*(DAP_GROUP_ROLES[name] for name in group_names)) if group_names else set()
        for customer_id in dap_on:
            roles[customer_id].update(dap_roles)
    return roles


def _acting_access(actor, customer_id: int) -> DelegatedAccess | None:
    """The acting partner user's :class:`DelegatedAccess` in one customer (None for anybody else)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or getattr(actor, "is_application", False):
        return None
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return None
    return delegated_access(partner_id=partner_id, customer_id=customer_id, user=actor)


def may_assign_licenses(actor, customer_id: int) -> bool:
    """May ``actor`` assign or remove licenses in the customer's tenant? The upgrade engine's license-transfer rule
    (:attr:`DelegatedAccess.can_transfer_licenses`); platform operators always, applications never (no user)."""
    if is_operator(actor):
        return True
    access = _acting_access(actor, customer_id)
    return access is not None and access.can_transfer_licenses


def may_manage_tenant_users(actor, customer_id: int) -> bool:
    """May ``actor`` create, change or delete the customer's users? :attr:`DelegatedAccess.can_manage_users`;
    platform operators always, applications never."""
    if is_operator(actor):
        return True
    access = _acting_access(actor, customer_id)
    return access is not None and access.can_manage_users
