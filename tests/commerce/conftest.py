"""Fixtures of the new commerce tests: an agent with license-writing GDAP access and a new commerce source."""

import pytest

from tests import factories
from tests.builders import api_for, gdap_customer, nce_subscription


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])


@pytest.fixture
def customer(partner, agent):
    return gdap_customer(partner=partner, agent=agent)


@pytest.fixture
def source(customer, partner):
    return nce_subscription(customer, "m365-business-basic", partner=partner, quantity=10)


@pytest.fixture
def agent_api(agent):
    return api_for(user=agent)
