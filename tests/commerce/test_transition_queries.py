"""A transition with license transfer is set-based: its statement count does not depend on the number of users
(bench/transition.py checks 4,000 of 10,000 against 40 of 100 the same way)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.services import subscription_transition
from subscriptions.models import LicenseAssignment
from tests import factories
from tests.builders import add_users, grant_gdap
from tests.builders import nce_subscription as nce

pytestmark = pytest.mark.django_db

E3 = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"


def source_with(partner, agent, users: int):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    source = nce(customer, "m365-business-basic", partner=partner, quantity=users)
    people = add_users(source, users - users // 10)
    people += add_users(source, users // 10, disabled=["EXCHANGE_S_STANDARD"], prefix="d")
    return source, people


def queries_of(agent, source, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        row = subscription_transition(
            actor=agent,
            subscription_id=source.pk,
            to_catalog_item_id=E3,
            transition_type="transition_with_license_transfer",
            **kwargs,
        )
    assert LicenseAssignment.objects.filter(subscription=row.target).count() == kwargs["quantity"]
    return len(queries)


def test_those_assigned_last_40_of_100_as_4_of_10(agent, partner):
    warm_up, _ = source_with(partner, agent, 10)
    queries_of(agent, warm_up, quantity=4)
    small, _ = source_with(partner, agent, 10)
    large, _ = source_with(partner, agent, 100)
    assert queries_of(agent, small, quantity=4) == queries_of(agent, large, quantity=40)


def test_named_users_40_of_100_as_4_of_10(agent, partner):
    warm_up, people = source_with(partner, agent, 10)
    queries_of(agent, warm_up, quantity=4, user_ids=[str(p.object_id) for p in people[:4]])
    small, few = source_with(partner, agent, 10)
    large, many = source_with(partner, agent, 100)
    named_few = [str(p.object_id) for p in few[-4:]]  # some with switched-off plans
    named_many = [str(p.object_id) for p in many[-40:]]
    assert queries_of(agent, small, quantity=4, user_ids=named_few) == queries_of(
        agent, large, quantity=40, user_ids=named_many
    )
