"""The selector: scoped loading, errors naming the field, and a query count flat in the customer's size."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from commerce.selectors import transition_eligibilities_for
from core.errors import InvalidInput, NotFound
from tests import factories
from tests.builders import grant_gdap, tokens_just_used
from tests.builders import nce_subscription as nce

pytestmark = pytest.mark.django_db


def read(actor, subscription, eligibility_type="immediate", **kwargs):
    return transition_eligibilities_for(
        actor=actor,
        customer_tenant_id=subscription.customer.tenant_id,
        subscription_id=subscription.pk,
        eligibility_type=eligibility_type,
        **kwargs,
    )


def test_the_targets_and_their_types(agent, source):
    items = read(agent, source)
    assert [item.target.offer_id for item in items] == [
        "m365-business-standard",
        "o365-e1",
        "o365-e3",
        "o365-e5",
    ]
    assert all(d.is_eligible for item in items for d in item.eligibilities)


def test_another_partners_subscription_is_not_found(agent, other_partner):
    customer = factories.CustomerFactory()
    theirs = nce(customer, "m365-business-basic", partner=other_partner)
    with pytest.raises(NotFound):
        read(agent, theirs)


def test_the_wrong_customer_is_not_found(agent, partner, source):
    elsewhere = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=elsewhere)
    with pytest.raises(NotFound):
        transition_eligibilities_for(
            actor=agent,
            customer_tenant_id=elsewhere.tenant_id,
            subscription_id=source.pk,
            eligibility_type="immediate",
        )


def test_a_malformed_id_is_not_found(agent, source):
    with pytest.raises(NotFound):
        transition_eligibilities_for(
            actor=agent, customer_tenant_id=source.customer.tenant_id, subscription_id="nope", eligibility_type=""
        )


def test_bad_parameters_name_their_field(agent, source):
    with pytest.raises(InvalidInput) as bad_type:
        read(agent, source, "later")
    assert bad_type.value.field == "eligibilityType"
    with pytest.raises(InvalidInput) as bad_term:
        read(agent, source, term_duration="P5Y")
    assert bad_term.value.field == "termDuration"


def customer_with(partner, agent, count: int):
    """A customer whose new commerce Business Basic has ``count - 1`` neighbours (merge targets, conflicts...)."""
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    source = nce(customer, "m365-business-basic", partner=partner)
    offers = ["o365-e3", "o365-e1", "m365-business-standard", "o365-e5"]
    for n in range(count - 1):
        nce(customer, offers[n % len(offers)], partner=partner, commitment_end_date=date(2026, 12, 1 + n % 28))
    return source


def queries(actor, source, eligibility_type) -> int:
    actor = User.objects.get(pk=actor.pk)  # no cached roles
    with CaptureQueriesContext(connection) as captured:
        items = read(actor, source, eligibility_type)
    assert len(items) == 4
    return len(captured)


@pytest.mark.parametrize("eligibility_type", ["immediate", "scheduled"])
def test_the_query_count_does_not_grow_with_the_customer(partner, agent, eligibility_type):
    small = customer_with(partner, agent, 2)
    large = customer_with(partner, agent, 20)
    assert large.customer.subscriptions.count() == 20
    assert queries(agent, small, eligibility_type) == queries(agent, large, eligibility_type)
    assert queries(agent, large, eligibility_type) <= 16


def test_the_api_query_count_does_not_grow_with_the_customer(partner, agent):
    from tests.builders import api_for, sub_url

    api = api_for(user=agent)
    counts = []
    for source in (customer_with(partner, agent, 2), customer_with(partner, agent, 20)):
        tokens_just_used()
        with CaptureQueriesContext(connection) as captured:
            response = api.get(sub_url(source, "/transitionEligibilities?eligibilityType=immediate"))
        assert response.status_code == 200
        counts.append(len(captured))
    e3 = response.json()["items"][2]
    assert len(e3["subscriptionEligibilities"]) == 5  # n = 0, 4, 8, 12, 16 of the 19 neighbours
    assert counts[0] == counts[1]
