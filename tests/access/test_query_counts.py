"""Scoping selectors cost the same number of queries for 10 and for 1,000 customers."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer, ResellerRelationship
from customers.selectors import customers_manageable_by, customers_visible_to
from delegation.models import DapGrant
from delegation.services import grants_resync
from partners.models import SecurityGroup
from subscriptions.models import Subscription
from subscriptions.selectors import subscription_list_for_customer, subscriptions_visible_to
from tests import factories


def populate(partner, n: int):
    customers = Customer.objects.bulk_create(
        [
            Customer(
                tenant_id=uuid.uuid4(),
                domain=f"qc{partner.pk}-{n}-{i}.onmicrosoft.com",
                company_name=f"QC {i:05d}",
                country="US",
            )
            for i in range(n)
        ]
    )
    ResellerRelationship.objects.bulk_create([ResellerRelationship(partner=partner, customer=c) for c in customers])
    DapGrant.objects.bulk_create([DapGrant(partner=partner, customer=c, enabled=True) for c in customers])
    Subscription.objects.bulk_create(
        [
            Subscription(
                customer=c,
                offer_id="m365-business-basic",
                quantity=5,
                status="active",
                provisioning_state="provisioned",
                channel="csp",
                partner=partner,
                billing_cycle="monthly",
                term_start_date="2025-01-01",
                commitment_end_date="2025-12-31",
            )
            for c in customers
        ]
    )
    grants_resync(partner=partner)  # bulk writes bypass signals: the import path
    return customers


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.fixture
def agents(db):
    small = factories.PartnerFactory(code="small-csp")
    big = factories.PartnerFactory(code="big-csp")
    result = {}
    for partner, n in ((small, 10), (big, 1000)):
        agent = factories.PartnerUserFactory(partner=partner, username=f"agent-{partner.code}", roles=["admin_agent"])
        SecurityGroup.objects.create(partner=partner, name=SecurityGroup.ADMIN_AGENTS).members.add(agent)
        result[n] = (agent, populate(partner, n))
    return result


def test_customer_scopes_are_one_query_whatever_the_size(agents):
    counts = {}
    for n, (cached_agent, _customers) in agents.items():
        agent = type(cached_agent).objects.get(pk=cached_agent.pk)
        visible = count(lambda agent=agent: list(customers_visible_to(agent).order_by("company_name")[:50]))
        manageable = count(lambda agent=agent: list(customers_manageable_by(agent)))
        assert customers_visible_to(agent).count() == n
        assert customers_manageable_by(agent).count() == n
        counts[n] = (visible, manageable)
    assert counts[10] == counts[1000] == (1, 1)


def test_subscription_selectors_are_flat(agents):
    counts = {}
    for n, (cached_agent, customers) in agents.items():
        agent = type(cached_agent).objects.get(pk=cached_agent.pk)
        listing = count(
            lambda agent=agent: list(subscriptions_visible_to(agent).select_related("customer", "offer")[:100])
        )
        page = count(lambda agent=agent, first=customers[0]: list(subscription_list_for_customer(agent, first)))
        assert subscriptions_visible_to(agent).count() == n
        counts[n] = (listing, page)
    assert counts[10] == counts[1000] == (1, 1)


def test_grants_resync_query_count_does_not_grow_with_customers(agents):
    counts = {n: count(lambda a=agent: grants_resync(partner=a.partner)) for n, (agent, _c) in agents.items()}
    assert counts[10] == counts[1000]
