"""Fixtures for the /v1/ API tests: two partners, tokens, a customer with subscriptions and licenses."""

import pytest

from tests import factories


@pytest.fixture
def customer(partner):
    customer = factories.CustomerFactory(company_name="Fabrikam", domain="fabrikam.onmicrosoft.com")
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.DapGrantFactory(partner=partner, customer=customer)
    return customer


@pytest.fixture
def subscription(partner, customer):
    return factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id="m365-business-basic", quantity=10
    )


@pytest.fixture
def other_customer(other_partner):
    customer = factories.CustomerFactory(company_name="Wingtip client")
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    return customer


@pytest.fixture
def other_subscription(other_partner, other_customer):
    return factories.SubscriptionFactory(customer=other_customer, partner=other_partner)
