"""What each signed-in user may use: the main navigation, the start page and ``can`` for templates.

Every answer comes from the role matrix (``partners.roles.can``) or from the user's customer admin roles;
templates never name roles. Nothing here queries the database until a template asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.models import CustomerAdminRole, CustomerAdminRoleName
from partners.roles import Capability, can

from .approval_selectors import approver_count_for


@dataclass(frozen=True)
class NavLink:
    key: str  # stable id (``data-nav`` in the page, used by tests)
    label: str
    url: str
    current: bool  # the page being shown belongs to this link
    count: int | None = None  # a figure next to the label (the approvals waiting, for approvers)


def customer_admin_roles(user) -> frozenset[str]:
    """The customer admin roles the user holds in any tenant (one query, cached on the user)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return frozenset()
    cached = getattr(user, "_portal_customer_admin_roles", None)
    if cached is None:
        cached = frozenset(CustomerAdminRole.objects.filter(user_id=user.pk).values_list("role", flat=True))
        user._portal_customer_admin_roles = cached
    return cached


def is_customer_admin(user) -> bool:
    return bool(customer_admin_roles(user))


def uses_partner_pages(user) -> bool:
    """Partner users of any role and operators use the partner pages (customers, upgrades)."""
    return can(user, Capability.VIEW_CUSTOMERS)


@dataclass(frozen=True)
class StartPage:
    url: str
    label: str


def start_page_for(user) -> StartPage | None:
    """Where sign-in leads: partner users and operators → their home page (the dashboard at ``/``), other
    staff → the Django admin, customer admins → their admin center; None for a user without any role (or not
    signed in)."""
    if uses_partner_pages(user):
        return StartPage(reverse("portal:home"), str(_("Go to your home page")))
    if getattr(user, "is_staff", False) and getattr(user, "is_authenticated", False):
        return StartPage(reverse("admin:index"), str(_("Go to the Django admin")))
    if is_customer_admin(user):
        return StartPage(reverse("direct:home"), str(_("Go to the admin center")))
    return None


# (key, label, URL name, view names that mark the link current, who may use it)
LINKS = [
    ("home", _("Home"), "portal:home", ("portal:home",), uses_partner_pages),
    (
        "customers",
        _("Customers"),
        "portal:customer_list",
        (
            "portal:customer_*",
            "portal:upgrade_targets",
            "portal:upgrade_details",
            "portal:upgrade_review",
            "portal:transition_*",
            "portal:e4_replacement*",
        ),
        lambda user: can(user, Capability.VIEW_CUSTOMERS),
    ),
    # The opportunities are upgrade options: only for the roles that may upgrade.
    (
        "opportunities",
        _("Opportunities"),
        "portal:opportunities",
        ("portal:opportunities*",),
        lambda user: can(user, Capability.UPGRADE),
    ),
    # new commerce terms ending soon (domain.md §8, §9): every partner role follows them, billing admins too
    (
        "renewals",
        _("Renewals"),
        "portal:renewals",
        ("portal:renewals*",),
        lambda user: can(user, Capability.VIEW_CUSTOMERS),
    ),
    (
        "upgrades",
        _("Upgrades"),
        "portal:upgrade_list",
        ("portal:upgrade_list", "portal:upgrade_result"),
        lambda user: can(user, Capability.UPGRADE),
    ),
    # bulk upgrades (domain.md §9): the partner's batches, their live progress and results, the CSV upload
    (
        "batches",
        _("Batches"),
        "portal:batch_list",
        ("portal:batch_*",),
        lambda user: can(user, Capability.UPGRADE),
    ),
    # four-eyes approval (domain.md §9): who may upgrade sees what waits; approvers also see how many
    (
        "approvals",
        _("Approvals"),
        "portal:approvals",
        ("portal:approvals",),
        lambda user: can(user, Capability.UPGRADE) or can(user, Capability.APPROVE),
    ),
    (
        "delegation",
        _("Delegation"),
        "delegation:list",
        ("delegation:*",),
        lambda user: can(user, Capability.REQUEST_DELEGATED_ADMIN),
    ),
    # Partner users are managed by their own partner's admins (operators use the Django admin).
    (
        "partner_users",
        _("Partner users"),
        "partners:user_list",
        ("partners:*",),
        lambda user: can(user, Capability.MANAGE_PARTNER_USERS) and bool(getattr(user, "partner_id", None)),
    ),
    ("admin_center", _("Admin center"), "direct:home", ("direct:*",), is_customer_admin),
    # Only a customer's global administrator approves GDAP and switches DAP (domain.md §3).
    (
        "partner_relationships",
        _("Partner relationships"),
        "delegation_customer:list",
        ("delegation_customer:*",),
        lambda user: CustomerAdminRoleName.GLOBAL_ADMINISTRATOR in customer_admin_roles(user),
    ),
    (
        "django_admin",
        _("Django admin"),
        "admin:index",
        ("admin:*",),
        lambda user: bool(getattr(user, "is_staff", False)),
    ),
]


def link_count(key: str, user) -> int | None:
    """The figure of a link: the approvals waiting, for a user who may approve (one query); None otherwise."""
    if key != "approvals":
        return None
    return approver_count_for(user)


def navigation_for(user, view_name: str | None = None) -> list[NavLink]:
    """The links ``user`` may use, in menu order; ``view_name`` (``ns:name``) marks the current one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [
        NavLink(
            key=key,
            label=str(label),
            url=reverse(url_name),
            current=bool(view_name) and any(fnmatch(view_name or "", pattern) for pattern in current),
            count=link_count(key, user),
        )
        for key, label, url_name, current, allowed in LINKS
        if allowed(user)
    ]


class Capabilities:
    """``navigation.can.upgrade`` in a template → ``partners.roles.can(user, Capability.UPGRADE)``."""

    def __init__(self, user):
        self.user = user

    def __getitem__(self, name: str) -> bool:
        try:
            capability = Capability(name)
        except ValueError:
            return False
        return can(self.user, capability)


class Navigation:
    """The ``navigation`` template variable (see ``portal.context_processors``); everything lazy."""

    def __init__(self, request):
        self.request = request
        self.user = getattr(request, "user", None)

    @cached_property
    def links(self) -> list[NavLink]:
        match = getattr(self.request, "resolver_match", None)
        return navigation_for(self.user, match.view_name if match else None)

    @cached_property
    def start(self) -> StartPage | None:
        return start_page_for(self.user)

    @cached_property
    def is_customer_admin(self) -> bool:
        return is_customer_admin(self.user)

    @cached_property
    def can(self) -> Capabilities:
        return Capabilities(self.user)
