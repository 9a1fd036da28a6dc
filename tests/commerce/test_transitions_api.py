"""POST / GET /v1/customers/{id}/subscriptions/{id}/transitions: Partner Center's shape, replay, scoping, errors."""

import pytest

from commerce.models import Transition
from subscriptions.models import Subscription
from tests import factories
from tests.builders import add_users, api_for, assert_fault, sub_url
from tests.builders import nce_subscription as nce

pytestmark = pytest.mark.django_db

BASIC = "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q"
E3 = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"


def post(api, subscription, body, **kwargs):
    return api.post(sub_url(subscription, "/transitions"), body, **kwargs)


def test_post_answers_the_transition_in_partner_centers_shape(agent_api, source):
    add_users(source, 3)
    body = {
        "fromCatalogItemId": BASIC,
        "toCatalogItemId": E3,
        "quantity": 4,
        "termDuration": "P1Y",
        "billingCycle": "annual",
        "transitionType": "transition_with_license_transfer",
    }
    response = post(agent_api, source, body)
    assert response.status_code == 200, response.content
    data = response.json()
    target = Subscription.objects.get(offer_id="o365-e3")
    assert set(data) == {
        "id",
        "fromCatalogItemId",
        "toCatalogItemId",
        "fromSubscriptionId",
        "toSubscriptionId",
        "quantity",
        "termDuration",
        "billingCycle",
        "transitionType",
        "status",
        "creationDate",
        "completedDate",
        "events",
        "existingTarget",
        "licensesMoved",
        "billing",
        "scheduledNextTermInstructionsRemoved",
        "removedScheduledNextTermInstructions",
        "attributes",
    }
    assert data["attributes"] == {"objectType": "Transition"}
    assert (data["fromSubscriptionId"], data["toSubscriptionId"]) == (str(source.pk), str(target.pk))
    assert (data["quantity"], data["status"], data["licensesMoved"]) == (4, "completed", 3)
    assert [(e["name"], e["status"], e["errors"]) for e in data["events"]] == [
        ("Conversion", "Completed", []),
        ("LicenseReassignment", "Completed", []),
    ]
    assert data["scheduledNextTermInstructionsRemoved"] is False


def test_get_lists_the_subscriptions_transitions(agent_api, source):
    post(agent_api, source, {"toCatalogItemId": E3, "quantity": 2})
    post(agent_api, source, {"toCatalogItemId": E3, "quantity": 3})
    response = agent_api.get(sub_url(source, "/transitions"))
    assert response.status_code == 200
    body = response.json()
    assert body["totalCount"] == 2
    assert [item["quantity"] for item in body["items"]] == [3, 2]
    target = Subscription.objects.filter(offer_id="o365-e3").order_by("quantity").first()
    assert [i["quantity"] for i in agent_api.get(sub_url(target, "/transitions")).json()["items"]] == [2]


def test_replayed_request_id_runs_once(agent_api, source):
    headers = {"MS-RequestId": "transition-1"}
    first = post(agent_api, source, {"toCatalogItemId": E3, "quantity": 4}, headers=headers)
    second = post(agent_api, source, {"toCatalogItemId": E3, "quantity": 4}, headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert second["MS-Idempotent-Replay"] == "true"
    assert Transition.objects.count() == 1
    source.refresh_from_db()
    assert source.quantity == 6
    assert Transition.objects.get().request_id == "transition-1"


def test_bad_input_is_a_400_naming_the_field(agent_api, source):
    assert_fault(post(agent_api, source, {"toCatalogItemId": E3, "quantity": 0}), 400, "quantity")
    assert_fault(post(agent_api, source, {"quantity": 1}), 400, "toCatalogItemId")
    assert_fault(post(agent_api, source, {"toCatalogItemId": "X:Y:Z"}), 400, "toCatalogItemId")
    assert_fault(post(agent_api, source, {"toCatalogItemId": E3, "fromCatalogItemId": E3}), 400, "fromCatalogItemId")
    assert_fault(post(agent_api, source, ["not", "an", "object"]), 400, "body")


def test_not_eligible_is_a_409_listing_every_reason(agent_api, customer, partner, source):
    Subscription.objects.filter(pk=source.pk).update(status="suspended")
    nce(customer, "m365-business-basic", partner=partner)
    response = post(agent_api, source, {"toCatalogItemId": E3, "transitionType": "transition_with_license_transfer"})
    body = assert_fault(response, 409, "subscription_status_not_active")
    assert [line.split(":")[0] for line in body["data"]] == [
        "2 subscription_status_not_active",
        "13 conflicting_subscriptions_for_license_transfer",
    ]


def test_another_partners_subscription_is_404(agent_api):
    foreign = nce(factories.CustomerFactory(), "m365-business-basic", partner=factories.PartnerFactory())
    assert post(agent_api, foreign, {"toCatalogItemId": E3}).status_code == 404
    assert agent_api.get(sub_url(foreign, "/transitions")).status_code == 404


def test_without_the_upgrade_capability_is_403(partner, source):
    api = api_for(user=factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]))
    assert post(api, source, {"toCatalogItemId": E3}).status_code == 403
    assert api.get(sub_url(source, "/transitions")).status_code == 403
    assert Transition.objects.count() == 0


def test_the_answer_says_the_scheduled_changes_were_deleted(agent_api, source):
    instructions = {"product": {"catalogItemId": E3}, "quantity": 10, "termDuration": "P1Y"}
    Subscription.objects.filter(pk=source.pk).update(scheduled_next_term_instructions=instructions)
    data = post(agent_api, source, {"toCatalogItemId": E3, "quantity": 1}).json()
    assert data["scheduledNextTermInstructionsRemoved"] is True
    assert data["removedScheduledNextTermInstructions"] == instructions


def test_eligible_when_read_refused_when_changed_meanwhile(agent_api, customer, partner, source):
    eligibility = agent_api.get(sub_url(source, "/transitionEligibilities")).json()["items"]
    e3 = next(item for item in eligibility if item["catalogItemId"] == E3)
    assert e3["eligibilities"][0]["isEligible"] is True
    factories.SubscriptionFactory(customer=customer, offer_id="o365-e3")  # bought through another partner
    response = post(agent_api, source, {"toCatalogItemId": E3})
    body = assert_fault(response, 409, "conflicting_service_types")
    assert [line.split(":")[0] for line in body["data"]] == ["3 conflicting_service_types"]
    source.refresh_from_db()
    assert (source.status, source.quantity) == ("active", 10)
