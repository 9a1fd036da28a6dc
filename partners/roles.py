"""The role predicates: the partner role matrix of domain.md §2 and every "who is this actor" question.

This module is the single source of truth: services call ``require(actor, Capability.X)``, pages or serializers
ask ``can(actor, ...)`` to decide what to show, notices ask ``roles_granting`` who to tell, and the admin asks
``admin_partner_id``. ``is_operator`` (the platform operator, the registry's one bypass) lives in
``core.scoping`` and is re-exported here. An actor is an ``accounts.actor.Actor``, a ``User`` or an
``ApplicationPrincipal`` (same attributes).
"""

from __future__ import annotations

from enum import StrEnum

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.scoping import is_operator

from .models import PartnerRole as R

__all__ = [
    "APPLICATION_CAPABILITIES",
    "MATRIX",
    "Capability",
    "CUSTOMER_ADMIN_CAPABILITIES",
    "admin_partner_id",
    "can",
    "is_customer_admin",
    "is_global_admin",
    "is_operator",
    "require",
    "roles_granting",
]


class Capability(StrEnum):
    VIEW_CUSTOMERS = "view_customers"
    UPGRADE = "upgrade"
    MANAGE_SUBSCRIPTIONS = "manage_subscriptions"  # buy / change quantity / suspend
    REQUEST_DELEGATED_ADMIN = "request_delegated_admin"
    MANAGE_PARTNER_USERS = "manage_partner_users"
    BILLING = "billing"
    MANAGE_CATALOG = "manage_catalog"
    # Four-eyes approval of a batch or an upgrade above the partner's threshold (domain.md §9); never the creator's.
    APPROVE = "approve"
    # The admin center of a customer's own tenant(s) (/v1/me/, domain.md §6): customer tenant admins, whatever
    # their partner roles; no operator bypass (an operator acts in the Django admin), no application.
    ADMIN_CENTER = "admin_center"
    # The partner's webhook registration and its deliveries (issue 15): the partner's global admins.
    MANAGE_WEBHOOKS = "manage_webhooks"


MATRIX: dict[Capability, frozenset[str]] = {
    Capability.VIEW_CUSTOMERS: frozenset(R.values),
    Capability.UPGRADE: frozenset(
        {R.GLOBAL_ADMIN, R.USER_MANAGEMENT_ADMIN, R.ADMIN_AGENT, R.SALES_AGENT, R.HELPDESK_AGENT}
    ),
    Capability.MANAGE_SUBSCRIPTIONS: frozenset({R.GLOBAL_ADMIN, R.ADMIN_AGENT, R.SALES_AGENT, R.HELPDESK_AGENT}),
    Capability.REQUEST_DELEGATED_ADMIN: frozenset({R.GLOBAL_ADMIN, R.ADMIN_AGENT}),
    Capability.MANAGE_PARTNER_USERS: frozenset({R.GLOBAL_ADMIN, R.USER_MANAGEMENT_ADMIN}),
    Capability.BILLING: frozenset({R.GLOBAL_ADMIN, R.ADMIN_AGENT, R.BILLING_ADMIN}),
    Capability.MANAGE_CATALOG: frozenset({R.GLOBAL_ADMIN}),
    Capability.APPROVE: frozenset({R.GLOBAL_ADMIN, R.ADMIN_AGENT}),
    Capability.ADMIN_CENTER: frozenset(),  # no partner role: see CUSTOMER_ADMIN_CAPABILITIES
    Capability.MANAGE_WEBHOOKS: frozenset({R.GLOBAL_ADMIN}),
}

# Granted by holding a customer admin role (``customers.CustomerAdminRole``), not by a partner role.
CUSTOMER_ADMIN_CAPABILITIES = frozenset({Capability.ADMIN_CENTER})

# Application (app-only) tokens act for the whole partner but without user context: they may read and
# manage subscriptions; upgrades answer ``user_context_required`` in the eligibility engine.
APPLICATION_CAPABILITIES = frozenset(
    {Capability.VIEW_CUSTOMERS, Capability.UPGRADE, Capability.MANAGE_SUBSCRIPTIONS, Capability.BILLING}
)


def roles_granting(capability: Capability) -> frozenset[str]:
    """The partner roles that grant ``capability`` (e.g. who receives a notice about it)."""
    return MATRIX[capability]


def is_global_admin(actor) -> bool:
    """A partner user (never an application) holding the partner's ``global_admin`` role."""
    if actor is None or getattr(actor, "is_application", False) or not getattr(actor, "partner_id", None):
        return False
    return R.GLOBAL_ADMIN in actor.role_codes


def admin_partner_id(actor) -> int | None:
    """The partner a non-operator may administer in the Django admin (an active staff global admin's own), or
    None (no access; operators are answered by ``is_operator``)."""
    if not (getattr(actor, "is_active", False) and getattr(actor, "is_staff", False)):
        return None
    if getattr(actor, "is_superuser", False):
        return None
    return actor.partner_id if is_global_admin(actor) else None


def is_customer_admin(actor) -> bool:
    """A user (never an application) holding an admin role in at least one customer tenant."""
    if actor is None or getattr(actor, "is_application", False) or getattr(actor, "pk", None) is None:
        return False
    # customers sits above partners in the layering: the model is looked up by name, not imported.
    return apps.get_model("customers", "CustomerAdminRole").objects.filter(user_id=actor.pk).exists()


def can(actor, capability: Capability) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if capability in CUSTOMER_ADMIN_CAPABILITIES:
        return is_customer_admin(actor)
    if is_operator(actor):  # the one operator bypass (core.scoping)
        return True
    if getattr(actor, "is_application", False):
        return capability in APPLICATION_CAPABILITIES
    if not getattr(actor, "partner_id", None):
        return False
    return bool(actor.role_codes & MATRIX[capability])


def require(actor, capability: Capability) -> None:
    """Raise ``PermissionDenied`` (→ 403) unless the actor's roles grant ``capability``."""
    if not can(actor, capability):
        if capability in CUSTOMER_ADMIN_CAPABILITIES:
            raise PermissionDenied(_("/v1/me/ is for customer tenant admins' user tokens."))
        raise PermissionDenied(
            _("Your partner role does not allow this action (%(capability)s).") % {"capability": capability.value}
        )
