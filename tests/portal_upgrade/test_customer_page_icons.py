"""The upgrade icon beside each subscription on the customer page (domain.md §5)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.builders import make_subscription

pytestmark = pytest.mark.django_db


def page(client, customer):
    return client.get(reverse("portal:customer_detail", kwargs={"tenant_id": customer.tenant_id}))


def icons(content: str) -> dict[str, str]:
    """subscription id → "available" | "blocked" for every upgrade icon on the page."""
    return {
        sub: state
        for sub, state in re.findall(r'/subscriptions/([0-9a-f-]{36})/upgrade/" data-upgrade="(\w+)"', content)
    }


def test_icon_only_for_subscriptions_with_paths_that_this_partner_sold(
    agent_client, customer, partner, other_partner, source
):
    no_path = make_subscription(customer, "o365-e1", partner=partner, quantity=3)
    suspended = make_subscription(customer, "m365-business-standard", partner=partner, status="suspended")
    theirs = make_subscription(customer, "m365-apps-for-business", partner=other_partner)
    direct = make_subscription(customer, "m365-apps-for-business", channel="direct", payment_method="credit_card")

    content = page(agent_client, customer).content.decode()

    shown = icons(content)
    assert shown == {str(source.pk): "available", str(suspended.pk): "blocked"}
    for hidden in (no_path, theirs, direct):
        assert f"/subscriptions/{hidden.pk}/upgrade/" not in content
    # The greyed icon's tooltip says why.
    tooltip = re.search(rf'{suspended.pk}/upgrade/" data-upgrade="blocked" title="([^"]+)"', content).group(1)
    assert "Only an active subscription can be upgraded." in tooltip


def test_greyed_when_every_target_is_blocked_by_the_customer(agent_client, customer, partner, source):
    # Without an active delegated admin relationship every target carries code 1.
    customer.gdap_relationships.update(status="terminated")
    content = page(agent_client, customer).content.decode()
    assert icons(content) == {str(source.pk): "blocked"}
    assert "no active delegated admin relationship" in content


def test_billing_admin_sees_no_upgrade_icon(client, partner, customer, source):
    billing = factories.PartnerUserFactory(partner=partner, roles=["billing_admin"])
    client.force_login(billing)
    response = page(client, customer)
    assert response.status_code == 200 and icons(response.content.decode()) == {}


def test_icons_cost_the_same_queries_for_10_and_50_subscriptions(agent_client, customer, partner, other_partner):
    offers = ["m365-business-basic", "m365-business-standard", "m365-apps-for-business", "o365-e1", "o365-e5"]

    def add(count):
        for n in range(count):
            make_subscription(customer, offers[n % len(offers)], partner=partner, quantity=5)
            make_subscription(customer, offers[n % len(offers)], partner=other_partner, quantity=5)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = page(agent_client, customer)
        assert response.status_code == 200
        return len(captured), len(icons(response.content.decode()))

    add(10)
    small, small_icons = queries()
    add(40)
    large, large_icons = queries()
    assert (small_icons, large_icons) == (6, 30)  # 3 of every 5 offers have upgrade paths
    assert large == small


@pytest.mark.django_db
def test_a_cancelled_subscription_gets_no_upgrade_state():
    from upgrades.preview import upgrade_states_for

    partner = factories.PartnerFactory()
    agent = factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.DapGrantFactory(partner=partner, customer=customer)
    live = factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="m365-business-basic")
    cancelled = factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id="m365-business-basic", status="deleted"
    )
    states = upgrade_states_for(actor=agent, subscriptions=[live, cancelled])
    assert live.pk in states and cancelled.pk not in states
