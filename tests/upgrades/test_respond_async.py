"""``POST .../upgrades`` with ``Prefer: respond-async`` (RFC 7240): 202 with the upgrade operation, polled
through ``GET .../upgrades/{operationId}`` until it ends; without the header the Partner Center SDK's call
answers its ``UpgradeResult`` as before."""

import pytest

from api.models import IdempotencyRecord
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import api_for, assert_fault, make_upgradable, sub_url
from upgrades.models import UpgradeOperation
from upgrades.policies import prefers_respond_async, runs_in_background

pytestmark = pytest.mark.django_db

E3 = {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"}
ASYNC = {"Prefer": "respond-async"}


def upgrades_url(upgradable):
    return sub_url(upgradable.subscription, "/upgrades")


def test_respond_async_answers_202_with_the_operation_and_runs_it_on_commit(
    api, upgradable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(upgrades_url(upgradable), E3, headers={**ASYNC, "MS-CorrelationId": "async-1"})
    assert response.status_code == 202, response.json()
    body = response.json()
    operation = UpgradeOperation.objects.get()
    location = f"{upgrades_url(upgradable)}/{operation.pk}"
    assert response["Location"] == location
    assert response["Preference-Applied"] == "respond-async"
    assert body["attributes"] == {"objectType": "UpgradeOperation"}
    assert body["id"] == str(operation.pk) and body["status"] == "pending"
    assert body["links"] == {"self": {"uri": location, "method": "GET"}}
    assert (body["sourceSubscriptionId"], body["targetOfferId"]) == (str(upgradable.subscription.pk), "o365-e3")
    assert (body["upgradeType"], body["quantity"], body["billingCycle"]) == (
        "upgrade_with_license_transfer",
        10,
        "monthly",
    )
    assert body["result"] is None and body["targetSubscriptionId"] is None
    # Nothing ran yet: the source is untouched and no target exists.
    assert not Subscription.objects.filter(customer=upgradable.customer, offer_id="o365-e3").exists()

    pending = api.get(response["Location"])
    assert pending.status_code == 200
    assert pending.json()["status"] == "pending" and pending.json()["result"] is None

    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the Celery task runs (eager in tests)

    done = api.get(response["Location"]).json()
    assert done["status"] == "succeeded" and done["completedDateTime"]
    target = Subscription.objects.get(customer=upgradable.customer, offer_id="o365-e3")
    assert done["targetSubscriptionId"] == str(target.pk)
    result = done["result"]
    assert result["attributes"] == {"objectType": "UpgradeResult"}
    assert result["targetSubscriptionId"] == str(target.pk) and result["operationId"] == str(operation.pk)
    assert result["upgradeErrors"] == [] and result["status"] == "succeeded"
    assert LicenseAssignment.objects.filter(subscription=target).count() == 3
    operation.refresh_from_db()
    assert operation.correlation_id == "async-1"
    history = list(operation.history)
    assert [c.to_status for c in history] == ["pending", "in_progress", "succeeded"]
    assert {c.correlation_id for c in history} == {"async-1"}


def test_without_the_header_the_sdk_call_answers_the_upgrade_result(api, upgradable):
    response = api.post(upgrades_url(upgradable), E3)
    assert response.status_code == 200
    assert "Preference-Applied" not in response and "Location" not in response
    body = response.json()
    assert body["attributes"] == {"objectType": "UpgradeResult"} and body["status"] == "succeeded"
    operation = UpgradeOperation.objects.get()
    assert body["operationId"] == str(operation.pk)
    # The finished operation is readable through the API too.
    polled = api.get(f"{upgrades_url(upgradable)}/{operation.pk}").json()
    assert polled["status"] == "succeeded" and polled["result"]["targetSubscriptionId"] == body["targetSubscriptionId"]


def test_refusals_answer_at_once_even_when_async_is_preferred(api, upgradable):
    malformed = api.post(upgrades_url(upgradable), {"targetOffer": {"id": "o365-e3"}, "quantity": 5}, headers=ASYNC)
    assert_fault(malformed, 400, "quantity")  # fewer seats than the source: a ServiceFault naming the field
    not_eligible = api.post(upgrades_url(upgradable), {"targetOffer": {"id": "no-such-offer"}}, headers=ASYNC)
    assert not_eligible.status_code == 400
    assert not_eligible.json()["attributes"] == {"objectType": "UpgradeResult"}
    assert not_eligible.json()["upgradeErrors"]
    assert not UpgradeOperation.objects.exists()


def test_a_queued_upgrade_that_fails_reports_its_reasons(api, upgradable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(upgrades_url(upgradable), E3, headers=ASYNC)
    upgradable.subscription.status = "suspended"  # meanwhile: no longer eligible
    upgradable.subscription.save(update_fields=["status"])
    for callback in callbacks:
        callback()
    done = api.get(response["Location"]).json()
    assert done["status"] == "failed"
    assert done["result"]["status"] == "failed" and done["result"]["targetSubscriptionId"] is None
    assert 2 in {error["code"] for error in done["result"]["upgradeErrors"]}  # subscription_status_not_active


def test_idempotent_replay_of_the_202(api, upgradable, django_capture_on_commit_callbacks):
    headers = {**ASYNC, "MS-RequestId": "async-req-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(upgrades_url(upgradable), E3, headers=headers)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = api.post(upgrades_url(upgradable), E3, headers=headers)
    assert first.status_code == second.status_code == 202
    assert second["MS-Idempotent-Replay"] == "true"
    assert second.json() == first.json()
    assert second["Location"] == first["Location"] and second["Preference-Applied"] == "respond-async"
    assert not callbacks  # nothing enqueued again
    assert UpgradeOperation.objects.count() == 1
    assert Subscription.objects.filter(customer=upgradable.customer, offer_id="o365-e3").count() == 1
    assert IdempotencyRecord.objects.get(key="async-req-1").status_code == 202


def test_idempotent_replay_of_the_synchronous_answer_still_works(api, upgradable):
    first = api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "sync-req-1"})
    second = api.post(upgrades_url(upgradable), E3, headers={"MS-RequestId": "sync-req-1"})
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert UpgradeOperation.objects.count() == 1


def test_operation_of_another_subscription_or_partner_is_404(api, upgradable, other_partner, sales_agent):
    api.post(upgrades_url(upgradable), E3)
    operation = UpgradeOperation.objects.get()
    other = make_upgradable(partner=upgradable.subscription.partner, agent=sales_agent)
    assert_fault(api.get(f"{sub_url(other.subscription, '/upgrades')}/{operation.pk}"), 404)
    stranger = api_for(user=factories.PartnerUserFactory(partner=other_partner, roles=["sales_agent"]))
    assert_fault(stranger.get(f"{upgrades_url(upgradable)}/{operation.pk}"), 404)
    assert_fault(api.get(f"{upgrades_url(upgradable)}/not-a-guid"), 400, "operationId")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("respond-async", True),
        ("Respond-Async", True),
        ("wait=10, respond-async", True),
        ("respond-async; foo=bar", True),
        ("return=minimal", False),
        ("", False),
        (None, False),
        ("respond-asynchronously", False),
    ],
)
def test_prefer_header_parsing(header, expected):
    assert prefers_respond_async(header) is expected


def test_background_policy_threshold(settings):
    settings.UPGRADE_BACKGROUND_ASSIGNED_USERS = 2
    assert runs_in_background(assigned=2) is False
    assert runs_in_background(assigned=3) is True
    del settings.UPGRADE_BACKGROUND_ASSIGNED_USERS
    assert runs_in_background(assigned=1000) is False and runs_in_background(assigned=1001) is True


def test_schema_documents_the_async_answer_and_the_operation(api):
    schema = api.client.get("/v1/schema/?format=json", HTTP_AUTHORIZATION=f"Bearer {api.raw_token}").json()
    upgrades = schema["paths"]["/v1/customers/{customer_id}/subscriptions/{subscription_id}/upgrades"]["post"]
    assert "Prefer" in {parameter["name"] for parameter in upgrades["parameters"]}
    assert {"200", "202", "400"} <= set(upgrades["responses"])
    accepted = upgrades["responses"]["202"]["content"]["application/json"]["schema"]
    assert accepted == {"$ref": "#/components/schemas/UpgradeOperation"}
    operation = schema["paths"]["/v1/customers/{customer_id}/subscriptions/{subscription_id}/upgrades/{operation_id}"]
    assert operation["get"]["responses"]["200"]["content"]["application/json"]["schema"] == accepted
    assert {"id", "status", "result", "links"} <= set(schema["components"]["schemas"]["UpgradeOperation"]["properties"])
