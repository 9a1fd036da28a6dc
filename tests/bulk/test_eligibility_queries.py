"""Bulk eligibility costs the same number of queries for 5 and 100 subscriptions (one batch context load), and
answers exactly what the single-subscription selectors answer, item by item."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from bulk.models import UpgradeBatch, UpgradeBatchItem
from bulk.processing import upgrade_batch_chunk_process
from bulk.selectors import upgrade_eligibility_for_many
from catalog.api.serializers import OfferSerializer
from tests import factories
from tests.builders import ELIGIBILITY, make_subscription, make_upgradable, tokens_just_used
from upgrades.models import UpgradeOperation
from upgrades.selectors import upgrade_option_for, upgrade_options_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(partner, other_partner, sales_agent):
    """100 upgradable subscriptions in 100 customers, with variety: conflicts held through other channels,
    an add-on, a suspended source, an open operation, a customer without delegated access; plus one direct
    subscription (visible, not upgradable) and one of another partner (not visible)."""
    upgradables = [make_upgradable(partner=partner, agent=sales_agent, licensed=0) for _ in range(100)]
    for n, upgradable in enumerate(upgradables):
        customer, source = upgradable.customer, upgradable.subscription
        if n % 7 == 1:
            make_subscription(customer, "o365-e1", channel="direct", payment_method="credit_card")
        if n % 11 == 2:
            make_subscription(customer, "audio-conferencing", partner=partner, parent=source)
        if n % 13 == 3:
            UpgradeOperation.objects.create(
                source=source,
                target_offer_id="o365-e3",
                customer=customer,
                partner=partner,
                upgrade_type="upgrade_only",
                quantity=10,
                billing_cycle="monthly",
                status="in_progress",
            )
        if n % 17 == 4:
            customer.dap_grants.update(enabled=False)
        if n % 19 == 5:
            source.status = "suspended"
            source.save(update_fields=["status"])
    refs = [(u.customer.tenant_id, u.subscription.pk) for u in upgradables]
    direct = make_subscription(
        upgradables[0].customer, "m365-business-basic", channel="direct", payment_method="invoice"
    )
    foreign = factories.SubscriptionFactory(partner=other_partner)
    return refs, (upgradables[0].customer.tenant_id, direct.pk), (foreign.customer.tenant_id, foreign.pk)


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def _signature(option) -> tuple:
    return (
        option.target_offer.pk if option.target_offer is not None else None,
        option.upgrade_type,
        option.is_eligible,
        option.quantity,
        tuple(e.as_dict()["code"] for e in option.errors),
        tuple(str(e.additional_details) for e in option.errors),
    )


def test_selector_query_count_is_the_same_for_5_and_100_subscriptions(sales_agent, estate):
    refs, direct, foreign = estate

    def count(pairs):
        actor = User.objects.get(pk=sales_agent.pk)  # no cached roles
        return _queries(lambda: upgrade_eligibility_for_many(actor=actor, subscriptions=pairs))

    assert count(refs[:5]) == count(refs) == count([*refs, direct, foreign, *refs[:3]])


def test_post_query_count_is_the_same_for_5_and_100_subscriptions(api, estate):
    refs, direct, foreign = estate

    def count(pairs):
        body = {"subscriptions": [{"customerId": str(c), "subscriptionId": str(s)} for c, s in pairs]}
        tokens_just_used()
        with CaptureQueriesContext(connection) as captured:
            response = api.post(ELIGIBILITY, body)
        assert response.status_code == 200, response.json()
        assert response.json()["totalCount"] == len(pairs)
        return len(captured)

    assert count(refs[:5]) == count(refs) == count([*refs, direct, foreign])


def test_answers_what_the_single_selector_answers(sales_agent, estate):
    refs, direct, foreign = estate
    pairs = [*refs, direct, foreign, refs[0], (refs[1][0], uuid.uuid4())]
    entries = upgrade_eligibility_for_many(actor=sales_agent, subscriptions=pairs, billing_cycle="annual")
    assert [(e.customer_tenant_id, e.subscription_id) for e in entries] == pairs
    for entry in entries[:100]:
        assert entry.error is None
        single = upgrade_options_for(actor=sales_agent, subscription=entry.subscription_id, billing_cycle="annual")
        assert [_signature(o) for o in entry.options] == [_signature(o) for o in single]
    codes = {code for entry in entries[:100] for option in entry.options for code in _signature(option)[4]}
    assert {1, 2, 3, 4, 6} <= codes  # the fixture's variety is really exercised
    assert any(option.is_eligible for entry in entries[:100] for option in entry.options)
    not_upgradable, invisible, repeated, unknown = entries[100:]
    assert not_upgradable.error.error_name == "not_found" and str(direct[1]) in not_upgradable.error.message
    assert invisible.error.error_name == "not_found" and unknown.error.error_name == "not_found"
    assert [_signature(o) for o in repeated.options] == [_signature(o) for o in entries[0].options]


def _dry_run(actor, pairs, targets) -> UpgradeBatch:
    batch = UpgradeBatch.objects.create(
        partner_id=actor.partner_id, dry_run=True, total_items=len(pairs), created_by_user=actor
    )
    UpgradeBatchItem.objects.bulk_create(
        [
            UpgradeBatchItem(
                batch=batch,
                position=n,
                customer_tenant_id=customer,
                subscription_id=subscription,
                target_offer_id=targets[n % len(targets)],
            )
            for n, (customer, subscription) in enumerate(pairs)
        ]
    )
    return batch


def test_dry_run_chunk_loads_every_context_at_once(sales_agent, estate):
    refs, direct, foreign = estate
    targets = ["o365-e3", "m365-e5", "o365-e1", "no-such-offer"]
    small = _dry_run(sales_agent, [*refs[:5], direct, foreign], targets)
    large = _dry_run(sales_agent, [*refs, direct, foreign], targets)

    def run(batch):
        return _queries(
            lambda: upgrade_batch_chunk_process(batch_id=batch.pk, first_position=0, last_position=batch.total_items)
        )

    # The claims, the evaluation (one batch load) and the outcomes cost the same for 28 and 408 items.
    assert run(large) == run(small)

    for item in UpgradeBatchItem.objects.filter(batch=large).order_by("position"):
        if item.subscription_id in (direct[1], foreign[1]):
            assert item.status == "failed" and item.result["fault"]["errorName"] == "not_found"
            continue
        option = upgrade_option_for(
            actor=sales_agent, subscription=item.subscription_id, target_offer_id=item.target_offer_id
        )
        assert item.result["isEligible"] is option.is_eligible
        assert item.status == ("succeeded" if option.is_eligible else "failed")
        assert [e["code"] for e in item.result["upgradeErrors"]] == [int(e.code) for e in option.errors]


def test_post_renders_each_distinct_target_offer_once(api, estate, monkeypatch):
    refs, _direct, _foreign = estate
    rendered = []
    real = OfferSerializer.to_representation

    def counting(self, offer):
        rendered.append(offer.pk)
        return real(self, offer)

    monkeypatch.setattr(OfferSerializer, "to_representation", counting)
    body = {"subscriptions": [{"customerId": str(c), "subscriptionId": str(s)} for c, s in refs]}
    response = api.post(ELIGIBILITY, body)
    assert response.status_code == 200, response.json()
    offers = [
        option["targetOffer"]["id"]
        for entry in response.json()["items"]
        for option in entry["upgrades"]["items"]
        if option["targetOffer"]
    ]
    assert len(offers) > len(set(offers))  # many options share a few offers
    assert sorted(rendered) == sorted(set(offers))  # each rendered once
    options = [o for e in response.json()["items"] for o in e["upgrades"]["items"] if o["targetOffer"]]
    first = {o["targetOffer"]["id"]: o["targetOffer"] for o in options}
    assert all(o["targetOffer"] == first[o["targetOffer"]["id"]] for o in options)  # the same full rendering
