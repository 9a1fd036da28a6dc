"""GET/POST /v1/customers/{id}/subscriptions/{id}/upgrades, through the upgrades engine."""

import pytest

from api.models import IdempotencyRecord, IdempotencyState
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import api_for, assert_fault, sub_url

pytestmark = pytest.mark.django_db

E3 = {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"}


def upgrades_url(upgradable):
    return sub_url(upgradable.subscription, "/upgrades")


def test_get_lists_one_upgrade_per_matrix_target(api, upgradable):
    body = api.get(upgrades_url(upgradable)).json()
    assert body["attributes"] == {"objectType": "Collection"}
    targets = [item["targetOffer"]["id"] for item in body["items"]]
    assert targets == ["m365-business-standard", "o365-e1", "o365-e3", "o365-e5"]
    item = body["items"][2]
    assert set(item) == {"targetOffer", "upgradeType", "isEligible", "quantity", "upgradeErrors", "attributes"}
    assert item["attributes"] == {"objectType": "Upgrade"}
    assert item["targetOffer"]["attributes"] == {"objectType": "Offer"}
    assert (item["isEligible"], item["quantity"], item["upgradeType"]) == (True, 10, "upgrade_with_license_transfer")


def test_get_shows_every_reason_with_integer_codes(api, partner, sales_agent):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)  # no DAP/GDAP
    suspended = factories.SubscriptionFactory(customer=customer, partner=partner, status="suspended")
    items = api.get(sub_url(suspended, "/upgrades")).json()["items"]
    assert items and all(not item["isEligible"] for item in items)
    errors = items[0]["upgradeErrors"]
    assert {error["code"] for error in errors} >= {1, 2}
    assert all(error["attributes"] == {"objectType": "UpgradeError"} for error in errors)
    assert all({"code", "description", "additionalDetails"} <= set(error) for error in errors)


def test_get_rejects_unknown_billing_cycle(api, upgradable):
    assert_fault(api.get(upgrades_url(upgradable) + "?billingCycle=weekly"), 400, "billingCycle")


def test_post_upgrades_and_moves_licenses(api, upgradable):
    response = api.post(upgrades_url(upgradable), E3, headers={"MS-CorrelationId": "up-1"})
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["attributes"] == {"objectType": "UpgradeResult"}
    assert result["sourceSubscriptionId"] == str(upgradable.subscription.pk)
    assert result["upgradeType"] == "upgrade_with_license_transfer"
    assert result["upgradeErrors"] == [] and result["licenseErrors"] == []
    target = Subscription.objects.get(pk=result["targetSubscriptionId"])
    assert target.offer_id == "o365-e3" and target.quantity == 10
    assert LicenseAssignment.objects.filter(subscription=target).count() == 3
    upgradable.subscription.refresh_from_db()
    assert upgradable.subscription.status == "deleted"
    from audit.models import AuditRecord

    assert AuditRecord.objects.filter(operation_type="upgrade_subscription", original_correlation_id="up-1").exists()


@pytest.mark.parametrize("upgrade_type", [1, "1", "upgrade_only", "UpgradeOnly"])
def test_post_accepts_integer_and_string_upgrade_types(api, upgradable, upgrade_type):
    response = api.post(upgrades_url(upgradable), {"targetOffer": {"id": "o365-e3"}, "upgradeType": upgrade_type})
    assert response.status_code == 200, response.json()
    assert response.json()["upgradeType"] == "upgrade_only"


def test_post_accepts_the_upgrade_as_returned_by_get(api, upgradable):
    upgrade = next(
        item for item in api.get(upgrades_url(upgradable)).json()["items"] if item["targetOffer"]["id"] == "o365-e5"
    )
    response = api.post(upgrades_url(upgradable), upgrade)
    assert response.status_code == 200, response.json()
    assert Subscription.objects.get(pk=response.json()["targetSubscriptionId"]).offer_id == "o365-e5"


def test_application_token_gets_user_context_required(partner, upgradable):
    app = api_for(partner=partner)
    response = app.post(upgrades_url(upgradable), E3)
    assert response.status_code == 400
    result = response.json()
    assert result["attributes"] == {"objectType": "UpgradeResult"}
    assert 5 in [error["code"] for error in result["upgradeErrors"]]
    assert result["targetSubscriptionId"] is None
    upgradable.subscription.refresh_from_db()
    assert upgradable.subscription.status == "active"


def test_not_eligible_target_is_400_with_upgrade_errors(api, upgradable):
    response = api.post(upgrades_url(upgradable), {"targetOffer": {"id": "m365-e5"}})
    assert response.status_code == 400
    assert 8 in [error["code"] for error in response.json()["upgradeErrors"]]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "targetOffer"),
        ({"targetOffer": "o365-e3"}, "targetOffer"),
        ({"targetOffer": {}}, "targetOffer.id"),
        ({"targetOffer": {"id": 12}, "quantity": "many"}, "quantity"),
        ({**E3, "quantity": -3}, "quantity"),
        ({**E3, "quantity": 10**40}, "quantity"),
        ({**E3, "quantity": 2.5}, "quantity"),
        ({**E3, "upgradeType": "sideways"}, "upgradeType"),
        ({**E3, "upgradeType": 7}, "upgradeType"),
        ({**E3, "upgradeType": True}, "upgradeType"),
        ({**E3, "billingCycle": "weekly"}, "billingCycle"),
        ([E3], "body"),
        ("upgrade", "body"),
    ],
)
def test_bad_upgrade_bodies_are_400_naming_the_field(api, upgradable, body, field):
    assert_fault(api.post(upgrades_url(upgradable), body), 400, field)
    upgradable.subscription.refresh_from_db()
    assert upgradable.subscription.status == "active"


def test_lower_quantity_is_refused_by_the_engine(api, upgradable):
    response = api.post(upgrades_url(upgradable), {**E3, "quantity": 2})
    assert 400 <= response.status_code < 500
    assert "quantity" in response.content.decode()


def test_invalid_json_and_missing_body_on_post(api, upgradable):
    assert_fault(api.post(upgrades_url(upgradable), raw_body="{"), 400, "JSON")
    assert_fault(api.call("post", upgrades_url(upgradable)), 400, "targetOffer")


# -- idempotency -----------------------------------------------------------------------------------------
def test_same_request_id_replays_the_first_response_and_upgrades_once(api, upgradable):
    first = api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "req-1"})
    second = api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "req-1"})
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second["MS-Idempotent-Replay"] == "true"
    assert Subscription.objects.filter(customer=upgradable.customer, offer_id="o365-e3").count() == 1
    record = IdempotencyRecord.objects.get(key="req-1")
    assert record.state == IdempotencyState.COMPLETED and record.status_code == 200


def test_idempotency_key_header_is_a_synonym(api, upgradable):
    first = api.post(upgrades_url(upgradable), E3, headers={"Idempotency-Key": "k-1"})
    second = api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "k-1"})
    assert first.json() == second.json()


def test_same_request_id_with_another_body_is_409(api, upgradable):
    api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "req-2"})
    other = {"targetOffer": {"id": "o365-e5"}}
    body = assert_fault(api.post(upgrades_url(upgradable), other, headers={"MS-RequestId": "req-2"}), 409)
    assert body["errorName"] == "idempotency_key_reused"


def test_request_id_still_processing_is_409(api, sales_agent, upgradable):
    from api.idempotency import actor_key, body_hash

    IdempotencyRecord.objects.create(
        key="busy", actor=actor_key(sales_agent), method="POST", path=upgrades_url(upgradable), body_hash=body_hash(E3)
    )
    body = assert_fault(api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "busy"}), 409)
    assert body["errorName"] == "request_in_progress"
    upgradable.subscription.refresh_from_db()
    assert upgradable.subscription.status == "active"


def test_request_ids_older_than_24h_are_forgotten(api, upgradable):
    from datetime import timedelta

    from django.utils import timezone

    api.patch(sub_url(upgradable.subscription), {"quantity": 11}, headers={"MS-RequestId": "old"})
    IdempotencyRecord.objects.update(created=timezone.now() - timedelta(hours=25))
    response = api.patch(sub_url(upgradable.subscription), {"quantity": 12}, headers={"MS-RequestId": "old"})
    assert response.status_code == 200 and response.json()["quantity"] == 12


def test_request_ids_are_per_actor(partner, upgradable, api):
    other_agent = api_for(user=factories.PartnerUserFactory(partner=partner, roles=["admin_agent"]))
    api.patch(sub_url(upgradable.subscription), {"quantity": 11}, headers={"MS-RequestId": "shared"})
    response = other_agent.patch(sub_url(upgradable.subscription), {"quantity": 12}, headers={"MS-RequestId": "shared"})
    assert response.status_code == 200 and response.json()["quantity"] == 12


def test_replayed_error_responses_too(api, upgradable):
    first = api.patch(sub_url(upgradable.subscription), {"quantity": 1}, headers={"MS-RequestId": "bad-1"})
    second = api.patch(sub_url(upgradable.subscription), {"quantity": 1}, headers={"MS-RequestId": "bad-1"})
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()


def test_too_long_request_id_is_400(api, upgradable):
    assert_fault(api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "r" * 201}), 400, "MS-RequestId")
