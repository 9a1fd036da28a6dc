"""Fixtures of the upgrades tests: a partner agent with license-writing GDAP access to a customer."""

import pytest

from tests import factories
from tests.builders import grant_gdap, make_subscription


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(
        partner=partner, username="agent", email="agent@contoso-csp.example", roles=["admin_agent"]
    )


@pytest.fixture
def customer(partner, agent):
    customer = factories.CustomerFactory(company_name="Fabrikam", domain="fabrikam.onmicrosoft.com")
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    return customer


@pytest.fixture
def india_customer(partner, agent):
    customer = factories.CustomerFactory(company_name="Tata Demo", domain="tatademo.onmicrosoft.com", country="IN")
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    return customer


@pytest.fixture
def source(customer, partner):
    return make_subscription(customer, "m365-business-basic", partner=partner, quantity=10)
