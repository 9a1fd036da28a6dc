"""The partner web portal pages: home routing, customer list and customer page content, layout."""

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = reverse("portal:customer_list")


def customer_of(partner, **kwargs):
    customer = factories.CustomerFactory(**kwargs)
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


def test_home_shows_partner_users_their_dashboard(client, sales_agent):
    client.force_login(sales_agent)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200 and "portal/dashboard.html" in [t.name for t in response.templates]


def test_home_sends_customer_admins_to_the_admin_center(client):
    role = factories.CustomerAdminRoleFactory()
    client.force_login(role.user)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"] == "/admin-center/"
    assert client.get(LIST_URL).status_code == 403  # the partner pages are not theirs (tests/test_navigation.py)


def test_home_for_a_user_without_any_role(client):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert b"No access yet" in response.content
    assert b"/admin-center/" not in response.content


def test_login_page_renders_and_signs_in(client, sales_agent):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content and b"portal.css" in response.content
    response = client.post(reverse("login"), {"username": "ana", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def test_wrong_password_shows_an_error(client, sales_agent):
    response = client.post(reverse("login"), {"username": "ana", "password": "wrong-password!"})
    assert response.status_code == 200
    assert b"message--error" in response.content


def test_logout_is_a_post_from_the_top_bar(client, sales_agent):
    client.force_login(sales_agent)
    content = client.get(LIST_URL).content.decode()
    assert f'action="{reverse("logout")}"' in content and 'method="post"' in content
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(LIST_URL).status_code == 302


def test_top_bar_shows_user_and_partner(client, sales_agent):
    client.force_login(sales_agent)
    content = client.get(LIST_URL).content.decode()
    assert "ana" in content and "Contoso CSP" in content
    assert reverse("admin:index") not in content  # not staff


def test_stylesheet_is_our_own_and_local():
    assert finders.find("css/portal.css")
    base = get_template("base.html").template.source
    assert "http://" not in base and "https://" not in base


def test_customer_list_columns(client, sales_agent, partner):
    customer = customer_of(
        partner, company_name="Fabrikam Ltd", domain="fabrikam.onmicrosoft.com", country="SE", segment="education"
    )
    factories.DapGrantFactory(partner=partner, customer=customer)
    factories.SubscriptionFactory(customer=customer, partner=partner)
    factories.SubscriptionFactory(customer=customer, partner=partner, status="deleted")
    client.force_login(sales_agent)
    response = client.get(LIST_URL)
    row = response.context["customers"][0]
    assert row.subscription_count == 1
    assert row.relationship == "reseller"
    assert row.delegated_access.dap_enabled and row.delegated_access.has_active_relationship
    content = response.content.decode()
    for text in ("Fabrikam Ltd", "fabrikam.onmicrosoft.com", "SE", "Education", "Reseller", "DAP"):
        assert text in content


def test_customer_without_delegated_access_is_flagged(client, sales_agent, partner):
    customer_of(partner, company_name="No Access Co")
    client.force_login(sales_agent)
    assert b"No delegated access" in client.get(LIST_URL).content


def test_customer_list_paginates_by_50_and_keeps_the_search(client, sales_agent, partner):
    for n in range(55):
        customer_of(partner, company_name=f"Tailspin {n:02d}")
    client.force_login(sales_agent)
    response = client.get(LIST_URL, {"q": "tailspin"})
    assert len(response.context["customers"]) == 50
    assert response.context["paginator"].count == 55
    assert "?q=tailspin&amp;page=2" in response.content.decode()
    assert len(client.get(LIST_URL, {"q": "tailspin", "page": 2}).context["customers"]) == 5


def test_overlong_search_is_an_error_not_a_crash(client, sales_agent, partner):
    customer_of(partner)
    client.force_login(sales_agent)
    response = client.get(LIST_URL, {"q": "x" * 500})
    assert response.status_code == 200
    assert response.context["form"].errors["q"]
    assert len(response.context["customers"]) == 1


def test_customer_page_shows_profile_delegation_and_subscriptions(client, sales_agent, partner):
    customer = customer_of(partner, company_name="Fabrikam India", domain="fabrikamin.onmicrosoft.com", country="IN")
    factories.GdapRelationshipFactory(partner=partner, customer=customer, display_name="Fabrikam GDAP")
    subscription = factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id="m365-business-basic-in", quantity=25, billing_cycle="annual"
    )
    factories.LicenseAssignmentFactory.create_batch(3, subscription=subscription)
    client.force_login(sales_agent)
    response = client.get(reverse("portal:customer_detail", kwargs={"tenant_id": customer.tenant_id}))
    content = response.content.decode()
    for text in (
        "Fabrikam India",
        str(customer.tenant_id),
        "India market",
        "Fabrikam GDAP",
        "GDAP",
        "Microsoft 365 Business Basic (India)",
        "25",
        "Annual",
        "Active",
        "CSP (Contoso CSP)",
        subscription.commitment_end_date.strftime("%Y"),
    ):
        assert text in content, text
    row = response.context["subscriptions"][0]
    assert row.assigned_count == 3
    assert 'class="actions"' in content


def test_subscription_actions_block_can_be_filled_per_subscription(rf, sales_agent, partner):
    """Another page extends the customer page and puts an action in each subscription row."""
    from django.template import engines

    customer = customer_of(partner)
    subscription = factories.SubscriptionFactory(customer=customer, partner=partner)
    template = engines["django"].from_string(
        '{% extends "portal/customer_detail.html" %}'
        '{% block subscription_actions %}<a data-sub="{{ subscription.pk }}">up</a>{% endblock %}'
    )
    request = rf.get("/")
    request.user = sales_agent
    from subscriptions.selectors import subscription_list_for_customer

    html = template.render(
        {
            "customer": customer,
            "subscriptions": subscription_list_for_customer(sales_agent, customer),
            "delegation": {},
            "user": sales_agent,
        },
        request,
    )
    assert f'data-sub="{subscription.pk}"' in html
