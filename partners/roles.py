"""The partner role matrix of domain.md §2: which partner roles grant which capability.

This table is the single source of truth: services call ``require(actor, Capability.X)`` and pages or
serializers only ask ``can(actor, ...)`` to decide what to show.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import PartnerRole as R


class Capability(StrEnum):
    VIEW_CUSTOMERS = "view_customers"
    UPGRADE = "upgrade"
    MANAGE_SUBSCRIPTIONS = "manage_subscriptions"  # buy / change quantity / suspend
    REQUEST_DELEGATED_ADMIN = "request_delegated_admin"
    MANAGE_PARTNER_USERS = "manage_partner_users"
    BILLING = "billing"
    MANAGE_CATALOG = "manage_catalog"


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
}

# Application (app-only) tokens act for the whole partner but without user context: they may read and
# manage subscriptions; upgrades answer ``user_context_required`` in the eligibility engine.
APPLICATION_CAPABILITIES = frozenset(
    {Capability.VIEW_CUSTOMERS, Capability.UPGRADE, Capability.MANAGE_SUBSCRIPTIONS, Capability.BILLING}
)


def can(actor, capability: Capability) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    if getattr(actor, "is_application", False):
        return capability in APPLICATION_CAPABILITIES
    if not getattr(actor, "partner_id", None):
        return False
    return bool(actor.role_codes & MATRIX[capability])


def require(actor, capability: Capability) -> None:
    """Raise ``PermissionDenied`` (→ 403) unless the actor's roles grant ``capability``."""
    if not can(actor, capability):
        raise PermissionDenied(
            _("Your partner role does not allow this action (%(capability)s).") % {"capability": capability.value}
        )
