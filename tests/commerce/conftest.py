"""Fixtures of the new commerce tests: an agent with license-writing GDAP access and a new commerce source."""

from datetime import date

import pytest

from tests import factories
from tests.builders import api_for, grant_gdap

TERM_START = date(2026, 2, 1)
TERM_END = date(2027, 1, 31)


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])


@pytest.fixture
def customer(partner, agent):
    customer = factories.CustomerFactory(company_name="Fabrikam", domain="fabrikam.onmicrosoft.com")
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    return customer


def nce(customer, offer_id, *, partner, **fields):
    """A new commerce subscription (one-year term, billed yearly, ending TERM_END unless told)."""
    fields.setdefault("term_duration", "P1Y")
    fields.setdefault("billing_cycle", "annual")
    fields.setdefault("term_start_date", TERM_START)
    fields.setdefault("commitment_end_date", TERM_END)
    return factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id=offer_id, commerce="new", **fields
    )


@pytest.fixture
def source(customer, partner):
    return nce(customer, "m365-business-basic", partner=partner, quantity=10)


@pytest.fixture
def agent_api(agent):
    return api_for(user=agent)
