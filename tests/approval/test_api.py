"""The approval endpoints of the API: POST /v1/upgradeBatches/{id}/approve and /reject, and
POST .../upgrades/{operationId}/approve and /reject (eager Celery, commit callbacks run)."""

import pytest

from audit.models import AuditRecord
from bulk.models import UpgradeBatch
from notifications.models import Notification
from subscriptions.models import Subscription
from tests import factories
from tests.builders import BATCHES, api_for, assert_fault, item, sub_url
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(api, upgradables, threshold, django_capture_on_commit_callbacks):
    """A batch of the sales agent's, waiting for approval (3 items above the threshold of 2)."""
    threshold(items=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(BATCHES, {"items": [item(u) for u in upgradables]})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "awaiting_approval"
    assert body["approval"] == {
        "thresholdsExceeded": ["items"],
        "size": {"items": 3, "seats": 30, "monthlyValue": "690.00"},
        "decidedBy": None,
        "decidedDateTime": None,
        "rejectionReason": "",
    }
    assert body["progress"]["pending"] == 3
    return UpgradeBatch.objects.get(pk=body["id"])


def test_the_creator_and_a_user_without_the_capability_get_403(api, batch, partner):
    assert_fault(api.post(f"{BATCHES}/{batch.pk}/approve"), 403, "approve")
    helpdesk = api_for(user=factories.PartnerUserFactory(partner=partner, roles=["helpdesk_agent"]))
    assert_fault(helpdesk.post(f"{BATCHES}/{batch.pk}/approve"), 403, "approve")
    assert_fault(helpdesk.post(f"{BATCHES}/{batch.pk}/reject", {"reason": "no"}), 403)
    creator_approver = factories.PartnerUserFactory(partner=partner, roles=["admin_agent", "sales_agent"])
    batch.created_by_user = creator_approver
    batch.save(update_fields=["created_by_user"])
    assert_fault(api_for(user=creator_approver).post(f"{BATCHES}/{batch.pk}/approve"), 403, "You created this job")
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "awaiting_approval"


def test_an_app_token_cannot_approve(app_api, batch):
    assert_fault(app_api.post(f"{BATCHES}/{batch.pk}/approve"), 403, "application token")


def test_approval_by_a_second_user_runs_the_batch(
    agent_api, batch, sales_agent, admin_agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_api.post(f"{BATCHES}/{batch.pk}/approve")
    assert response.status_code == 200, response.json()
    assert response.json()["approval"]["decidedBy"] == "bo"
    body = agent_api.get(f"{BATCHES}/{batch.pk}").json()
    assert body["status"] == "succeeded" and body["progress"]["succeeded"] == 3
    assert UpgradeOperation.objects.filter(status="succeeded").count() == 3
    assert Notification.objects.get(key=f"approval-decided:batch:{batch.pk}").user == sales_agent
    assert_fault(agent_api.post(f"{BATCHES}/{batch.pk}/approve"), 409, "not_awaiting_approval")


def test_reject_needs_a_reason_naming_the_field_then_changes_nothing(
    admin_api, batch, upgradables, django_capture_on_commit_callbacks
):
    assert_fault(admin_api.post(f"{BATCHES}/{batch.pk}/reject", {}), 400, "reason")
    assert_fault(admin_api.post(f"{BATCHES}/{batch.pk}/reject", {"reason": "   "}), 400, "reason")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{BATCHES}/{batch.pk}/reject", {"reason": "Over budget."})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "rejected" and body["approval"]["rejectionReason"] == "Over budget."
    assert body["approval"]["decidedBy"] == "cy" and body["approval"]["decidedDateTime"].endswith("Z")
    assert body["progress"]["cancelled"] == 3 and body["finishedDateTime"]
    assert not UpgradeOperation.objects.exists()
    assert set(
        Subscription.objects.filter(pk__in=[u.subscription.pk for u in upgradables]).values_list("status", flat=True)
    ) == {"active"}
    assert AuditRecord.objects.filter(resource_type="UpgradeBatch").count() == 2  # created, rejected
    assert_fault(admin_api.post(f"{BATCHES}/{batch.pk}/approve"), 409)


def test_another_partners_batch_answers_404(batch, other_partner):
    stranger = api_for(user=factories.PartnerUserFactory(partner=other_partner, roles=["global_admin"]))
    for path in ("approve", "reject"):
        assert_fault(stranger.post(f"{BATCHES}/{batch.pk}/{path}", {"reason": "x"}), 404)
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "awaiting_approval"


def test_a_waiting_batch_may_be_cancelled(api, batch):
    response = api.post(f"{BATCHES}/{batch.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


# --- single upgrades ---------------------------------------------------------------------------------------------


@pytest.fixture
def operation(api, upgradables, threshold):
    threshold(seats=5)
    response = api.post(sub_url(upgradables[0].subscription, "/upgrades"), {"targetOffer": {"id": "o365-e3"}})
    assert response.status_code == 202, response.json()
    return UpgradeOperation.objects.get(pk=response.json()["id"])


def op_url(operation, action):
    return sub_url(operation.source, f"/upgrades/{operation.pk}/{action}")


def test_an_upgrade_is_approved_through_the_api(api, agent_api, operation, django_capture_on_commit_callbacks):
    assert_fault(api.post(op_url(operation, "approve")), 403)  # its creator (and no capability)
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_api.post(op_url(operation, "approve"))
    assert response.status_code == 200, response.json()
    assert UpgradeOperation.objects.get(pk=operation.pk).status == "succeeded"
    assert_fault(agent_api.post(op_url(operation, "reject"), {"reason": "x"}), 409)


def test_an_upgrade_is_rejected_through_the_api(agent_api, operation, other_partner):
    assert_fault(agent_api.post(op_url(operation, "reject"), {}), 400, "reason")
    stranger = api_for(user=factories.PartnerUserFactory(partner=other_partner, roles=["admin_agent"]))
    assert_fault(stranger.post(op_url(operation, "approve")), 404)
    response = agent_api.post(op_url(operation, "reject"), {"reason": "Wrong plan."})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "rejected" and body["approval"]["rejectionReason"] == "Wrong plan."
    assert Subscription.objects.get(pk=operation.source_id).status == "active"
