"""Fixtures of the direct (admin center) tests: a Swedish tenant with a directly bought Office 365 E4."""

from datetime import date

import pytest

from subscriptions.models import LicenseAssignment
from tests import factories


def direct_subscription(customer, offer_id="o365-e4", **fields):
    defaults = {
        "customer": customer,
        "offer_id": offer_id,
        "quantity": 10,
        "channel": "direct",
        "partner": None,
        "channel_partner_name": "",
        "payment_method": "credit_card",
        "billing_cycle": "monthly",
        "term_start_date": date(2026, 1, 1),
        "commitment_end_date": date(2026, 12, 31),
    }
    defaults.update(fields)
    return factories.SubscriptionFactory(**defaults)


def assign(subscription, count, *, disabled=()):
    users = factories.TenantUserFactory.create_batch(count, customer=subscription.customer)
    LicenseAssignment.objects.bulk_create(
        [LicenseAssignment(user=u, subscription=subscription, disabled_service_plans=list(disabled)) for u in users]
    )
    return users


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(country="SE", company_name="Fabrikam AB", domain="fabrikam.onmicrosoft.com")


@pytest.fixture
def admin(customer):
    user = factories.UserFactory(username="greta")
    factories.CustomerAdminRoleFactory(user=user, customer=customer, role="global_administrator")
    return user


@pytest.fixture
def e4(customer):
    return direct_subscription(customer)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client
