"""An upgrade leaves kernel history rows matching its moves: who, from, to, why, correlation id."""

import pytest

from core.models import WorkflowTransition
from subscriptions.models import Subscription
from tests.builders import add_users
from upgrades.services import subscription_upgrade, subscription_upgrade_async, upgrade_operation_execute

pytestmark = pytest.mark.django_db


def rows(operation_id):
    return list(
        WorkflowTransition.objects.filter(workflow="upgrade_operation", object_id=str(operation_id)).values_list(
            "from_status", "to_status", "actor_username", "correlation_id"
        )
    )


def test_an_upgrade_in_the_request_writes_one_row_per_move(agent, source):
    add_users(source, 2)
    result = subscription_upgrade(
        actor=agent, subscription_id=source.pk, target_offer_id="o365-e3", correlation_id="corr-up"
    )
    assert rows(result.operation_id) == [
        ("", "pending", agent.username, "corr-up"),
        ("pending", "in_progress", agent.username, "corr-up"),
        ("in_progress", "succeeded", agent.username, "corr-up"),
    ]
    reasons = WorkflowTransition.objects.filter(object_id=result.operation_id).values_list("reason", flat=True)
    assert list(reasons)[1] == "Eligibility re-checked."


def test_a_queued_upgrade_that_is_no_longer_eligible_fails_with_one_row(agent, source):
    operation = subscription_upgrade_async(
        actor=agent, subscription_id=source.pk, target_offer_id="o365-e3", correlation_id="corr-q"
    )
    Subscription.objects.filter(pk=source.pk).update(status="suspended")
    upgrade_operation_execute(operation_id=operation.pk)
    history = rows(operation.pk)
    assert [h[:2] for h in history] == [("", "pending"), ("pending", "failed")]
    assert {h[3] for h in history} == {"corr-q"}
    upgrade_operation_execute(operation_id=operation.pk)  # idempotent: nothing more
    assert len(rows(operation.pk)) == 2
