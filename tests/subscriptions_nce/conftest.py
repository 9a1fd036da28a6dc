"""Fixtures for the new commerce lifecycle tests: a customer of the partner and a builder of new commerce
subscriptions (Business Basic, one year billed monthly, 10 seats, bought on 2026-03-01 unless told)."""

from datetime import UTC, date, datetime

import pytest

from tests import factories


@pytest.fixture
def customer(partner):
    customer = factories.CustomerFactory(company_name="Fabrikam", domain="fabrikam.onmicrosoft.com")
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.DapGrantFactory(partner=partner, customer=customer)
    return customer


@pytest.fixture
def make_nce(partner, customer):
    def make(**fields):
        values = {
            "customer": customer,
            "partner": partner,
            "offer_id": "m365-business-basic",
            "quantity": 10,
            "commerce": "new",
            "term_duration": "P1Y",
            "billing_cycle": "monthly",
            "term_start_date": date(2026, 3, 1),
            "commitment_end_date": date(2027, 2, 28),
            "cancellation_allowed_until": datetime(2026, 3, 8, tzinfo=UTC),
            "refundable_quantity": 10,
        }
        values.update(fields)
        return factories.SubscriptionFactory(**values)

    return make


@pytest.fixture
def nce(make_nce):
    return make_nce()
