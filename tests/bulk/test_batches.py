"""POST/GET /v1/upgradeBatches: creation, processing (eager Celery), dry run, cancel, scoping, app-only tokens."""

import pytest

from bulk.models import UpgradeBatch, UpgradeBatchItem
from bulk.processing import upgrade_batch_finalize
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import BATCHES, api_for, assert_fault, item, items_of, run_batch
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db


def test_create_answers_202_with_the_batch(api, upgradables):
    response = api.post(BATCHES, {"items": [item(u) for u in upgradables]}, headers={"MS-CorrelationId": "bulk-1"})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert set(body) >= {"id", "status", "dryRun", "createdDateTime", "progress", "links", "attributes"}
    assert body["attributes"] == {"objectType": "UpgradeBatch"}
    assert (body["status"], body["dryRun"]) == ("queued", False)
    assert body["createdDateTime"].endswith("Z")
    progress = body["progress"]
    assert (progress["total"], progress["pending"], progress["succeeded"], progress["failed"]) == (3, 3, 0, 0)
    assert body["links"] == {
        "self": {"uri": f"{BATCHES}/{body['id']}", "method": "GET"},
        "items": {"uri": f"{BATCHES}/{body['id']}/items", "method": "GET"},
    }
    assert response["MS-CorrelationId"] == "bulk-1"
    batch = UpgradeBatch.objects.get(pk=body["id"])
    assert batch.correlation_id == "bulk-1" and batch.created_by_user.username == "ana"
    assert list(batch.items.values_list("position", flat=True)) == [0, 1, 2]


def test_processing_gives_per_item_results(api, upgradables, django_capture_on_commit_callbacks):
    batch, _response = run_batch(
        api,
        {"items": [item(u, upgradeType="upgrade_with_license_transfer") for u in upgradables]},
        django_capture_on_commit_callbacks,
    )
    body = api.get(f"{BATCHES}/{batch.pk}").json()
    assert body["status"] == "succeeded"
    assert body["progress"]["succeeded"] == 3 and body["progress"]["pending"] == 0
    assert body["finishedDateTime"] and body["startedDateTime"]
    listing = items_of(api, batch)
    assert listing["attributes"] == {"objectType": "Collection"} and listing["totalCount"] == 3
    for entry, upgradable in zip(listing["items"], upgradables, strict=True):
        assert entry["attributes"] == {"objectType": "UpgradeBatchItem"}
        assert (entry["status"], entry["attempts"], entry["error"]) == ("succeeded", 1, None)
        result = entry["result"]
        assert result["attributes"] == {"objectType": "UpgradeResult"}
        assert result["sourceSubscriptionId"] == str(upgradable.subscription.pk)
        target = Subscription.objects.get(pk=result["targetSubscriptionId"])
        assert target.offer_id == "o365-e3"
        assert LicenseAssignment.objects.filter(subscription=target).count() == 2
        assert entry["operationId"] == result["operationId"]
    assert UpgradeOperation.objects.filter(correlation_id=batch.correlation_id, status="succeeded").count() == 3


def test_one_failing_item_does_not_affect_the_others(api, upgradables, django_capture_on_commit_callbacks):
    items = [item(upgradables[0]), item(upgradables[1], target="m365-e5"), item(upgradables[2])]
    batch, _response = run_batch(api, {"items": items}, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == "partially_succeeded"
    entries = items_of(api, batch)["items"]
    assert [e["status"] for e in entries] == ["succeeded", "failed", "succeeded"]
    assert 8 in [error["code"] for error in entries[1]["result"]["upgradeErrors"]]
    assert entries[1]["result"]["targetSubscriptionId"] is None
    upgradables[1].subscription.refresh_from_db()
    assert upgradables[1].subscription.status == "active"
    assert Subscription.objects.filter(offer_id="o365-e3", status="active").count() == 2


def test_dry_run_evaluates_and_changes_nothing(api, upgradables, django_capture_on_commit_callbacks):
    before = set(Subscription.objects.values_list("pk", "status", "offer_id"))
    items = [item(upgradables[0]), item(upgradables[1], target="m365-e5")]
    batch, response = run_batch(api, {"items": items, "dryRun": True}, django_capture_on_commit_callbacks)
    assert response.json()["dryRun"] is True
    batch.refresh_from_db()
    assert batch.status == "partially_succeeded"
    entries = items_of(api, batch)["items"]
    assert [(e["status"], e["result"]["isEligible"]) for e in entries] == [("succeeded", True), ("failed", False)]
    assert entries[0]["result"]["upgradeType"] == "upgrade_with_license_transfer"
    assert entries[0]["operationId"] is None
    assert 8 in [error["code"] for error in entries[1]["result"]["upgradeErrors"]]
    assert set(Subscription.objects.values_list("pk", "status", "offer_id")) == before
    assert not UpgradeOperation.objects.exists()


def test_cancel_marks_pending_items_cancelled(api, upgradables, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch_id = api.post(BATCHES, {"items": [item(u) for u in upgradables]}).json()["id"]
    response = api.post(f"{BATCHES}/{batch_id}/cancel")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "cancelled" and body["progress"]["pending"] == 0
    assert body["progress"]["cancelled"] == 3 and body["finishedDateTime"]
    for callback in callbacks:  # the queued chunk tasks run after the cancel: nothing happens
        callback()
    assert not UpgradeOperation.objects.exists()
    assert set(UpgradeBatchItem.objects.values_list("status", flat=True)) == {"cancelled"}
    assert api.post(f"{BATCHES}/{batch_id}/cancel").json()["status"] == "cancelled"  # twice is harmless


def test_cancel_lets_running_items_finish(api, upgradables, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        batch_id = api.post(BATCHES, {"items": [item(u) for u in upgradables[:2]]}).json()["id"]
    UpgradeBatchItem.objects.filter(batch_id=batch_id, position=0).update(status="running")
    body = api.post(f"{BATCHES}/{batch_id}/cancel").json()
    assert body["status"] == "cancelled" and body["finishedDateTime"] is None
    assert (body["progress"]["running"], body["progress"]["cancelled"]) == (1, 1)
    UpgradeBatchItem.objects.filter(batch_id=batch_id, position=0).update(status="succeeded")
    upgrade_batch_finalize(batch_id=batch_id)
    body = api.get(f"{BATCHES}/{batch_id}").json()
    assert body["status"] == "cancelled" and body["finishedDateTime"]


def test_cancelling_a_finished_batch_is_409(api, upgradables, django_capture_on_commit_callbacks):
    batch, _response = run_batch(api, {"items": [item(upgradables[2])]}, django_capture_on_commit_callbacks)
    assert_fault(api.post(f"{BATCHES}/{batch.pk}/cancel"), 409, "batch_finished")


def test_another_partners_batch_is_404(api, upgradables, other_partner, django_capture_on_commit_callbacks):
    batch, _response = run_batch(api, {"items": [item(upgradables[0])]}, django_capture_on_commit_callbacks)
    stranger = api_for(user=factories.PartnerUserFactory(partner=other_partner, roles=["admin_agent"]))
    assert_fault(stranger.get(f"{BATCHES}/{batch.pk}"), 404, "not_found")
    assert_fault(stranger.get(f"{BATCHES}/{batch.pk}/items"), 404)
    assert_fault(stranger.post(f"{BATCHES}/{batch.pk}/cancel"), 404)
    assert stranger.get(BATCHES).json()["totalCount"] == 0
    colleague = api_for(user=factories.PartnerUserFactory(partner=batch.partner, roles=["helpdesk_agent"]))
    assert colleague.get(f"{BATCHES}/{batch.pk}").status_code == 200
    assert_fault(api.get(f"{BATCHES}/not-a-guid"), 400, "batchId")


def test_out_of_scope_items_fail_alone_with_not_found(
    api, upgradables, other_partner, django_capture_on_commit_callbacks
):
    foreign = factories.SubscriptionFactory(partner=other_partner)
    factories.RelationshipFactory(partner=other_partner, customer=foreign.customer)
    wrong_customer = {**item(upgradables[1]), "customerId": str(upgradables[2].customer.tenant_id)}
    items = [
        item(upgradables[0]),
        {"customerId": str(foreign.customer.tenant_id), "subscriptionId": str(foreign.pk), "targetOfferId": "o365-e3"},
        wrong_customer,
        {**item(upgradables[0]), "subscriptionId": "00000000-0000-0000-0000-000000000001"},
    ]
    batch, _response = run_batch(api, {"items": items}, django_capture_on_commit_callbacks)
    entries = items_of(api, batch)["items"]
    assert [e["status"] for e in entries] == ["succeeded", "failed", "failed", "failed"]
    for entry in entries[1:]:
        assert entry["error"]["errorName"] == "not_found" and entry["error"]["code"] == 404
        assert entry["error"]["attributes"] == {"objectType": "ServiceFault"}
    foreign.refresh_from_db()
    upgradables[1].subscription.refresh_from_db()
    assert foreign.status == "active" and upgradables[1].subscription.status == "active"


def test_app_only_token_items_fail_with_user_context_required(app_api, upgradables, django_capture_on_commit_callbacks):
    batch, _response = run_batch(app_api, {"items": [item(u) for u in upgradables]}, django_capture_on_commit_callbacks)
    assert batch.created_by_user is None and batch.created_by_application_id
    batch.refresh_from_db()
    assert batch.status == "failed"
    for entry in items_of(app_api, batch)["items"]:
        assert entry["status"] == "failed"
        assert 5 in [error["code"] for error in entry["result"]["upgradeErrors"]]
    assert not Subscription.objects.filter(offer_id="o365-e3").exists()


def test_duplicate_subscription_runs_once(api, upgradables, django_capture_on_commit_callbacks):
    items = [item(upgradables[0]), item(upgradables[0], target="o365-e5")]
    batch, _response = run_batch(api, {"items": items}, django_capture_on_commit_callbacks)
    entries = items_of(api, batch)["items"]
    assert [e["status"] for e in entries] == ["succeeded", "skipped"]
    assert entries[1]["error"]["errorName"] == "duplicate_item" and "items[0]" in entries[1]["error"]["description"]
    batch.refresh_from_db()
    assert batch.status == "partially_succeeded"


def test_items_are_paged_and_filtered(api, upgradables, django_capture_on_commit_callbacks):
    items = [item(upgradables[0]), item(upgradables[1], target="nope"), item(upgradables[2])]
    batch, _response = run_batch(api, {"items": items}, django_capture_on_commit_callbacks)
    page = items_of(api, batch, "?size=2")
    assert page["totalCount"] == 3 and [e["position"] for e in page["items"]] == [0, 1]
    assert page["links"]["next"]["uri"].endswith("offset=2&size=2")
    assert [e["position"] for e in items_of(api, batch, "?status=failed")["items"]] == [1]
    assert_fault(api.get(f"{BATCHES}/{batch.pk}/items?status=weird"), 400, "status")
    listing = api.get(BATCHES).json()
    assert listing["totalCount"] == 1 and listing["items"][0]["progress"]["failed"] == 1


def test_upgrade_role_is_required(partner, upgradables):
    billing = api_for(user=factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]))
    assert_fault(billing.post(BATCHES, {"items": [item(upgradables[0])]}), 403)
    assert_fault(billing.get(BATCHES), 403)
    assert not UpgradeBatch.objects.exists()


def test_request_id_replays_the_first_response(api, upgradables):
    body = {"items": [item(upgradables[0])]}
    first = api.post(BATCHES, body, headers={"MS-RequestId": "batch-req-1"})
    again = api.post(BATCHES, body, headers={"MS-RequestId": "batch-req-1"})
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again["MS-Idempotent-Replay"] == "true"
    assert UpgradeBatch.objects.count() == 1
    assert UpgradeBatch.objects.get().request_id == "batch-req-1"
    assert_fault(
        api.post(BATCHES, {"items": [item(upgradables[1])]}, headers={"MS-RequestId": "batch-req-1"}),
        409,
        "idempotency_key_reused",
    )
