"""Fixtures of the partner's CSP Office 365 E4 replacement: Contoso sold Fabrikam a 10-license E4 (monthly),
three users hold a license; a Contoso admin agent replaces it."""

from datetime import UTC, datetime

import pytest

from customers.models import TenantUser
from subscriptions.models import LicenseAssignment
from tests import factories
from tests.builders import direct_subscription

TODAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def partner(db):
    return factories.PartnerFactory(code="contoso-csp", name="Contoso CSP")


@pytest.fixture
def customer(partner):
    customer = factories.CustomerFactory(company_name="Fabrikam AB", country="SE")
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(
        partner=partner, roles=["admin_agent"], username="agent", email="agent@contoso.com"
    )


@pytest.fixture
def billing_admin(partner):
    return factories.PartnerUserFactory(partner=partner, roles=["billing_admin"], username="billing")


@pytest.fixture
def other_agent(db):
    return factories.PartnerUserFactory(roles=["admin_agent"], username="other")


@pytest.fixture
def csp_e4(customer, partner):
    e4 = direct_subscription(customer, channel="csp", partner=partner, payment_method="", quantity=10)
    users = TenantUser.objects.bulk_create(
        [TenantUser(customer=customer, user_principal_name=f"user{i}@fabrikam.se") for i in range(3)]
    )
    LicenseAssignment.objects.bulk_create(
        [LicenseAssignment(user=u, subscription=e4, disabled_service_plans=["MCOVOICECONF"]) for u in users]
    )
    return e4


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, when: datetime) -> None:
        self.monkeypatch.setattr("django.utils.timezone.now", lambda: when)


@pytest.fixture
def clock(monkeypatch):
    """``timezone.now()`` frozen at TODAY (``clock.set`` travels)."""
    clock = Clock(monkeypatch)
    clock.set(TODAY)
    return clock
