"""The main navigation shows each kind of user what they may use; sign-in leads each to their own start page;
customer admins are not let into the partner pages (403 page pointing to their admin center)."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import CustomerAdminRoleName
from partners.models import PartnerRole
from portal.navigation import navigation_for
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory

# Hand-written from domain.md §2 (one line per role): the ``data-nav`` keys of the menu.
# "batches" and "approvals" (issue 11): the roles that may upgrade (what waits) or approve (domain.md §9).
PARTNER_NAV = {
    "global_admin": {
        "home",
        "customers",
        "opportunities",
        "renewals",
        "upgrades",
        "batches",
        "approvals",
        "delegation",
        "partner_users",
    },
    "user_management_admin": {
        "home",
        "customers",
        "opportunities",
        "renewals",
        "upgrades",
        "batches",
        "approvals",
        "partner_users",
    },
    "admin_agent": {"home", "customers", "opportunities", "renewals", "upgrades", "batches", "approvals", "delegation"},
    "sales_agent": {"home", "customers", "opportunities", "renewals", "upgrades", "batches", "approvals"},
    "helpdesk_agent": {"home", "customers", "opportunities", "renewals", "upgrades", "batches", "approvals"},
    "billing_admin": {"home", "customers", "renewals"},
}
CUSTOMER_NAV = {
    "global_administrator": {"admin_center", "partner_relationships"},
    "billing_administrator": {"admin_center"},
    "user_administrator": {"admin_center"},
    "license_administrator": {"admin_center"},
}
OPERATOR_NAV = {
    "home",
    "customers",
    "opportunities",
    "renewals",
    "upgrades",
    "batches",
    "approvals",
    "delegation",
    "django_admin",
}
HREFS = {
    "home": "/",
    "customers": "/customers/",
    "opportunities": "/opportunities/",
    "renewals": "/renewals/",
    "upgrades": "/upgrades/",
    "batches": "/batches/",
    "approvals": "/approvals/",
    "delegation": "/delegation/",
    "partner_users": "/partner/users/",
    "admin_center": "/admin-center/",
    "partner_relationships": "/admin-center/relationships/",
    "django_admin": "/admin/",
}
NAV_LINK = re.compile(r'data-nav="([a-z_]+)" href="([^"]+)"')


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def nav_of(response) -> dict[str, str]:
    """The menu of a rendered page: ``{key: href}``."""
    html = response.content.decode()
    menu = html[html.index('<nav class="nav"') : html.index("</nav>", html.index('<nav class="nav"'))]
    return dict(NAV_LINK.findall(menu))


def operator():
    return factories.UserFactory(username="op", is_staff=True, is_superuser=True)


def test_the_expected_tables_cover_every_role():
    assert set(PARTNER_NAV) == set(PartnerRole.values)
    assert set(CUSTOMER_NAV) == set(CustomerAdminRoleName.values)


@pytest.mark.parametrize("role", sorted(PARTNER_NAV))
def test_partner_roles_see_their_links(partner, role):
    user = factories.PartnerUserFactory(partner=partner, roles=[role])
    response = client_for(user).get(reverse("notifications:list"))
    assert response.status_code == 200
    assert nav_of(response) == {key: HREFS[key] for key in PARTNER_NAV[role]}


@pytest.mark.parametrize("role", sorted(CUSTOMER_NAV))
def test_customer_admin_roles_see_their_links(role):
    admin = factories.CustomerAdminRoleFactory(role=role).user
    response = client_for(admin).get(reverse("notifications:list"))
    assert response.status_code == 200
    assert nav_of(response) == {key: HREFS[key] for key in CUSTOMER_NAV[role]}
    assert "Customer administrator" in response.content.decode()


def test_operator_sees_the_partner_pages_and_the_django_admin():
    response = client_for(operator()).get(reverse("notifications:list"))
    assert nav_of(response) == {key: HREFS[key] for key in OPERATOR_NAV}
    assert "Platform operator" in response.content.decode()


def test_a_staff_global_admin_also_sees_the_django_admin(partner):
    user = factories.PartnerUserFactory(partner=partner, roles=["global_admin"], is_staff=True)
    response = client_for(user).get(reverse("notifications:list"))
    assert set(nav_of(response)) == {
        "home",
        "customers",
        "opportunities",
        "renewals",
        "upgrades",
        "batches",
        "approvals",
        "delegation",
        "partner_users",
        "django_admin",
    }


def test_a_partner_user_who_is_also_a_customer_admin_sees_both(partner):
    user = factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])
    factories.CustomerAdminRoleFactory(user=user, role="billing_administrator")
    response = client_for(user).get(reverse("notifications:list"))
    assert set(nav_of(response)) == {
        "home",
        "customers",
        "opportunities",
        "renewals",
        "upgrades",
        "batches",
        "approvals",
        "admin_center",
    }


def test_a_user_without_any_role_sees_no_links():
    response = client_for(factories.UserFactory()).get(reverse("portal:home"))
    assert response.status_code == 200 and nav_of(response) == {}
    assert "No access yet" in response.content.decode()


def test_anonymous_pages_have_no_menu():
    response = Client().get(reverse("login"))
    assert response.status_code == 200 and '<nav class="nav"' not in response.content.decode()
    assert navigation_for(None) == []


def test_the_current_page_is_marked(partner):
    user = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"])
    html = client_for(user).get(reverse("delegation:list")).content.decode()
    assert re.search(r'is-current" aria-current="page"\s+data-nav="delegation"', html)
    assert html.count('aria-current="page"') == 1


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("sales_agent", None),  # partner users and operators: their dashboard at / itself
        ("billing_admin", None),
        ("customer_admin", "/admin-center/"),
        ("operator", None),
        ("staff_only", "/admin/"),
    ],
)
def test_sign_in_leads_each_user_to_their_start_page(partner, kind, expected):
    if kind == "customer_admin":
        user = factories.CustomerAdminRoleFactory(role="license_administrator").user
    elif kind == "operator":
        user = operator()
    elif kind == "staff_only":
        user = factories.UserFactory(is_staff=True)
    else:
        user = factories.PartnerUserFactory(partner=partner, roles=[kind])
    response = Client().post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    chain = [url for url, _status in response.redirect_chain]
    if expected is None:
        assert response.status_code == 200 and chain == ["/"]
        assert "portal/dashboard.html" in [t.name for t in response.templates]
        return
    assert response.status_code == 200 and chain[:2] == ["/", expected]
    if kind == "customer_admin":  # the admin center opens the only tenant the admin has
        assert chain[2:] == [f"/admin-center/{user.customer_admin_roles.get().customer.tenant_id}/"]
    else:
        assert chain[2:] == []


def test_sign_in_without_any_role_stays_on_home():
    user = factories.UserFactory()
    response = Client().post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    assert [url for url, _status in response.redirect_chain] == ["/"]
    assert "No access yet" in response.content.decode()


def test_customer_admins_are_not_let_into_the_partner_pages(partner):
    role = factories.CustomerAdminRoleFactory(role="global_administrator")
    factories.RelationshipFactory(partner=partner, customer=role.customer)
    subscription = factories.SubscriptionFactory(customer=role.customer, partner=partner)
    tenant = role.customer.tenant_id
    paths = [
        "/customers/",
        f"/customers/{tenant}/",
        "/upgrades/",
        "/opportunities/",
        "/opportunities/export.csv",
        "/renewals/",
        "/renewals/export.csv",
        f"/upgrades/{uuid.uuid4()}/",
        f"/customers/{tenant}/subscriptions/{subscription.pk}/upgrade/",
        "/delegation/",
        "/partner/users/",
    ]
    client = client_for(role.user)
    for path in paths:
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 403, path
        assert '<header class="topbar">' in html and "Access denied" in html, path
        assert '<a class="button button--primary" href="/admin-center/">Go to the admin center</a>' in html, path
        assert role.customer.company_name not in html, path
