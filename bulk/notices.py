"""The in-portal notification "your batch finished", sent once per batch to the user who created it.

Called by ``bulk.processing.upgrade_batch_finalize`` when a batch reaches its final status; sent once the
transaction commits, exactly once per batch (``Notification.key`` ``batch-finished:<batch id>``). A batch
created by an application (app-only token) has no user to tell.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import events
from notifications.models import Level
from notifications.services import notification_create

from .models import BATCH_WORKFLOW, BatchStatus, ItemStatus, UpgradeBatch
from .selectors import item_status_counts

LEVELS = {
    BatchStatus.SUCCEEDED: Level.SUCCESS,
    BatchStatus.PARTIALLY_SUCCEEDED: Level.WARNING,
    BatchStatus.FAILED: Level.ERROR,
    BatchStatus.CANCELLED: Level.INFO,
}


def notify_batch_finished(batch_id) -> None:
    """Once the transaction commits, tell the creator of the batch that it finished (and the partner's webhook
    listeners: ``upgrade-batch-finished``)."""
    transaction.on_commit(lambda: batch_finished_notify(batch_id=batch_id))
    events.emit_lazy(lambda: batch_finished_event(batch_id))


def batch_finished_event(batch_id) -> events.DomainEvent | None:
    """The ``upgrade-batch-finished`` event of a batch in its final status (built after the commit)."""
    batch = UpgradeBatch.objects.filter(pk=batch_id).values("partner_id", "status", "dry_run").first()
    if batch is None or BATCH_WORKFLOW.is_open(batch["status"]):
        return None
    return events.DomainEvent(
        name=events.UPGRADE_BATCH_FINISHED,
        partner_ids=(batch["partner_id"],),
        resource_uri=f"/v1/upgradeBatches/{batch_id}",
        resource_name="UpgradeBatch",
        payload={"status": batch["status"], "dryRun": batch["dry_run"]},
    )


def batch_finished_notify(*, batch_id):
    """The notification itself (idempotent: the same batch never notifies twice); None when there is nobody
    to tell or the batch is not final."""
    batch = UpgradeBatch.objects.select_related("created_by_user").filter(pk=batch_id).first()
    if batch is None or batch.created_by_user is None or BATCH_WORKFLOW.is_open(batch.status):
        return None
    counts = item_status_counts(batch_id=batch.pk)

    def message() -> str:
        values = {
            "status": batch.get_status_display(),
            "total": counts["total"],
            "succeeded": counts[ItemStatus.SUCCEEDED],
            "failed": counts[ItemStatus.FAILED],
        }
        if batch.dry_run:
            return (
                _(
                    "Your dry run of %(total)d upgrades finished (%(status)s): %(succeeded)d eligible, "
                    "%(failed)d not eligible."
                )
                % values
            )
        return (
            _("Your batch of %(total)d upgrades finished (%(status)s): %(succeeded)d succeeded, %(failed)d failed.")
            % values
        )

    return notification_create(
        user=batch.created_by_user,
        level=LEVELS.get(batch.status, Level.INFO),
        message=message,
        link=reverse("portal:batch_detail", kwargs={"batch_id": batch.pk}),
        key=f"batch-finished:{batch.pk}",
    )
