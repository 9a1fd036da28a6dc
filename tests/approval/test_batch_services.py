"""Batches above the partner's approval threshold (bulk.services / bulk.approval_services, eager Celery)."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.principals import ApplicationPrincipal
from audit.models import AuditRecord
from bulk.approval_services import upgrade_batch_approve, upgrade_batch_reject
from bulk.models import UpgradeBatch
from bulk.services import BatchItemSpec, upgrade_batch_cancel, upgrade_batch_create
from core.errors import Conflict, InvalidInput
from core.workflow import history
from notifications.models import Notification
from subscriptions.models import Subscription
from tests import factories
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db


def specs(upgradables, **extra):
    return [
        BatchItemSpec(
            customer_tenant_id=u.customer.tenant_id,
            subscription_id=u.subscription.pk,
            target_offer_id="o365-e3",
            **extra,
        )
        for u in upgradables
    ]


def create(actor, upgradables, capture, **extra):
    with capture(execute=True) as callbacks:
        batch = upgrade_batch_create(actor=actor, items=specs(upgradables, **extra))
    batch.refresh_from_db()
    return batch, callbacks


@pytest.fixture
def sent(monkeypatch):
    """The Celery tasks the bulk services send (recorded, not run)."""
    calls = []
    monkeypatch.setattr("bulk.services.enqueue", lambda *args: calls.append(args))
    return calls


def untouched(upgradables):
    return (
        all(Subscription.objects.get(pk=u.subscription.pk).status == "active" for u in upgradables)
        and not UpgradeOperation.objects.exists()
    )


def test_below_every_threshold_the_batch_runs_at_once(
    sales_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    threshold(items=3, seats=30, monthly_value=Decimal("690.00"))  # 3 items, 30 seats, 3 × 10 × 23.00: not above
    batch, _ = create(sales_agent, upgradables, django_capture_on_commit_callbacks)
    assert batch.status == "succeeded"
    assert batch.approval_required == [] and batch.approval_size == {}
    assert UpgradeOperation.objects.filter(status="succeeded").count() == 3
    assert not Notification.objects.filter(key__startswith="approval").exists()


def test_no_threshold_set_never_waits(sales_agent, upgradables, django_capture_on_commit_callbacks):
    batch, _ = create(sales_agent, upgradables, django_capture_on_commit_callbacks)
    assert batch.status == "succeeded"


@pytest.mark.parametrize(
    ("limits", "measures"),
    [
        ({"items": 2}, ["items"]),
        ({"seats": 29}, ["seats"]),
        ({"monthly_value": Decimal("689.99")}, ["monthlyValue"]),
        ({"items": 1, "seats": 10, "monthly_value": Decimal("100")}, ["items", "seats", "monthlyValue"]),
    ],
)
def test_above_a_threshold_the_batch_waits_and_runs_nothing(
    sales_agent, upgradables, threshold, django_capture_on_commit_callbacks, limits, measures, sent
):
    threshold(**limits)
    batch, _ = create(sales_agent, upgradables, django_capture_on_commit_callbacks)
    assert batch.status == "awaiting_approval"
    assert batch.approval_required == measures
    assert batch.approval_size == {"items": 3, "seats": 30, "monthlyValue": "690.00"}
    assert sent == []
    assert list(batch.items.values_list("status", flat=True)) == ["pending"] * 3
    assert list(batch.chunks.values_list("status", flat=True)) == ["queued"]
    assert untouched(upgradables)
    record = AuditRecord.objects.get(resource_type="UpgradeBatch")
    assert record.resource_new_value["status"] == "awaiting_approval"
    assert record.resource_new_value["approvalRequired"] == measures


def test_the_seats_of_an_item_are_its_quantity_or_its_sources(
    sales_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    threshold(seats=35)
    items = specs(upgradables[:1], quantity=12) + specs(upgradables[1:])  # 12 + 10 + 10 = 32: not above
    with django_capture_on_commit_callbacks(execute=True):
        batch = upgrade_batch_create(actor=sales_agent, items=items)
    batch.refresh_from_db()
    assert batch.status == "succeeded"
    threshold(seats=20)
    duplicate = specs(upgradables[:1]) * 3  # one subscription thrice: 1 item, 10 seats
    with django_capture_on_commit_callbacks(execute=True):
        waiting = upgrade_batch_create(actor=sales_agent, items=specs(upgradables[1:]) + duplicate[:1] + duplicate)
    waiting.refresh_from_db()
    assert waiting.approval_size["seats"] == 30 and waiting.approval_size["items"] == 3


def test_a_dry_run_never_waits(sales_agent, upgradables, threshold, django_capture_on_commit_callbacks):
    threshold(items=1)
    with django_capture_on_commit_callbacks(execute=True):
        batch = upgrade_batch_create(actor=sales_agent, items=specs(upgradables), dry_run=True)
    batch.refresh_from_db()
    assert batch.status == "succeeded" and batch.approval_required == []


def test_the_approvers_but_not_the_creator_are_notified(
    partner, sales_agent, admin_agent, global_admin, upgradables, threshold, django_capture_on_commit_callbacks
):
    factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])  # no capability: not told
    factories.PartnerUserFactory(roles=["admin_agent"])  # another partner's: not told
    threshold(items=2)
    batch, _ = create(admin_agent, upgradables, django_capture_on_commit_callbacks)
    notices = Notification.objects.filter(key__startswith="approval-requested")
    assert sorted(n.user.username for n in notices) == ["cy"]
    notice = notices.get()
    assert notice.link == "/approvals/" and notice.key == f"approval-requested:batch:{batch.pk}:{global_admin.pk}"
    assert "A batch of 3 upgrades waits for your approval (above the threshold: items)." == notice.message


def waiting_batch(actor, upgradables, threshold, capture):
    threshold(items=2)
    batch, _ = create(actor, upgradables, capture)
    assert batch.status == "awaiting_approval"
    return batch


def test_the_creator_cannot_approve_their_own(admin_agent, upgradables, threshold, django_capture_on_commit_callbacks):
    batch = waiting_batch(admin_agent, upgradables, threshold, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied, match="You created this job"):
        upgrade_batch_approve(actor=admin_agent, batch=batch)
    with pytest.raises(PermissionDenied):
        upgrade_batch_reject(actor=admin_agent, batch=batch, reason="no")
    batch.refresh_from_db()
    assert batch.status == "awaiting_approval"


def test_a_user_without_the_capability_cannot_approve(
    partner, admin_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    batch = waiting_batch(admin_agent, upgradables, threshold, django_capture_on_commit_callbacks)
    seller = factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])
    with pytest.raises(PermissionDenied, match="approve"):
        upgrade_batch_approve(actor=seller, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "awaiting_approval"


def test_a_second_approver_approves_and_the_batch_runs(
    sales_agent, admin_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    batch = waiting_batch(sales_agent, upgradables, threshold, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_batch_approve(actor=admin_agent, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "succeeded"
    assert (batch.decided_by, batch.rejection_reason) == (admin_agent, "")
    assert batch.decided_at is not None
    assert UpgradeOperation.objects.filter(status="succeeded").count() == 3
    assert [row.to_status for row in history(batch)] == ["awaiting_approval", "queued", "running", "succeeded"]
    approved = AuditRecord.objects.get(resource_type="UpgradeBatch", resource_new_value__approval="approved")
    assert approved.resource_old_value == {"id": str(batch.pk), "status": "awaiting_approval"}
    assert approved.operation_status == "succeeded" and approved.partner == batch.partner
    notice = Notification.objects.get(key=f"approval-decided:batch:{batch.pk}")
    assert notice.user == sales_agent and notice.message == "Your batch of 3 upgrades was approved: it runs now."
    with pytest.raises(Conflict):  # decided already: 409
        upgrade_batch_approve(actor=admin_agent, batch=batch)


def test_rejection_needs_a_reason_and_changes_nothing(
    sales_agent, global_admin, upgradables, threshold, django_capture_on_commit_callbacks, sent
):
    batch = waiting_batch(sales_agent, upgradables, threshold, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput) as missing:
        upgrade_batch_reject(actor=global_admin, batch=batch, reason="  ")
    assert missing.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_batch_reject(actor=global_admin, batch=batch, reason="Too many seats this month.")
    batch.refresh_from_db()
    assert (batch.status, batch.rejection_reason, batch.decided_by) == (
        "rejected",
        "Too many seats this month.",
        global_admin,
    )
    assert batch.finished is not None and sent == []
    assert list(batch.items.values_list("status", flat=True)) == ["cancelled"] * 3
    assert untouched(upgradables)
    record = AuditRecord.objects.get(resource_type="UpgradeBatch", resource_new_value__approval="rejected")
    assert record.resource_new_value["reason"] == "Too many seats this month."
    assert record.resource_new_value["cancelledItems"] == 3 and record.operation_status == "declined"
    notice = Notification.objects.get(key=f"approval-decided:batch:{batch.pk}")
    assert notice.message == "Your batch of 3 upgrades was rejected: Too many seats this month."
    assert notice.level == "error" and notice.user == sales_agent
    with pytest.raises(Conflict):
        upgrade_batch_approve(actor=global_admin, batch=batch)


def test_the_creator_may_withdraw_a_waiting_batch(
    sales_agent, admin_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    batch = waiting_batch(sales_agent, upgradables, threshold, django_capture_on_commit_callbacks)
    upgrade_batch_cancel(actor=sales_agent, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "cancelled" and batch.finished is not None
    assert list(batch.items.values_list("status", flat=True)) == ["cancelled"] * 3
    with pytest.raises(Conflict):
        upgrade_batch_approve(actor=admin_agent, batch=batch)
    assert untouched(upgradables)


def test_an_application_tokens_batch_waits_and_any_approver_approves_it(
    partner, admin_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    app = ApplicationPrincipal(partner=partner, application_id=uuid.uuid4())
    threshold(items=2)
    with django_capture_on_commit_callbacks(execute=True):
        batch = upgrade_batch_create(actor=app, items=specs(upgradables))
    batch.refresh_from_db()
    assert batch.status == "awaiting_approval" and batch.created_by_user is None
    assert Notification.objects.filter(key__startswith="approval-requested", user=admin_agent).count() == 1
    with pytest.raises(PermissionDenied, match="application token"):
        upgrade_batch_approve(actor=app, batch=batch)
    upgrade_batch_approve(actor=admin_agent, batch=batch)
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "queued"


def test_a_waiting_batch_cancelled_by_an_approver_tells_its_creator_once(
    sales_agent, admin_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    batch = waiting_batch(sales_agent, upgradables, threshold, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_batch_cancel(actor=admin_agent, batch=batch)
        upgrade_batch_cancel(actor=admin_agent, batch=batch)  # twice: harmless, still one notice
    notices = Notification.objects.filter(key=f"batch-finished:{batch.pk}")
    assert list(notices.values_list("user__username", "level")) == [("ana", "info")]
    assert "Cancelled" in notices.get().message and "3 upgrades" in notices.get().message
    assert untouched(upgradables)


def test_the_creator_withdrawing_their_own_batch_is_not_told(
    sales_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    batch = waiting_batch(sales_agent, upgradables, threshold, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_batch_cancel(actor=sales_agent, batch=batch)
    assert not Notification.objects.filter(key__startswith="batch-finished").exists()


def test_a_batch_cancelled_while_an_item_runs_tells_its_creator_when_that_item_ends(
    sales_agent, upgradables, django_capture_on_commit_callbacks, sent
):
    from bulk.processing import upgrade_batch_finalize

    batch, _ = create(sales_agent, upgradables, django_capture_on_commit_callbacks)
    assert batch.status == "queued" and len(sent) == 1  # below every threshold: queued, its chunk sent
    batch.items.filter(position=0).update(status="running")
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_batch_cancel(actor=sales_agent, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "cancelled" and batch.finished is None  # item 0 still runs
    assert not Notification.objects.exists()
    batch.items.filter(position=0).update(status="succeeded")  # the worker's item ends
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_batch_finalize(batch_id=batch.pk)
        upgrade_batch_finalize(batch_id=batch.pk)  # a duplicate chunk's finalize: no second notice
    batch.refresh_from_db()
    assert batch.status == "cancelled" and batch.finished is not None
    assert list(Notification.objects.values_list("key", "user__username")) == [(f"batch-finished:{batch.pk}", "ana")]
