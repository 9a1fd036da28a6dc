"""Who may open the upgrade pages: 404 outside the partner's scope, 403 for roles that cannot upgrade."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.builders import grant_gdap, make_subscription
from upgrades.services import subscription_upgrade

pytestmark = pytest.mark.django_db

STEPS = ["upgrade_targets", "upgrade_details", "upgrade_review"]


def step_url(name, customer, subscription):
    return reverse(f"portal:{name}", kwargs={"tenant_id": customer.tenant_id, "subscription_id": subscription.pk})


@pytest.fixture
def theirs(other_partner):
    """Another partner's customer and subscription (the agent's partner has no relationship with it)."""
    customer = factories.CustomerFactory(company_name="Northwind")
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    return make_subscription(customer, "m365-business-basic", partner=other_partner)


@pytest.mark.parametrize("name", STEPS)
def test_another_partners_subscription_is_404(agent_client, theirs, name):
    assert agent_client.get(step_url(name, theirs.customer, theirs), {"target": "o365-e3"}).status_code == 404


@pytest.mark.parametrize("name", STEPS)
def test_subscription_another_partner_sold_to_my_customer_is_404(agent_client, customer, other_partner, name):
    sold_by_them = make_subscription(customer, "m365-business-basic", partner=other_partner)
    assert agent_client.get(step_url(name, customer, sold_by_them), {"target": "o365-e3"}).status_code == 404


def test_subscription_under_the_wrong_customer_is_404(agent_client, partner, customer, source):
    mine_too = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=mine_too)
    assert agent_client.get(step_url("upgrade_targets", mine_too, source)).status_code == 404


def test_post_to_another_partners_subscription_is_404(agent_client, theirs):
    response = agent_client.post(
        step_url("upgrade_review", theirs.customer, theirs),
        {
            "target": "o365-e3",
            "quantity": 10,
            "billing_cycle": "monthly",
            "submission": "00000000-0000-4000-8000-000000000002",
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"


@pytest.mark.parametrize("name", STEPS)
def test_billing_admin_is_403(client, partner, customer, source, name):
    client.force_login(factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]))
    assert client.get(step_url(name, customer, source), {"target": "o365-e3"}).status_code == 403


def test_billing_admin_cannot_post_an_upgrade(client, partner, customer, source):
    client.force_login(factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]))
    response = client.post(
        step_url("upgrade_review", customer, source),
        {
            "target": "o365-e3",
            "quantity": 10,
            "billing_cycle": "monthly",
            "submission": "00000000-0000-4000-8000-000000000003",
        },
    )
    assert response.status_code == 403


def test_anonymous_is_sent_to_sign_in(client, customer, source):
    response = client.get(step_url("upgrade_targets", customer, source))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_result_page_of_another_partners_upgrade_is_404(agent_client, other_partner, theirs):
    their_agent = factories.PartnerUserFactory(partner=other_partner, roles=["admin_agent"])
    grant_gdap(partner=other_partner, customer=theirs.customer, user=their_agent)
    result = subscription_upgrade(actor=their_agent, subscription_id=theirs.pk, target_offer_id="o365-e3")
    url = reverse("portal:upgrade_result", kwargs={"operation_id": result.operation_id})
    assert agent_client.get(url).status_code == 404
    assert str(result.operation_id) not in agent_client.get(reverse("portal:upgrade_list")).content.decode()


def test_upgrades_list_is_scoped_and_flat(agent_client, agent, partner, other_partner):
    def upgrade_some(count):
        for _ in range(count):
            customer = factories.CustomerFactory()
            factories.RelationshipFactory(partner=partner, customer=customer)
            grant_gdap(partner=partner, customer=customer, user=agent)
            source = make_subscription(customer, "m365-business-basic", partner=partner)
            subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id="o365-e1")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get(reverse("portal:upgrade_list"))
        assert response.status_code == 200
        return len(captured), len(response.context["operations"])

    upgrade_some(2)
    small, rows = queries()
    assert rows == 2
    upgrade_some(8)
    large, rows = queries()
    assert rows == 10 and large == small
