"""Queued upgrades (Celery task, idempotent), the status pipeline, and concurrency."""

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditRecord
from subscriptions.models import LicenseAssignment, Subscription
from tests.builders import add_users, make_subscription
from upgrades import steps
from upgrades.eligibility import UpgradeErrorCode as C
from upgrades.exceptions import IllegalStatusTransition, UpgradeNotEligible
from upgrades.models import UpgradeOperation
from upgrades.pipeline import operation_create, operation_transition
from upgrades.services import subscription_upgrade, subscription_upgrade_async, upgrade_operation_execute
from upgrades.tasks import run_upgrade_operation, upgrade_subscription_task

pytestmark = pytest.mark.django_db


def test_async_upgrade_runs_on_commit_and_a_second_run_does_nothing(
    agent, source, customer, django_capture_on_commit_callbacks
):
    add_users(source, 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        operation = subscription_upgrade_async(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
        assert operation.status == "pending"
    # the task, then (registered by the task) the operations metric (core.signals), the domain event (core.events)
    # and the agent's notification
    assert len(callbacks) == 4
    operation.refresh_from_db()
    assert operation.status == "succeeded" and operation.target_id is not None

    again = run_upgrade_operation(str(operation.pk))  # a retried / duplicated task
    upgrade_subscription_task.apply(args=[str(operation.pk)])
    assert again["targetSubscriptionId"] == str(operation.target_id)
    assert Subscription.objects.filter(customer=customer, offer_id="o365-e3").count() == 1
    assert AuditRecord.objects.filter(customer=customer, operation_type="upgrade_subscription").count() == 1
    assert LicenseAssignment.objects.filter(subscription_id=operation.target_id).count() == 3
    assert list(operation.history.values_list("to_status", flat=True)) == ["pending", "in_progress", "succeeded"]


def test_pending_operation_blocks_other_upgrades_of_the_customer(agent, source, customer, partner):
    other = make_subscription(customer, "m365-business-basic", partner=partner)
    operation = subscription_upgrade_async(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    with pytest.raises(UpgradeNotEligible) as error:
        subscription_upgrade(actor=agent, subscription_id=other.pk, target_offer_id="o365-e1")
    assert error.value.codes == {C.CONCURRENCY_CONFLICTS}
    assert str(operation.pk) in error.value.errors[0].additional_details


def test_queued_operation_that_is_no_longer_eligible_fails_with_its_reasons(agent, source):
    operation = subscription_upgrade_async(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    Subscription.objects.filter(pk=source.pk).update(status="suspended")
    result = upgrade_operation_execute(operation_id=operation.pk)
    operation.refresh_from_db()
    assert operation.status == "failed" and [e["code"] for e in operation.errors] == [2]
    assert {e.code for e in result.upgrade_errors} == {C.SUBSCRIPTION_STATUS_NOT_ACTIVE}
    assert Subscription.objects.filter(offer_id="o365-e3").count() == 0
    assert upgrade_operation_execute(operation_id=operation.pk).upgrade_errors == result.upgrade_errors


def test_database_allows_one_open_operation_per_subscription(agent, source, customer, partner):
    fields = dict(
        source=source,
        target_offer_id="o365-e3",
        customer=customer,
        partner=partner,
        upgrade_type="upgrade_only",
        quantity=10,
        billing_cycle="monthly",
    )
    operation_create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        operation_create(**fields)


def test_status_pipeline(source, customer, partner):
    operation = operation_create(
        source=source,
        target_offer_id="o365-e3",
        customer=customer,
        partner=partner,
        upgrade_type="upgrade_only",
        quantity=10,
        billing_cycle="monthly",
    )
    with pytest.raises(IllegalStatusTransition):
        operation_transition(operation, to_status="succeeded")
    operation_transition(operation, to_status="awaiting_credit_check", note="order total above threshold")
    operation_transition(operation, to_status="declined", note="credit check declined")
    assert operation.completed is not None
    for status in ("pending", "in_progress", "succeeded", "failed"):
        with pytest.raises(IllegalStatusTransition):
            operation_transition(operation, to_status=status)
    assert list(operation.history.values_list("from_status", "to_status", "reason")) == [
        ("", "pending", ""),
        ("pending", "awaiting_credit_check", "order total above threshold"),
        ("awaiting_credit_check", "declined", "credit check declined"),
    ]


def test_stale_instance_cannot_move_an_operation_twice(source, customer, partner):
    operation = operation_create(
        source=source,
        target_offer_id="o365-e3",
        customer=customer,
        partner=partner,
        upgrade_type="upgrade_only",
        quantity=10,
        billing_cycle="monthly",
    )
    stale = UpgradeOperation.objects.get(pk=operation.pk)
    operation_transition(operation, to_status="in_progress")
    with pytest.raises(IllegalStatusTransition):
        operation_transition(stale, to_status="failed")


def test_concurrent_upgrade_seen_inside_the_transaction_answers_code_4(agent, source, monkeypatch):
    """The re-check inside the transaction sees an upgrade already running (simulated on one connection)."""
    seen = {}
    real = steps.create_target_subscription

    def racing_create(**kwargs):
        with pytest.raises(UpgradeNotEligible) as error:
            subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id="o365-e1")
        seen["codes"] = error.value.codes
        return real(**kwargs)

    monkeypatch.setattr(steps, "create_target_subscription", racing_create)
    result = subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    assert seen["codes"] == {C.CONCURRENCY_CONFLICTS}
    assert result.target_subscription_id and UpgradeOperation.objects.filter(status="succeeded").count() == 1
