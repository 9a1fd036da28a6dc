"""Creating and cancelling upgrade batches (the rules; ``bulk.processing`` runs the items).

``upgrade_batch_create`` stores the batch and ALL its items in a fixed number of queries (``rows.insert_rows``)
and enqueues one Celery task per chunk of ``CHUNK_SIZE`` positions once the transaction commits; each chunk has
a row (``UpgradeBatchChunk``) through which the sweep of ``bulk.processing`` finds a chunk whose worker died.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_build, audit_record_create
from catalog.models import CommerceProduct
from core import events, workflow
from core.errors import Conflict, Forbidden, InvalidInput
from core.rows import insert_rows
from core.tasks import enqueue
from customers.selectors import acting_partner_id
from partners.approval import JobSize, exceeded_text
from partners.roles import Capability, require
from subscriptions.models import CommerceType, SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to
from subscriptions.services import scheduling_refusal
from upgrades.approval_services import SizeLine, approval_for, approval_requested_notify, size_dict

from .item_fields import INSTRUCTIONS, catalog_item_of, instructions_field
from .models import BatchStatus, ItemKind, ItemStatus, UpgradeBatch, UpgradeBatchChunk, UpgradeBatchItem
from .notices import notify_batch_finished

MAX_BATCH_ITEMS = 10_000
CHUNK_SIZE = 100


@dataclass(frozen=True)
class BatchItemSpec:
    """One requested item (shape already validated by the caller, ``bulk.item_fields``): an upgrade (the
    default), a transition or a scheduled change; ``request`` holds a new commerce item's fields as the API takes
    them (``item_fields.transition_request_field`` / ``instructions_field``)."""

    customer_tenant_id: uuid.UUID
    subscription_id: uuid.UUID
    target_offer_id: str = ""
    quantity: int | None = None
    upgrade_type: str | None = None
    kind: str = ItemKind.UPGRADE
    request: dict = field(default_factory=dict)


def catalog_offers() -> dict[str, str]:
    """``PRODUCT:SKU:AVAILABILITY`` → offer id of every new commerce product (one query: a small table)."""
    return {
        f"{p}:{s}:{a}".upper(): offer_id
        for offer_id, p, s, a in CommerceProduct.objects.values_list(
            "offer_id", "product_id", "sku_id", "availability_id"
        )
    }


def _resolved(items: Sequence[BatchItemSpec]) -> list[BatchItemSpec]:
    """New commerce items get their target offer (the catalog item's, empty when unknown: the service then
    refuses the item) and their seats (a scheduled change's quantity): one query when there is one."""
    if all(spec.kind == ItemKind.UPGRADE for spec in items):
        return list(items)
    offers = catalog_offers()
    resolved = []
    for spec in items:
        item = catalog_item_of(spec.kind, spec.request)
        if item is not None:
            quantity = spec.quantity
            if spec.kind == ItemKind.SCHEDULED_CHANGE:
                quantity = (spec.request.get(INSTRUCTIONS) or {}).get("quantity")
            elif spec.kind == ItemKind.TRANSITION:
                quantity = spec.request.get("quantity")
            spec = replace(spec, target_offer_id=offers.get(item, ""), quantity=quantity)
        resolved.append(spec)
    return resolved


def fault(*, code: int, error_name: str, description: str, data: Sequence[str] = ()) -> dict:
    """A ServiceFault-shaped error stored on an item (``result["fault"]``)."""
    return {
        "code": int(code),
        "errorName": error_name,
        "description": str(description),
        "data": [str(line) for line in data],
    }


def _duplicate_result(spec: BatchItemSpec, first_position: int) -> dict:
    return {
        "sourceSubscriptionId": str(spec.subscription_id),
        "targetSubscriptionId": None,
        "upgradeType": "none",
        "upgradeErrors": [],
        "licenseErrors": [],
        "status": ItemStatus.SKIPPED.value,
        "fault": fault(
            code=409,
            error_name="duplicate_item",
            description=_("items[%(first)d] already upgrades this subscription in this batch.")
            % {"first": first_position},
        ),
    }


def _actor_fields(actor) -> dict:
    if getattr(actor, "is_application", False):
        return {"created_by_user": None, "created_by_application_id": str(actor.application_id)}
    return {"created_by_user": actor, "created_by_application_id": ""}


def upgrade_batch_create(
    *, actor, items: Sequence[BatchItemSpec], dry_run: bool = False, correlation_id: str = "", request_id: str = ""
) -> UpgradeBatch:
    """Store a batch and its items, then (on commit) enqueue its chunks. Fixed query count for any size.

    In a real batch a subscription listed twice runs once: later occurrences are ``skipped``. A dry run
    evaluates every item (the same subscription may be checked against several targets). A real batch above the
    partner's approval threshold (its non-duplicate items, their seats and monthly value) starts
    ``awaiting_approval``: its items and chunks are stored, nothing is enqueued until it is approved
    (``bulk.approval_services``); the partner's approvers are notified.
    """
    require(actor, Capability.UPGRADE)
    if any(spec.kind == ItemKind.SCHEDULED_CHANGE for spec in items):
        require(actor, Capability.MANAGE_SUBSCRIPTIONS)  # scheduled changes are the subscriptions service's
    if not 1 <= len(items) <= MAX_BATCH_ITEMS:
        raise InvalidInput(
            _("must hold 1 to %(max)d items (got %(count)d).") % {"max": MAX_BATCH_ITEMS, "count": len(items)},
            field="items",
        )
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        raise Forbidden(_("A batch belongs to a partner: operators cannot create one."))
    items = _resolved(items)
    measures: list[str] = []
    size: JobSize | None = None
    if not dry_run:
        unique = {spec.subscription_id: spec for spec in reversed(items)}  # the first occurrence of each
        measures, size = approval_for(
            actor,
            getattr(actor, "partner", None),
            [SizeLine(s.subscription_id, s.target_offer_id, s.quantity) for s in unique.values()],
        )
    now = timezone.now()
    batch = UpgradeBatch(
        partner_id=partner_id,
        status=BatchStatus.AWAITING_APPROVAL if measures else BatchStatus.QUEUED,
        approval_required=measures,
        approval_size=size_dict(size) if (measures and size is not None) else {},
        dry_run=bool(dry_run),
        total_items=len(items),
        correlation_id=(correlation_id or "")[:64],
        request_id=(request_id or "")[:200],
        created=now,
        **_actor_fields(actor),
    )
    first_seen: dict[uuid.UUID, int] = {}
    rows = []
    for position, spec in enumerate(items):
        first = first_seen.setdefault(spec.subscription_id, position)
        # a duplicate of an earlier item is created skipped (its first status; items have no start row)
        duplicate = (
            {"status": ItemStatus.SKIPPED, "result": _duplicate_result(spec, first), "finished": now}
            if not dry_run and first != position
            else {}
        )
        row = UpgradeBatchItem(
            batch=batch,
            position=position,
            customer_tenant_id=spec.customer_tenant_id,
            subscription_id=spec.subscription_id,
            target_offer_id=spec.target_offer_id,
            quantity=spec.quantity,
            upgrade_type=spec.upgrade_type or "",
            kind=spec.kind,
            request=spec.request,
            created=now,
            **duplicate,
        )
        rows.append(row)
    with transaction.atomic():
        batch.save(force_insert=True)
        workflow.start(batch, actor=actor, reason=_start_reason(dry_run, measures), at=now)
        insert_rows(UpgradeBatchItem, rows)
        insert_rows(
            UpgradeBatchChunk,
            [
                UpgradeBatchChunk(batch=batch, first_position=first, last_position=last, enqueued=now)
                for first, last in chunk_bounds(len(rows))
            ],
        )
        record = audit_record_build(
            actor=actor,
            operation_type=OperationType.UPGRADE_SUBSCRIPTION,
            resource_type="UpgradeBatch",
            old=None,
            correlation_id=batch.correlation_id,
            new={
                "id": str(batch.pk),
                "dryRun": batch.dry_run,
                "totalItems": len(rows),
                "status": batch.status,
                **({"approvalRequired": measures, "size": batch.approval_size} if measures else {}),
            },
        )
        record.partner_id = partner_id
        record.save(force_insert=True)
        batch_id, total = str(batch.pk), len(rows)
        if measures:
            creator_id = batch.created_by_user_id

            def message() -> str:
                return _(
                    "A batch of %(count)d upgrades waits for your approval (above the threshold: %(measures)s)."
                ) % {"count": total, "measures": exceeded_text(measures)}

            transaction.on_commit(
                lambda: approval_requested_notify(
                    kind="batch", job_id=batch_id, partner_id=partner_id, created_by_user_id=creator_id, message=message
                )
            )
            events.emit(
                events.APPROVAL_REQUESTED,
                partner_id=partner_id,
                resource_uri=f"/v1/upgradeBatches/{batch_id}",
                resource_name="UpgradeBatch",
                payload={"approvalRequired": measures},
                audit_id=record.pk,
            )
        else:
            transaction.on_commit(lambda: upgrade_batch_enqueue(batch_id=batch_id, total=total))
    return batch


def _start_reason(dry_run: bool, measures: list[str]) -> str:
    if dry_run:
        return _("Dry run requested.")
    if measures:
        return _("Batch requested; above the approval threshold (%(measures)s): waiting for approval.") % {
            "measures": exceeded_text(measures)
        }
    return _("Batch requested.")


def chunk_bounds(total: int, size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """``[(first_position, last_position_exclusive), ...]`` covering ``0..total``."""
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def upgrade_batch_enqueue(*, batch_id: str, total: int) -> None:
    """One Celery task per chunk (eager in development: they run here and now)."""
    for first, last in chunk_bounds(total):
        enqueue("bulk.process_upgrade_batch_chunk", batch_id, first, last)


def upgrade_batch_cancel(*, actor, batch: UpgradeBatch) -> UpgradeBatch:
    """Cancel the items that have not started (running ones finish). Cancelling twice is harmless;
    a batch that already finished answers ``Conflict``. ``batch`` must come from ``selectors.upgrade_batch_for``.
    Its creator is told it ended (``notices``) when somebody else cancelled it, now or, when items were still
    running, once the last of them finishes (``processing.upgrade_batch_finalize``)."""
    require(actor, Capability.UPGRADE)
    now = timezone.now()
    with transaction.atomic():
        locked = UpgradeBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == BatchStatus.CANCELLED:
            return locked
        if not locked.is_open:
            raise Conflict(
                _("The batch has already finished (%(status)s): there is nothing left to cancel.")
                % {"status": locked.status},
                field="status",
                error_name="batch_finished",
            )
        items = UpgradeBatchItem.objects.filter(batch_id=locked.pk)
        cancelled = workflow.transition_many(
            items.filter(status=ItemStatus.PENDING),
            ItemStatus.CANCELLED,
            actor=actor,
            reason=_("The batch was cancelled."),
            at=now,
            values={"finished": now},
        )
        still_running = items.filter(status=ItemStatus.RUNNING).exists()
        old_status = locked.status
        workflow.transition(
            locked,
            BatchStatus.CANCELLED,
            actor=actor,
            reason=_("Cancelled."),
            at=now,
            values={"finished": None if still_running else now},
        )
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPGRADE_SUBSCRIPTION,
            resource_type="UpgradeBatch",
            partner=locked.partner,
            old={"id": str(locked.pk), "status": old_status},
            new={"id": str(locked.pk), "status": locked.status, "cancelledItems": cancelled},
        )
        if not still_running and getattr(actor, "pk", None) != locked.created_by_user_id:
            notify_batch_finished(locked.pk)  # cancelled by someone else: its creator learns it ended
    return locked


# -- the renewals page's selection: one batch of changes scheduled at renewal (domain.md §8) -----------------------


@dataclass(frozen=True)
class ScheduleChoice:
    """What the selected subscriptions get at renewal; None keeps each one's current value."""

    catalog_item_id: str | None = None  # productId:skuId:availabilityId
    term_duration: str | None = None
    billing_cycle: str | None = None
    quantity: int | None = None


def scheduled_change_batch_create(
    *, actor, subscription_ids: Sequence[uuid.UUID], choice: ScheduleChoice, correlation_id: str = ""
) -> UpgradeBatch:
    """ONE batch of ``scheduledChange`` items for the selected subscriptions (``upgrade_batch_create``: its
    approval threshold may leave it awaiting approval). Each item's instructions: the chosen catalog item, term,
    cycle and seats, else the subscription's own (its offer's catalog item). Refused as a whole (``InvalidInput``
    naming ``subscription``) when a selected id is not one of the actor's active new commerce subscriptions (it
    is never described) or cannot get scheduled changes (auto-renew off). A fixed number of queries."""
    require(actor, Capability.UPGRADE)
    require(actor, Capability.MANAGE_SUBSCRIPTIONS)
    wanted = list(dict.fromkeys(subscription_ids))
    if not 1 <= len(wanted) <= MAX_BATCH_ITEMS:
        raise InvalidInput(_("Select 1 to %(max)d subscriptions.") % {"max": MAX_BATCH_ITEMS}, field="subscription")
    rows = {
        row["pk"]: row
        for row in subscriptions_visible_to(actor)
        .filter(pk__in=wanted, commerce=CommerceType.NEW, status=SubscriptionStatus.ACTIVE)
        .values(
            "pk",
            "customer__tenant_id",
            "offer_id",
            "offer__name",
            "quantity",
            "term_duration",
            "billing_cycle",
            "auto_renew",
        )
    }
    missing = [pk for pk in wanted if pk not in rows]
    if missing:
        raise InvalidInput(
            _("%(count)d of the selected subscriptions were not found among your renewing new commerce subscriptions.")
            % {"count": len(missing)},
            field="subscription",
        )
    refused = [
        f"{rows[pk]['offer__name']} ({pk}): {refusal}"
        for pk in wanted
        if (refusal := scheduling_refusal(is_new_commerce=True, auto_renew=rows[pk]["auto_renew"]))
    ]
    if refused:
        raise InvalidInput("; ".join(refused), field="subscription")
    own_items: dict[str, tuple[str, str, str]] = {}
    if choice.catalog_item_id is None:
        for offer_id, p, s, a in (
            CommerceProduct.objects.filter(offer_id__in={row["offer_id"] for row in rows.values()})
            .order_by("offer_id", "product_id", "sku_id", "availability_id")
            .values_list("offer_id", "product_id", "sku_id", "availability_id")
        ):
            own_items.setdefault(offer_id, (p, s, a))
    specs = []
    for pk in wanted:
        row = rows[pk]
        if choice.catalog_item_id is not None:
            product_id, sku_id, availability_id = choice.catalog_item_id.split(":")
        elif row["offer_id"] in own_items:
            product_id, sku_id, availability_id = own_items[row["offer_id"]]
        else:
            raise InvalidInput(
                _("%(offer)s has no new commerce catalog item: choose a target product.")
                % {"offer": row["offer__name"]},
                field="target",
            )
        request, problem = instructions_field(
            {
                "product": {
                    "productId": product_id,
                    "skuId": sku_id,
                    "availabilityId": availability_id,
                    "billingCycle": choice.billing_cycle or row["billing_cycle"],
                    "termDuration": choice.term_duration or row["term_duration"],
                },
                "quantity": choice.quantity if choice.quantity is not None else row["quantity"],
                "customTermEndDate": None,
            }
        )
        if problem:
            raise InvalidInput(problem[1], field=problem[0])
        specs.append(
            BatchItemSpec(
                customer_tenant_id=row["customer__tenant_id"],
                subscription_id=pk,
                kind=ItemKind.SCHEDULED_CHANGE,
                request=request or {},
            )
        )
    return upgrade_batch_create(actor=actor, items=specs, correlation_id=correlation_id)
