"""What a customer tenant admin may do in the admin center (domain.md §2, §6).

global_administrator and billing_administrator may buy and upgrade; license_administrator and
user_administrator may move licenses (and so may the buying roles); every admin role may read.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import Forbidden
from customers.models import CustomerAdminRole
from customers.models import CustomerAdminRoleName as R


class AdminAction(StrEnum):
    READ = "read"
    PURCHASE = "purchase"  # buy, upgrade, cancel
    MOVE_LICENSES = "move_licenses"


ADMIN_MATRIX: dict[AdminAction, frozenset[str]] = {
    AdminAction.READ: frozenset(R.values),
    AdminAction.PURCHASE: frozenset({R.GLOBAL_ADMINISTRATOR, R.BILLING_ADMINISTRATOR}),
    AdminAction.MOVE_LICENSES: frozenset({R.GLOBAL_ADMINISTRATOR, R.LICENSE_ADMINISTRATOR, R.USER_ADMINISTRATOR}),
}


def admin_roles(actor, customer) -> frozenset[str]:
    """The actor's admin roles on ``customer`` (cached on the actor per customer: one query)."""
    if actor is None or getattr(actor, "is_application", False) or not getattr(actor, "pk", None):
        return frozenset()
    cache = actor.__dict__.setdefault("_direct_admin_roles", {})
    if customer.pk not in cache:
        cache[customer.pk] = frozenset(
            CustomerAdminRole.objects.filter(user_id=actor.pk, customer_id=customer.pk).values_list("role", flat=True)
        )
    return cache[customer.pk]


def admin_can(actor, customer, action: AdminAction) -> bool:
    return bool(admin_roles(actor, customer) & ADMIN_MATRIX[action])


def admin_require(actor, customer, action: AdminAction) -> None:
    if not admin_can(actor, customer, action):
        raise Forbidden(_("Your admin role doesn't allow this action (%(action)s).") % {"action": action.value})
