"""Fixtures for the /v1/ API tests: two partners, tokens, a customer with subscriptions and licenses."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests import factories


@dataclass
class Api:
    """An API client bound to one Bearer token."""

    client: APIClient
    raw_token: str

    def call(
        self,
        method: str,
        path: str,
        data=None,
        *,
        headers: dict | None = None,
        raw_body: str | None = None,
        token: str | None = None,
    ):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token or self.raw_token}"}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        handler = getattr(self.client, method.lower())
        if raw_body is not None:
            return handler(path, data=raw_body, content_type="application/json", **extra)
        if data is None:
            return handler(path, **extra)
        return handler(path, data=data, format="json", **extra)

    def get(self, path, **kwargs):
        return self.call("get", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.call("post", path, data, **kwargs)

    def patch(self, path, data=None, **kwargs):
        return self.call("patch", path, data, **kwargs)


def api_for(*, user=None, partner=None) -> Api:
    _token, raw = ApiToken.issue(user=user, partner=partner)
    return Api(client=APIClient(), raw_token=raw)


@pytest.fixture
def api(sales_agent):
    return api_for(user=sales_agent)


@pytest.fixture
def app_api(partner):
    return api_for(partner=partner)


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


def sub_url(subscription, suffix: str = "") -> str:
    return f"/v1/customers/{subscription.customer.tenant_id}/subscriptions/{subscription.pk}{suffix}"


@dataclass
class Upgradable:
    """A Business Basic subscription of ``partner`` that can be upgraded to Office 365 E3 with license
    transfer (DAP on, the agent in *Admin Agents*), with ``users`` holding a license each."""

    customer: object
    subscription: object
    users: list


def make_upgradable(*, partner, agent, seats: int = 10, licensed: int = 3, customer=None) -> Upgradable:
    customer = customer or factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.DapGrantFactory(partner=partner, customer=customer)
    group = factories.SecurityGroupFactory(partner=partner, name="Admin Agents")
    group.members.add(agent)
    subscription = factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id="m365-business-basic", quantity=seats
    )
    users = [factories.LicenseAssignmentFactory(subscription=subscription).user for _ in range(licensed)]
    return Upgradable(customer=customer, subscription=subscription, users=users)


@pytest.fixture
def upgradable(partner, sales_agent):
    return make_upgradable(partner=partner, agent=sales_agent)
