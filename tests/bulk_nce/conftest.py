"""Fixtures of the new commerce batch tests: an admin agent of Contoso with license-writing GDAP access to
Fabrikam, whose new commerce subscriptions (one-year term, billed yearly, ending 2027-01-31) items change."""

from datetime import date

import pytest

from tests import factories
from tests.builders import api_for, grant_gdap

TERM_START = date(2026, 2, 1)
TERM_END = date(2027, 1, 31)
BASIC = "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q"
E3 = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"
STANDARD = {"productId": "CFQ7TTC0LDPB", "skuId": "0001", "availabilityId": "DZH318Z0BPS6"}


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])


@pytest.fixture
def customer(partner, agent):
    customer = factories.CustomerFactory(company_name="Fabrikam", domain="fabrikam.onmicrosoft.com")
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    return customer


def nce(customer, offer_id="m365-business-basic", *, partner, **fields):
    fields.setdefault("term_duration", "P1Y")
    fields.setdefault("billing_cycle", "annual")
    fields.setdefault("term_start_date", TERM_START)
    fields.setdefault("commitment_end_date", TERM_END)
    fields.setdefault("quantity", 10)
    return factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id=offer_id, commerce="new", **fields
    )


@pytest.fixture
def agent_api(agent):
    return api_for(user=agent)
