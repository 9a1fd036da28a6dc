"""POST /v1/upgradeBatches with new commerce items (domain.md §8): ``transition`` and ``scheduledChange`` items
beside legacy upgrades; validation naming ``items[i].field``; processing (eager Celery) through the commerce and
subscriptions services; dry run; retries; another partner's subscription."""

import pytest

from audit.models import AuditRecord
from bulk.models import UpgradeBatchItem
from bulk.processing import upgrade_batch_chunk_process
from commerce.models import Transition
from subscriptions.models import Subscription
from tests import factories
from tests.builders import BATCHES, assert_fault, items_of, make_upgradable, run_batch
from tests.builders import nce_subscription as nce

from .conftest import E3, STANDARD

pytestmark = pytest.mark.django_db

INSTRUCTIONS = {
    "product": {**STANDARD, "billingCycle": "annual", "termDuration": "P1Y"},
    "quantity": 5,
    "customTermEndDate": None,
}


def transition_item(subscription, **extra):
    return {
        "kind": "transition",
        "customerId": str(subscription.customer.tenant_id),
        "subscriptionId": str(subscription.pk),
        "toCatalogItemId": E3,
        **extra,
    }


def scheduled_item(subscription, instructions=INSTRUCTIONS):
    return {
        "kind": "scheduledChange",
        "customerId": str(subscription.customer.tenant_id),
        "subscriptionId": str(subscription.pk),
        "scheduledNextTermInstructions": instructions,
    }


def upgrade_item(upgradable):
    return {
        "customerId": str(upgradable.customer.tenant_id),
        "subscriptionId": str(upgradable.subscription.pk),
        "targetOfferId": "o365-e3",
    }


def test_bad_items_are_400_naming_the_item_and_its_field(agent_api, customer, partner):
    source = nce(customer, partner=partner)
    body = {
        "items": [
            transition_item(source),  # fine
            transition_item(source, toCatalogItemId="not-an-item"),
            transition_item(source, quantity=0),
            transition_item(source, termDuration="P2Y"),
            scheduled_item(source, {**INSTRUCTIONS, "product": {**INSTRUCTIONS["product"], "skuId": ""}}),
            {**scheduled_item(source), "scheduledNextTermInstructions": None},
            {**transition_item(source), "kind": "downgrade"},
            {"kind": "transition", "customerId": str(customer.tenant_id), "subscriptionId": str(source.pk)},
        ]
    }
    response = agent_api.post(BATCHES, body)
    fault = assert_fault(response, 400)
    text = " ".join(fault["data"])
    for path in (
        "items[1].toCatalogItemId",
        "items[2].quantity",
        "items[3].termDuration",
        "items[4].scheduledNextTermInstructions.product.skuId",
        "items[5].scheduledNextTermInstructions",
        "items[6].kind",
        "items[7].toCatalogItemId",
    ):
        assert path in text, text
    assert "items[0]" not in text
    assert not UpgradeBatchItem.objects.exists()


def test_each_kind_is_accepted_and_stored(agent_api, customer, partner):
    first, second = nce(customer, partner=partner), nce(customer, partner=partner)
    response = agent_api.post(
        BATCHES,
        {"items": [transition_item(first, quantity=4, transitionType="transition_only"), scheduled_item(second)]},
    )
    assert response.status_code == 202, response.json()
    items = list(UpgradeBatchItem.objects.order_by("position"))
    assert [(i.kind, i.target_offer_id, i.quantity) for i in items] == [
        ("transition", "o365-e3", 4),
        ("scheduledChange", "m365-business-standard", 5),
    ]
    assert items[0].request == {
        "toCatalogItemId": E3,
        "toSubscriptionId": None,
        "quantity": 4,
        "termDuration": None,
        "billingCycle": None,
        "transitionType": "transition_only",
    }
    assert items[1].request == {
        "scheduledNextTermInstructions": {
            "product": {
                "productId": "CFQ7TTC0LDPB",
                "skuId": "0001",
                "availabilityId": "DZH318Z0BPS6",
                "billingCycle": "annual",
                "termDuration": "P1Y",
            },
            "quantity": 5,
            "customTermEndDate": None,
        }
    }


def test_a_mixed_batch_runs_each_item_through_its_service(
    agent_api, agent, customer, partner, django_capture_on_commit_callbacks
):
    upgradable = make_upgradable(partner=partner, agent=agent, licensed=2)
    source = nce(customer, partner=partner)
    renewing = nce(customer, partner=partner)
    not_renewing = nce(customer, partner=partner, auto_renew=False)
    body = {
        "items": [
            upgrade_item(upgradable),
            transition_item(source, quantity=4),
            scheduled_item(renewing),
            scheduled_item(not_renewing),  # fails: auto-renew is off
            transition_item(nce(customer, partner=partner), toCatalogItemId="AAAA1111:0001:BBBB2222"),  # unknown
        ]
    }
    batch, _ = run_batch(agent_api, body, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == "partially_succeeded"
    listing = items_of(agent_api, batch)["items"]
    assert [(e["kind"], e["status"]) for e in listing] == [
        ("upgrade", "succeeded"),
        ("transition", "succeeded"),
        ("scheduledChange", "succeeded"),
        ("scheduledChange", "failed"),
        ("transition", "failed"),
    ]
    # the upgrade: as before
    assert listing[0]["result"]["attributes"] == {"objectType": "UpgradeResult"}
    assert Subscription.objects.get(pk=listing[0]["result"]["targetSubscriptionId"]).offer_id == "o365-e3"
    # the transition: 4 seats moved to a new Office 365 E3 subscription; the source keeps 6
    transition = Transition.objects.get(source=source)
    source.refresh_from_db()
    assert (source.status, source.quantity) == ("active", 6)
    assert (transition.target.offer_id, transition.target.quantity) == ("o365-e3", 4)
    result = listing[1]["result"]
    assert result["attributes"] == {"objectType": "Transition"}
    assert (result["id"], result["toCatalogItemId"], result["quantity"], result["status"]) == (
        str(transition.pk),
        E3,
        4,
        "completed",
    )
    assert listing[1]["transitionId"] == str(transition.pk) and listing[1]["error"] is None
    assert transition.request_id == f"batch:{batch.pk}:1"
    # the scheduled change: the subscription carries it
    renewing.refresh_from_db()
    assert renewing.scheduled_next_term_instructions == INSTRUCTIONS
    assert listing[2]["result"] == {"subscriptionId": str(renewing.pk), "scheduledNextTermInstructions": INSTRUCTIONS}
    # the failures: faults naming why, the other items untouched by them
    assert listing[3]["result"] is None
    assert listing[3]["error"]["code"] == 400
    assert "auto-renew" in listing[3]["error"]["description"]
    assert listing[4]["error"]["data"] == ["toCatalogItemId: unknown catalog item AAAA1111:0001:BBBB2222."]
    not_renewing.refresh_from_db()
    assert not_renewing.scheduled_next_term_instructions is None
    assert AuditRecord.objects.filter(resource_type="subscription", operation_type="update_subscription").count() == 1


def test_a_dry_run_changes_nothing(agent_api, customer, partner, django_capture_on_commit_callbacks):
    source = nce(customer, partner=partner)
    renewing = nce(customer, partner=partner)
    not_renewing = nce(customer, partner=partner, auto_renew=False)
    body = {
        "dryRun": True,
        "items": [
            transition_item(source, quantity=4),
            transition_item(source, toCatalogItemId="CFQ7TTC0LH18:0001:DZH318Z0BQ3Q"),  # itself: not a target
            scheduled_item(renewing),
            scheduled_item(not_renewing),
        ],
    }
    audits = AuditRecord.objects.count()
    batch, _ = run_batch(agent_api, body, django_capture_on_commit_callbacks)
    listing = items_of(agent_api, batch)["items"]
    assert [e["status"] for e in listing] == ["succeeded", "failed", "succeeded", "failed"]
    assert listing[0]["result"] == {
        "subscriptionId": str(source.pk),
        "toCatalogItemId": E3,
        "transitionType": "transition_only",
        "isEligible": True,
        "errors": [],
    }
    assert listing[1]["result"]["isEligible"] is False
    assert [e["code"] for e in listing[1]["result"]["errors"]] == [8]
    assert listing[2]["result"]["isEligible"] is True
    assert "auto-renew" in listing[3]["error"]["description"]
    assert not Transition.objects.exists()
    source.refresh_from_db()
    renewing.refresh_from_db()
    assert (source.status, source.quantity) == ("active", 10)
    assert renewing.scheduled_next_term_instructions is None
    assert AuditRecord.objects.count() == audits + 1  # the batch's own record only


def test_a_retried_chunk_does_not_transition_twice(agent_api, customer, partner, django_capture_on_commit_callbacks):
    source = nce(customer, partner=partner)
    batch, _ = run_batch(
        agent_api, {"items": [transition_item(source, quantity=4)]}, django_capture_on_commit_callbacks
    )
    counts = upgrade_batch_chunk_process(batch_id=batch.pk, first_position=0, last_position=1)
    assert counts == {}  # nothing claimable: the finished item is not pending
    assert Transition.objects.filter(source=source).count() == 1
    source.refresh_from_db()
    assert source.quantity == 6
    item = UpgradeBatchItem.objects.get(batch=batch)
    assert (item.status, item.attempts) == ("succeeded", 1)


def test_another_partners_subscription_fails_as_not_found(
    agent_api, customer, partner, other_partner, django_capture_on_commit_callbacks
):
    foreign_customer = factories.CustomerFactory(company_name="Wingtip's client")
    factories.RelationshipFactory(partner=other_partner, customer=foreign_customer)
    foreign = nce(foreign_customer, partner=other_partner, quantity=7)
    body = {"items": [transition_item(foreign), scheduled_item(foreign)]}
    batch, _ = run_batch(agent_api, body, django_capture_on_commit_callbacks)
    listing = items_of(agent_api, batch)["items"]
    # listed twice: the second occurrence is skipped as a duplicate; the first fails as not found
    assert [e["status"] for e in listing] == ["failed", "skipped"]
    error = listing[0]["error"]
    assert (error["code"], error["errorName"]) == (404, "not_found")
    assert listing[0]["result"] is None
    text = str(listing)
    assert "Wingtip's client" not in text and "m365-business-basic" not in text
    foreign.refresh_from_db()
    assert (foreign.quantity, foreign.scheduled_next_term_instructions) == (7, None)
    assert not Transition.objects.exists()
