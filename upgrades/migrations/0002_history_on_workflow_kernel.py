"""The operation status history moves to the workflow kernel (core.WorkflowTransition)."""

from django.db import migrations


def copy_history(apps, schema_editor):
    Change = apps.get_model("upgrades", "UpgradeStatusChange")
    Transition = apps.get_model("core", "WorkflowTransition")
    rows = []
    for change in Change.objects.select_related("operation").order_by("changed", "id").iterator():
        operation = change.operation
        rows.append(
            Transition(
                workflow="upgrade_operation",
                object_id=str(operation.pk),
                from_status=change.from_status,
                to_status=change.to_status,
                reason=change.note[:500],
                actor_user_id=operation.actor_user_id if not change.from_status else None,
                actor_username=operation.actor_upn if not change.from_status else "",
                actor_application_id=operation.actor_application_id if not change.from_status else "",
                correlation_id=operation.correlation_id,
                at=change.changed,
            )
        )
        if len(rows) >= 500:
            Transition.objects.bulk_create(rows)
            rows = []
    Transition.objects.bulk_create(rows)


def copy_back(apps, schema_editor):
    Change = apps.get_model("upgrades", "UpgradeStatusChange")
    Transition = apps.get_model("core", "WorkflowTransition")
    Operation = apps.get_model("upgrades", "UpgradeOperation")
    ids = set(Operation.objects.values_list("pk", flat=True))
    Change.objects.bulk_create(
        [
            Change(
                operation_id=t.object_id,
                from_status=t.from_status,
                to_status=t.to_status,
                note=t.reason,
                changed=t.at,
            )
            for t in Transition.objects.filter(workflow="upgrade_operation").iterator()
            if t.object_id in {str(i) for i in ids}
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_workflow_history"),
        ("upgrades", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_history, copy_back),
        migrations.DeleteModel(name="UpgradeStatusChange"),
    ]
