"""Single upgrades above the partner's approval threshold: the API (POST .../upgrades), the wizard's submit, the
result page, and upgrades.approval_services approve / reject (eager Celery)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditRecord
from core.errors import Conflict, InvalidInput
from core.workflow import history
from notifications.models import Notification
from subscriptions.models import Subscription
from tests.builders import sub_url
from upgrades.approval_services import (
    subscription_upgrade_request,
    upgrade_operation_approve,
    upgrade_operation_reject,
)
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db

E3 = {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_only"}


@pytest.fixture
def sent(monkeypatch):
    """The Celery tasks the upgrades app sends on commit (recorded, not run)."""
    calls = []
    monkeypatch.setattr("upgrades.services.enqueue_on_commit", lambda *args: calls.append(args))
    monkeypatch.setattr("upgrades.approval_services.enqueue_on_commit", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def one(upgradables):
    return upgradables[0]


def request_upgrade(actor, upgradable, **extra):
    return subscription_upgrade_request(
        actor=actor,
        subscription_id=upgradable.subscription.pk,
        target_offer_id="o365-e3",
        upgrade_type="upgrade_only",
        **extra,
    )


def test_below_the_threshold_the_upgrade_runs_at_once(sales_agent, one, threshold):
    threshold(seats=10, monthly_value=Decimal("230.00"))  # 10 seats × 23.00: not above
    outcome = request_upgrade(sales_agent, one)
    assert outcome.result is not None and outcome.result.status == "succeeded"
    assert Subscription.objects.get(pk=one.subscription.pk).status != "active"


@pytest.mark.parametrize(
    ("limits", "measures"),
    [
        ({"items": 0}, ["items"]),
        ({"seats": 9}, ["seats"]),
        ({"monthly_value": Decimal("229.99")}, ["monthlyValue"]),
    ],
)
def test_above_a_threshold_the_upgrade_waits_and_changes_nothing(
    sales_agent, admin_agent, one, threshold, sent, django_capture_on_commit_callbacks, limits, measures
):
    threshold(**limits)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = request_upgrade(sales_agent, one)
    operation = UpgradeOperation.objects.get()
    assert outcome.operation == operation and outcome.awaiting_approval
    assert (operation.status, operation.approval_required) == ("awaiting_approval", measures)
    assert operation.approval_size == {"items": 1, "seats": 10, "monthlyValue": "230.00"}
    assert sent == []  # nothing enqueued
    assert Subscription.objects.get(pk=one.subscription.pk).status == "active"
    assert not Subscription.objects.filter(offer_id="o365-e3").exists()
    assert [row.to_status for row in history(operation)] == ["pending", "awaiting_approval"]
    record = AuditRecord.objects.get(resource_type="UpgradeOperation")
    assert record.resource_new_value["status"] == "awaiting_approval" and record.operation_status == "progressing"
    notice = Notification.objects.get(key=f"approval-requested:upgrade:{operation.pk}:{admin_agent.pk}")
    assert notice.link == "/approvals/" and "waits for your approval" in notice.message
    assert not Notification.objects.filter(user=sales_agent).exists()


def test_a_waiting_upgrade_blocks_a_second_one_of_the_subscription(sales_agent, one, threshold):
    threshold(items=0)
    request_upgrade(sales_agent, one)
    threshold()
    from upgrades.exceptions import UpgradeNotEligible

    with pytest.raises(UpgradeNotEligible):
        request_upgrade(sales_agent, one)


def waiting(actor, upgradable, threshold, capture):
    threshold(seats=5)
    with capture(execute=True):
        return request_upgrade(actor, upgradable).operation


def test_approval_rules(partner, sales_agent, admin_agent, one, threshold, django_capture_on_commit_callbacks):
    from tests import factories

    operation = waiting(admin_agent, one, threshold, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied, match="You created this job"):
        upgrade_operation_approve(actor=admin_agent, operation=operation)
    with pytest.raises(PermissionDenied):
        upgrade_operation_approve(actor=sales_agent, operation=operation)
    approver = factories.PartnerUserFactory(partner=partner, roles=["global_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_operation_approve(actor=approver, operation=operation)
    operation.refresh_from_db()
    assert operation.status == "succeeded" and operation.decided_by == approver
    assert [row.to_status for row in history(operation)] == [
        "pending",
        "awaiting_approval",
        "pending",
        "in_progress",
        "succeeded",
    ]
    notice = Notification.objects.get(key=f"approval-decided:upgrade:{operation.pk}")
    assert notice.user == admin_agent and notice.link == f"/upgrades/{operation.pk}/"
    assert AuditRecord.objects.filter(resource_type="UpgradeOperation").count() == 2
    with pytest.raises(Conflict):
        upgrade_operation_reject(actor=approver, operation=operation, reason="late")


def test_rejection_changes_nothing(sales_agent, admin_agent, one, threshold, django_capture_on_commit_callbacks):
    operation = waiting(sales_agent, one, threshold, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput) as missing:
        upgrade_operation_reject(actor=admin_agent, operation=operation, reason="")
    assert missing.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_operation_reject(actor=admin_agent, operation=operation, reason="Not this quarter.")
    operation.refresh_from_db()
    assert (operation.status, operation.rejection_reason, operation.completed is not None) == (
        "rejected",
        "Not this quarter.",
        True,
    )
    assert Subscription.objects.get(pk=one.subscription.pk).status == "active"
    assert not Subscription.objects.filter(offer_id="o365-e3").exists()
    notice = Notification.objects.get(key=f"approval-decided:upgrade:{operation.pk}")
    assert notice.message.endswith("was rejected: Not this quarter.") and notice.user == sales_agent
    record = AuditRecord.objects.get(resource_type="UpgradeOperation", resource_new_value__approval="rejected")
    assert record.resource_new_value["reason"] == "Not this quarter."


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_answers_202_with_the_waiting_operation(api, one, threshold, sent):
    threshold(seats=5)
    response = api.post(sub_url(one.subscription, "/upgrades"), E3)
    assert response.status_code == 202, response.json()
    body = response.json()
    operation = UpgradeOperation.objects.get()
    assert response["Location"] == sub_url(one.subscription, f"/upgrades/{operation.pk}")
    assert body["status"] == "awaiting_approval" and body["result"] is None
    assert body["approval"] == {
        "thresholdsExceeded": ["seats"],
        "size": {"items": 1, "seats": 10, "monthlyValue": "230.00"},
        "decidedBy": None,
        "decidedDateTime": None,
        "rejectionReason": "",
    }
    assert sent == []
    polled = api.get(response["Location"]).json()
    assert polled["status"] == "awaiting_approval"


def test_the_api_below_the_threshold_answers_the_result(api, one, threshold):
    threshold(seats=10)
    response = api.post(sub_url(one.subscription, "/upgrades"), E3)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "succeeded"
    assert "approval" not in response.json()


# --- the wizard and the result page ------------------------------------------------------------------------------


def test_the_wizard_submit_lands_on_the_waiting_result_page(
    client, sales_agent, admin_agent, one, threshold, django_capture_on_commit_callbacks
):
    threshold(seats=5)
    client.force_login(sales_agent)
    review = reverse(
        "portal:upgrade_review",
        kwargs={"tenant_id": one.customer.tenant_id, "subscription_id": one.subscription.pk},
    )
    page = client.get(review, {"target": "o365-e3", "billing_cycle": "monthly", "quantity": 10})
    assert page.status_code == 200
    data = {name: str(value) for name, value in page.context["form"].initial.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review, data)
    operation = UpgradeOperation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/upgrades/{operation.pk}/"
    assert operation.status == "awaiting_approval"
    html = client.get(response["Location"]).content.decode()
    assert 'data-approval="waiting"' in html and "This upgrade is waiting for approval" in html
    assert 'http-equiv="refresh"' not in html
    # the creator has no approve right: no buttons, the reason instead
    assert 'data-action="approve"' not in html and 'data-approval="refusal"' in html
    client.force_login(admin_agent)
    html = client.get(response["Location"]).content.decode()
    assert 'data-action="approve"' in html and 'data-action="reject"' in html
