"""Tenant isolation of the portal pages: a partner sees its own customers and the subscriptions it sold."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = reverse("portal:customer_list")


def detail_url(customer):
    return reverse("portal:customer_detail", kwargs={"tenant_id": customer.tenant_id})


def customer_of(partner, **kwargs):
    customer = factories.CustomerFactory(**kwargs)
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


@pytest.fixture
def agent_client(client, sales_agent):
    client.force_login(sales_agent)
    return client


def test_customer_list_shows_only_the_partners_customers(agent_client, partner, other_partner):
    mine = customer_of(partner, company_name="Fabrikam Ltd")
    theirs = customer_of(other_partner, company_name="Northwind Traders")
    unrelated = factories.CustomerFactory(company_name="Adatum Corp")
    response = agent_client.get(LIST_URL)
    assert response.status_code == 200
    assert [c.pk for c in response.context["customers"]] == [mine.pk]
    content = response.content.decode()
    assert "Fabrikam Ltd" in content
    assert theirs.company_name not in content and unrelated.company_name not in content


def test_relationship_none_hides_the_customer(agent_client, partner):
    customer = factories.CustomerFactory(company_name="Former Client")
    factories.RelationshipFactory(partner=partner, customer=customer, relationship="none")
    assert list(agent_client.get(LIST_URL).context["customers"]) == []
    assert agent_client.get(detail_url(customer)).status_code == 404


def test_customer_shared_by_two_partners_is_listed_for_both(client, partner, other_partner, sales_agent):
    shared = customer_of(partner, company_name="Shared Co")
    factories.RelationshipFactory(partner=other_partner, customer=shared, relationship="advisor")
    other_agent = factories.PartnerUserFactory(partner=other_partner)
    for user in (sales_agent, other_agent):
        client.force_login(user)
        assert [c.pk for c in client.get(LIST_URL).context["customers"]] == [shared.pk]


def test_search_by_company_name(agent_client, partner, other_partner):
    hit = customer_of(partner, company_name="Contoso Pharmaceuticals", domain="cpharma.onmicrosoft.com")
    customer_of(partner, company_name="Litware Inc", domain="litware.onmicrosoft.com")
    customer_of(other_partner, company_name="Contoso Outsider", domain="outsider.onmicrosoft.com")
    response = agent_client.get(LIST_URL, {"q": "contoso"})
    assert [c.pk for c in response.context["customers"]] == [hit.pk]


def test_search_by_domain(agent_client, partner, other_partner):
    hit = customer_of(partner, company_name="Alpha", domain="wingtiptoys.onmicrosoft.com")
    customer_of(partner, company_name="Beta", domain="beta.onmicrosoft.com")
    customer_of(other_partner, company_name="Gamma", domain="wingtip-other.onmicrosoft.com")
    response = agent_client.get(LIST_URL, {"q": "WINGTIP"})
    assert [c.pk for c in response.context["customers"]] == [hit.pk]


def test_customer_page_200_for_own_customer(agent_client, partner):
    customer = customer_of(partner, company_name="Fabrikam Ltd")
    response = agent_client.get(detail_url(customer))
    assert response.status_code == 200
    assert response.context["customer"] == customer


def test_customer_page_404_for_another_partners_customer(agent_client, other_partner):
    assert agent_client.get(detail_url(customer_of(other_partner))).status_code == 404


def test_customer_page_404_for_a_customer_without_relationship(agent_client):
    assert agent_client.get(detail_url(factories.CustomerFactory())).status_code == 404


def test_customer_page_404_for_an_unknown_or_malformed_tenant_id(agent_client):
    assert agent_client.get(reverse("portal:customer_detail", kwargs={"tenant_id": uuid.uuid4()})).status_code == 404
    assert agent_client.get("/customers/not-a-guid/").status_code == 404


@pytest.mark.parametrize("url", ["/", LIST_URL, f"/customers/{uuid.uuid4()}/"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_subscription_list_shows_only_what_this_partner_sold(agent_client, partner, other_partner):
    customer = customer_of(partner)
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    own = factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="o365-e3")
    factories.SubscriptionFactory(customer=customer, partner=other_partner, offer_id="o365-e1")
    factories.SubscriptionFactory(
        customer=customer, partner=None, channel="direct", payment_method="credit_card", offer_id="o365-e4"
    )
    factories.SubscriptionFactory(customer=customer, partner=None, channel="volume_licensing", offer_id="m365-e3")
    response = agent_client.get(detail_url(customer))
    assert [s.pk for s in response.context["subscriptions"]] == [own.pk]
    content = response.content.decode()
    assert "Office 365 E3" in content
    for hidden in ("Office 365 E1", "Office 365 E4", "Microsoft 365 E3"):
        assert hidden not in content
    row = agent_client.get(LIST_URL).context["customers"][0]
    assert row.subscription_count == 1


def test_operator_sees_every_customer(client, partner, other_partner):
    customer_of(partner)
    customer_of(other_partner)
    factories.CustomerFactory()
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    assert len(client.get(LIST_URL).context["customers"]) == 3


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def _add_customers(partner, other_partner, count):
    for _ in range(count):
        customer = customer_of(partner)
        factories.DapGrantFactory(partner=partner, customer=customer)
        factories.GdapRelationshipFactory(partner=partner, customer=customer)
        factories.SubscriptionFactory(customer=customer, partner=partner)
        factories.SubscriptionFactory(customer=customer, partner=other_partner)


def test_customer_list_query_count_is_flat(agent_client, partner, other_partner):
    _add_customers(partner, other_partner, 10)
    small = _queries(agent_client, LIST_URL)
    _add_customers(partner, other_partner, 90)
    assert _queries(agent_client, LIST_URL) == small
    assert _queries(agent_client, LIST_URL + "?page=2") == small
    assert _queries(agent_client, LIST_URL + "?q=customer") == small


def test_customer_page_query_count_is_flat(agent_client, partner, other_partner):
    customer = customer_of(partner)
    factories.DapGrantFactory(partner=partner, customer=customer)
    factories.GdapRelationshipFactory(partner=partner, customer=customer)

    def add_subscriptions(count):
        for _ in range(count):
            subscription = factories.SubscriptionFactory(customer=customer, partner=partner)
            factories.LicenseAssignmentFactory(subscription=subscription)

    add_subscriptions(10)
    small = _queries(agent_client, detail_url(customer))
    add_subscriptions(90)
    assert _queries(agent_client, detail_url(customer)) == small
