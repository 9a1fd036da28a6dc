"""A subscription's page: what it shows, the seats form (through the subscription service, within the role's
rights), scoping, and a fixed query count."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from subscriptions.services import subscription_update
from tests import factories
from tests.builders import add_users, make_subscription
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db


def customer_of(partner, **kwargs):
    customer = factories.CustomerFactory(**kwargs)
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


def page_url(subscription, customer=None) -> str:
    return reverse(
        "portal:subscription_detail",
        kwargs={"tenant_id": (customer or subscription.customer).tenant_id, "subscription_id": subscription.pk},
    )


@pytest.fixture
def subscription(partner):
    customer = customer_of(partner, company_name="Fabrikam", domain="fabrikam.onmicrosoft.com")
    return make_subscription(
        customer,
        "m365-business-basic",
        partner=partner,
        quantity=10,
        billing_cycle="annual",
        term_start_date=date(2026, 3, 1),
        commitment_end_date=date(2027, 2, 28),
    )


def section(html: str, key: str) -> str:
    start = html.index(f'data-section="{key}"')
    return html[start : html.index("</section>", start)]


def test_the_page_shows_seats_users_channel_term_upgrades_and_history(client, sales_agent, partner, subscription):
    users = add_users(subscription, 2, prefix="amy")
    operation = UpgradeOperation.objects.create(
        source=subscription,
        target_offer_id="o365-e3",
        customer=subscription.customer,
        partner=partner,
        upgrade_type="upgrade_only",
        quantity=10,
        billing_cycle="monthly",
        status="failed",
    )
    subscription_update(actor=sales_agent, subscription=subscription, changes={"friendly_name": "Sales team"})
    client.force_login(sales_agent)
    response = client.get(page_url(subscription))
    assert response.status_code == 200
    html = response.content.decode()
    properties = section(html, "properties")
    assert '<dd data-field="seats">10</dd>' in properties
    assert 'data-field="assigned" class="">2</dd>' in properties
    assert '<dd data-field="channel">CSP (Contoso CSP)</dd>' in properties
    assert '<dd data-field="billing-cycle">Annual</dd>' in properties
    assert '<dd data-field="term-start">1 Mar 2026</dd>' in properties
    assert '<dd data-field="commitment-end">28 Feb 2027</dd>' in properties
    assignments = section(html, "assignments")
    assert all(user.user_principal_name in assignments for user in users)
    upgrades = section(html, "upgrades")
    assert "Office 365 E3" in upgrades and "Failed" in upgrades
    assert reverse("portal:upgrade_result", kwargs={"operation_id": operation.pk}) in upgrades
    history = section(html, "audit")
    assert "friendlyName: Sales team" in history and "Update subscription" in history
    # A sales agent may change seats: the form is there, with today's seats.
    assert 'name="quantity"' in section(html, "seats") and 'value="10"' in section(html, "seats")


def test_the_customer_page_links_each_subscription_to_its_page(client, sales_agent, subscription):
    client.force_login(sales_agent)
    html = client.get(reverse("portal:customer_detail", kwargs={"tenant_id": subscription.customer.tenant_id}))
    assert f'href="{page_url(subscription)}"' in html.content.decode()


def test_changing_the_seats_goes_through_the_service_and_is_audited(client, sales_agent, subscription):
    client.force_login(sales_agent)
    response = client.post(page_url(subscription), {"quantity": "12"})
    assert response.status_code == 302 and response["Location"] == page_url(subscription)
    subscription.refresh_from_db()
    assert subscription.quantity == 12
    record = AuditRecord.objects.get(operation_type="update_subscription")
    assert record.resource_old_value == {"id": str(subscription.pk), "quantity": 10}
    assert record.resource_new_value == {"id": str(subscription.pk), "quantity": 12}
    page = client.get(page_url(subscription)).content.decode()
    assert "Seats set to 12." in page and '<dd data-field="seats">12</dd>' in page
    assert "quantity: 12" in section(page, "audit")


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "Enter a whole number of seats."),
        ("", "Enter the number of seats."),
        ("1", "cannot be lower than the 3 licenses assigned; unassign licenses first."),
    ],
)
def test_bad_seats_show_the_error_beside_the_field(client, sales_agent, subscription, value, message):
    add_users(subscription, 3)
    client.force_login(sales_agent)
    response = client.post(page_url(subscription), {"quantity": value})
    assert response.status_code == 400
    html = section(response.content.decode(), "seats")
    assert f'<p class="field__error" id="quantity-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html
    subscription.refresh_from_db()
    assert subscription.quantity == 10 and not AuditRecord.objects.exists()


def test_a_suspended_subscription_has_no_seats_form_and_refuses_a_change(client, sales_agent, subscription):
    subscription.status = "suspended"
    subscription.save(update_fields=["status"])
    client.force_login(sales_agent)
    assert 'name="quantity"' not in section(client.get(page_url(subscription)).content.decode(), "seats")
    response = client.post(page_url(subscription), {"quantity": "11"})
    assert response.status_code == 400
    assert "cannot be changed while the subscription is suspended" in response.content.decode()


def test_a_role_without_the_capability_sees_no_form_and_a_post_is_403(client, partner, subscription):
    billing = factories.PartnerUserFactory(partner=partner, roles=["billing_admin"])
    client.force_login(billing)
    page = client.get(page_url(subscription))
    assert page.status_code == 200
    seats = section(page.content.decode(), "seats")
    assert 'name="quantity"' not in seats and "Your partner role does not allow changing seats." in seats
    assert client.post(page_url(subscription), {"quantity": "11"}).status_code == 403
    subscription.refresh_from_db()
    assert subscription.quantity == 10


def test_another_partners_subscription_or_customer_is_404(client, other_partner, subscription, partner):
    stranger = factories.PartnerUserFactory(partner=other_partner, roles=["global_admin"])
    client.force_login(stranger)
    assert client.get(page_url(subscription)).status_code == 404
    assert client.post(page_url(subscription), {"quantity": "11"}).status_code == 404
    # Their own customer in the URL with our subscription: still 404.
    theirs = customer_of(other_partner)
    assert client.get(page_url(subscription, customer=theirs)).status_code == 404
    # Our customer, their subscription in it (a shared customer): 404 for us.
    factories.RelationshipFactory(partner=other_partner, customer=subscription.customer)
    their_sub = make_subscription(subscription.customer, "o365-e3", partner=other_partner)
    client.force_login(factories.PartnerUserFactory(partner=partner, roles=["global_admin"]))
    assert client.get(page_url(their_sub)).status_code == 404
    subscription.refresh_from_db()
    assert subscription.quantity == 10


def test_a_customer_admin_gets_the_403_page(client, subscription):
    role = factories.CustomerAdminRoleFactory(customer=subscription.customer)
    client.force_login(role.user)
    assert client.get(page_url(subscription)).status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_the_page_costs_the_same_queries_at_3_and_30_rows(
    client, sales_agent, partner, subscription, rows, django_assert_num_queries
):
    add_users(subscription, rows)
    for n in range(rows):
        subscription_update(actor=sales_agent, subscription=subscription, changes={"friendly_name": f"Name {n}"})
        UpgradeOperation.objects.create(
            source=subscription,
            target_offer_id="o365-e3",
            customer=subscription.customer,
            partner=partner,
            upgrade_type="upgrade_only",
            quantity=10,
            billing_cycle="monthly",
            status="failed",
        )
    client.force_login(sales_agent)
    client.get(page_url(subscription))
    with django_assert_num_queries(EXPECTED_QUERIES):
        response = client.get(page_url(subscription))
    html = response.content.decode()
    assert html.count("Failed</span>") == rows and section(html, "assignments").count("<tr>") == rows + 1


# Session, user, roles; customer, subscription, assigned users, operations, audit records; the layout's customer
# admin roles, unread notifications and partner name; the session save (with its savepoint).
EXPECTED_QUERIES = 14
