"""Fixtures of the new commerce batch tests: an admin agent of Contoso with license-writing GDAP access to
Fabrikam, whose new commerce subscriptions (one-year term, billed yearly, ending 2027-01-31) items change."""

import pytest

from tests import factories
from tests.builders import api_for, gdap_customer

BASIC = "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q"
E3 = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"
STANDARD = {"productId": "CFQ7TTC0LDPB", "skuId": "0001", "availabilityId": "DZH318Z0BPS6"}


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])


@pytest.fixture
def customer(partner, agent):
    return gdap_customer(partner=partner, agent=agent)


@pytest.fixture
def agent_api(agent):
    return api_for(user=agent)
