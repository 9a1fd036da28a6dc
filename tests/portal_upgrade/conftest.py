"""Fixtures of the portal upgrade pages: a signed-in partner agent with license-writing GDAP access."""

from datetime import date

import pytest

from tests import factories
from tests.builders import grant_gdap, make_subscription

TODAY = date(2025, 3, 11)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Billing periods depend on the day: fix it so the expected amounts are stable."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


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
def source(customer, partner):
    return make_subscription(
        customer,
        "m365-business-basic",
        partner=partner,
        quantity=10,
        term_start_date=date(2025, 3, 1),
        commitment_end_date=date(2026, 2, 28),
    )


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client
