"""upgrades 0002 moves the operation history (UpgradeStatusChange) into core.WorkflowTransition."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("upgrades", "0001_initial"), ("core", "0001_workflow_history")]
AFTER = [("upgrades", "0002_history_on_workflow_kernel")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_status_changes_are_copied_to_the_kernel_history():
    from tests import factories

    source = factories.SubscriptionFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Operation = apps.get_model("upgrades", "UpgradeOperation")
    Change = apps.get_model("upgrades", "UpgradeStatusChange")
    when = timezone.now() - timedelta(days=3)
    operation = Operation.objects.create(
        source_id=source.pk,
        target_offer_id="o365-e3",
        customer_id=source.customer_id,
        upgrade_type="upgrade_only",
        quantity=1,
        billing_cycle="monthly",
        status="failed",
        actor_upn="ana@contoso.test",
        correlation_id="corr-old",
    )
    Change.objects.create(operation=operation, from_status="", to_status="pending", note="Queued.", changed=when)
    Change.objects.create(
        operation=operation, from_status="pending", to_status="failed", note="Gone.", changed=when + timedelta(1)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    rows = apps.get_model("core", "WorkflowTransition").objects.filter(object_id=str(operation.pk))
    assert list(
        rows.values_list("workflow", "from_status", "to_status", "reason", "actor_username", "correlation_id")
    ) == [
        ("upgrade_operation", "", "pending", "Queued.", "ana@contoso.test", "corr-old"),
        ("upgrade_operation", "pending", "failed", "Gone.", "", "corr-old"),
    ]
    assert rows.first().at == when
