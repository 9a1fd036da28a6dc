"""New batches made from an earlier one: retrying its failed items, submitting a finished dry run for real.

Both go through ``bulk.services.upgrade_batch_create`` (its rules, its audit record, its enqueueing); the
earlier batch is never changed. ``batch`` must come from ``bulk.selectors.upgrade_batch_for`` (the actor's
scope: another partner's batch was already a ``NotFound``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import Conflict
from partners.roles import Capability, require

from .models import ItemStatus, UpgradeBatch, UpgradeBatchItem
from .services import BatchItemSpec, upgrade_batch_create


def _specs(items) -> list[BatchItemSpec]:
    return [
        BatchItemSpec(
            customer_tenant_id=customer,
            subscription_id=subscription,
            target_offer_id=target,
            quantity=quantity,
            upgrade_type=upgrade_type or None,
            kind=kind,
            request=request or {},
        )
        for customer, subscription, target, quantity, upgrade_type, kind, request in items.order_by(
            "position"
        ).values_list(
            "customer_tenant_id", "subscription_id", "target_offer_id", "quantity", "upgrade_type", "kind", "request"
        )
    ]


def _require_finished(batch: UpgradeBatch) -> None:
    batch.refresh_from_db(fields=["status"])
    if batch.is_open:
        raise Conflict(
            _("The batch is still running: wait until it has finished."), field="status", error_name="batch_running"
        )


def upgrade_batch_retry_failed(*, actor, batch: UpgradeBatch) -> UpgradeBatch:
    """A new batch (a dry run again for a dry run) of the finished batch's FAILED items, in their order."""
    require(actor, Capability.UPGRADE)
    _require_finished(batch)
    specs = _specs(UpgradeBatchItem.objects.filter(batch_id=batch.pk, status=ItemStatus.FAILED))
    if not specs:
        raise Conflict(_("The batch has no failed item to retry."), field="status", error_name="nothing_to_retry")
    return upgrade_batch_create(actor=actor, items=specs, dry_run=batch.dry_run)


def upgrade_batch_submit(*, actor, batch: UpgradeBatch, only_eligible: bool = True) -> UpgradeBatch:
    """The real batch of a finished dry run: its eligible items (``only_eligible``), or all of them."""
    require(actor, Capability.UPGRADE)
    if not batch.dry_run:
        raise Conflict(_("Only a dry run can be submitted as a batch."), field="dryRun", error_name="not_a_dry_run")
    _require_finished(batch)
    items = UpgradeBatchItem.objects.filter(batch_id=batch.pk)
    if only_eligible:
        items = items.filter(status=ItemStatus.SUCCEEDED)
    specs = _specs(items)
    if not specs:
        raise Conflict(
            _("No item of this dry run is eligible: there is nothing to submit."),
            field="items",
            error_name="nothing_eligible",
        )
    return upgrade_batch_create(actor=actor, items=specs, dry_run=False)
