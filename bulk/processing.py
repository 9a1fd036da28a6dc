"""Running a batch's items (called by ``bulk.tasks``, one chunk of positions at a time).

Each item is first CLAIMED with a conditional ``UPDATE ... SET status='running' WHERE status='pending'``
(committed, so the progress shows it), then run in ITS OWN transaction: the upgrade and the item's final
status commit together, so a crash leaves either both or neither. A chunk task that is retried or delivered
twice finds the finished items no longer ``pending`` and skips them: nothing is ever upgraded twice.
An item left ``running`` by a worker that died (its upgrade rolled back with it) is claimed again after
``STALE_AFTER``; the final ``UPDATE`` is conditional on the claim too, so a late original cannot overwrite it.
"""
from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.principals import ApplicationPrincipal
from partnercenter.errors import DomainError
from subscriptions.selectors import subscriptions_visible_to
from upgrades.exceptions import UpgradeNotEligible
from upgrades.results import UpgradeResult
from upgrades.eligibility.context import LoadedContext, load_contexts
from upgrades.selectors import upgrade_option_for, upgrade_option_in
from upgrades.services import subscription_upgrade

from .models import OPEN_BATCH_STATUSES, BatchStatus, ItemStatus, UpgradeBatch, UpgradeBatchItem
from .selectors import item_status_counts
from .services import fault

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)


class _LostClaim(Exception):
    """The item was claimed again by someone else meanwhile: roll this run back."""


def batch_actor(batch: UpgradeBatch):
    """Who the items run as: the user who created the batch, or the application (app-only token)."""
    if batch.created_by_user_id is not None:
        return batch.created_by_user
    if batch.created_by_application_id and batch.partner_id is not None:
        return ApplicationPrincipal(partner=batch.partner, application_id=uuid.UUID(batch.created_by_application_id))
    return None


def _empty_result(item: UpgradeBatchItem, **extra) -> dict:
    return {**UpgradeResult(source_subscription_id=str(item.subscription_id), target_subscription_id=None,
                            upgrade_type="none", status=ItemStatus.FAILED.value).as_dict(), **extra}


def _not_found(item: UpgradeBatchItem) -> dict:
    return _empty_result(item, fault=fault(
        code=404, error_name="not_found", data=[f"subscriptionId: {item.subscription_id}"],
        description=_("Subscription %(id)s of customer %(customer)s was not found.")
        % {"id": item.subscription_id, "customer": item.customer_tenant_id}))


def _fault_of(item: UpgradeBatchItem, exc: Exception) -> dict:
    if isinstance(exc, DomainError):
        data = list(exc.data or []) or ([f"{exc.field}: {exc.message}"] if exc.field else [])
        return _empty_result(item, fault=fault(code=exc.code or exc.http_status, error_name=exc.error_name,
                                               description=exc.message, data=data))
    if isinstance(exc, PermissionDenied):
        return _empty_result(item, fault=fault(code=403, error_name="forbidden", description=str(exc)))
    return _empty_result(item, fault=fault(code=500, error_name="internal_error",
                                           description=_("An internal error occurred while upgrading this item.")))


def _claim(item: UpgradeBatchItem, *, stale_before) -> object | None:
    """Claim the item (conditional UPDATE); the claim's start time, or None when somebody else has it."""
    started = timezone.now()
    claimable = Q(status=ItemStatus.PENDING) | Q(status=ItemStatus.RUNNING, started__lt=stale_before)
    claimed = (UpgradeBatchItem.objects.filter(claimable, pk=item.pk)
               .update(status=ItemStatus.RUNNING, started=started, attempts=F("attempts") + 1))
    return started if claimed else None


def _finish(item: UpgradeBatchItem, *, claim, status: str, result: dict, operation_id=None) -> bool:
    return bool(UpgradeBatchItem.objects.filter(pk=item.pk, status=ItemStatus.RUNNING, started=claim).update(
        status=status, result=result, operation_id=operation_id, finished=timezone.now()))


def _run(batch: UpgradeBatch, actor, item: UpgradeBatchItem, *, claim, in_scope: bool,
         loaded: LoadedContext | None = None) -> str:
    """Run one claimed item; its outcome (item status) is stored before returning.

    ``loaded``: the item's context from the chunk's batch load (dry runs); without it the item loads its own.
    """
    if actor is None:
        result = _empty_result(item, fault=fault(code=403, error_name="forbidden", description=_(
            "The user who created the batch no longer exists.")))
        _finish(item, claim=claim, status=ItemStatus.FAILED, result=result)
        return ItemStatus.FAILED
    if not in_scope:
        _finish(item, claim=claim, status=ItemStatus.FAILED, result=_not_found(item))
        return ItemStatus.FAILED
    try:
        if batch.dry_run:
            option = upgrade_option_in(loaded, item.target_offer_id) if loaded is not None else upgrade_option_for(
                actor=actor, subscription=item.subscription_id, target_offer_id=item.target_offer_id)
            status = ItemStatus.SUCCEEDED if option.is_eligible else ItemStatus.FAILED
            result = UpgradeResult(source_subscription_id=str(item.subscription_id), target_subscription_id=None,
                                   upgrade_type=option.upgrade_type, upgrade_errors=option.errors,
                                   status="eligible" if option.is_eligible else "not_eligible").as_dict()
            _finish(item, claim=claim, status=status, result={**result, "isEligible": option.is_eligible})
            return status
        with transaction.atomic():  # the upgrade and the item's outcome commit together
            outcome = subscription_upgrade(
                actor=actor, subscription_id=item.subscription_id, target_offer_id=item.target_offer_id,
                upgrade_type=item.upgrade_type or None, quantity=item.quantity,
                correlation_id=batch.correlation_id, request_id=f"batch:{batch.pk}:{item.position}")
            if not _finish(item, claim=claim, status=ItemStatus.SUCCEEDED, result=outcome.as_dict(),
                           operation_id=outcome.operation_id):
                raise _LostClaim()
        return ItemStatus.SUCCEEDED
    except _LostClaim:
        return "lost"
    except UpgradeNotEligible as exc:
        _finish(item, claim=claim, status=ItemStatus.FAILED, result=exc.result.as_dict())
    except (DomainError, PermissionDenied) as exc:
        _finish(item, claim=claim, status=ItemStatus.FAILED, result=_fault_of(item, exc))
    except Exception as exc:  # one broken item never stops the others
        logger.exception("Batch %s item %s failed unexpectedly", batch.pk, item.position)
        _finish(item, claim=claim, status=ItemStatus.FAILED, result=_fault_of(item, exc))
    return ItemStatus.FAILED


def _scope(actor, items: list[UpgradeBatchItem]) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(subscription id, customer tenant id) pairs of the chunk inside the actor's scope (one query)."""
    if actor is None or not items:
        return set()
    return set(subscriptions_visible_to(actor).filter(pk__in={i.subscription_id for i in items})
               .values_list("pk", "customer__tenant_id"))


def _dry_run_contexts(batch: UpgradeBatch, actor, items: list[UpgradeBatchItem],
                      scope: set[tuple[uuid.UUID, uuid.UUID]]) -> dict[uuid.UUID, LoadedContext]:
    """A dry run's contexts for the whole chunk in ONE batch load (fixed queries), each holding every requested
    target. Items left out (not upgradable here) or a refused load fall back to the per-item path, which
    reports their fault exactly as before."""
    if not batch.dry_run or actor is None:
        return {}
    wanted = [item for item in items if (item.subscription_id, item.customer_tenant_id) in scope]
    if not wanted:
        return {}
    try:
        return load_contexts(actor=actor, subscriptions={item.subscription_id for item in wanted},
                             extra_target_ids={str(item.target_offer_id or "") for item in wanted})
    except (DomainError, PermissionDenied):
        return {}


def upgrade_batch_chunk_process(*, batch_id, first_position: int, last_position: int) -> dict[str, int]:
    """Run the unfinished items of positions ``[first_position, last_position)``; counts of outcomes."""
    batch = UpgradeBatch.objects.select_related("created_by_user", "partner").filter(pk=batch_id).first()
    if batch is None:
        return {}
    now = timezone.now()
    stale_before = now - STALE_AFTER
    chunk = UpgradeBatchItem.objects.filter(batch_id=batch.pk, position__gte=first_position,
                                            position__lt=last_position)
    if batch.status == BatchStatus.CANCELLED:  # a crashed run's leftovers are cancelled, not run
        chunk.filter(status=ItemStatus.RUNNING, started__lt=stale_before).update(status=ItemStatus.CANCELLED,
                                                                                finished=now)
        upgrade_batch_finalize(batch_id=batch.pk)
        return {}
    UpgradeBatch.objects.filter(pk=batch.pk, status=BatchStatus.QUEUED).update(status=BatchStatus.RUNNING,
                                                                               started=now)
    items = list(chunk.filter(Q(status=ItemStatus.PENDING) | Q(status=ItemStatus.RUNNING, started__lt=stale_before))
                 .order_by("position"))
    actor = batch_actor(batch)
    scope = _scope(actor, items)
    contexts = _dry_run_contexts(batch, actor, items, scope)
    counts: Counter[str] = Counter()
    for item in items:
        claim = _claim(item, stale_before=stale_before)
        if claim is None:
            counts["not_claimed"] += 1
            continue
        counts[_run(batch, actor, item, claim=claim, in_scope=(item.subscription_id, item.customer_tenant_id) in scope,
                    loaded=contexts.get(item.subscription_id))] += 1
    upgrade_batch_finalize(batch_id=batch.pk)
    return dict(counts)


def upgrade_batch_finalize(*, batch_id) -> None:
    """Once no item is pending or running: the batch's final status (a cancelled batch stays cancelled)."""
    counts = item_status_counts(batch_id=batch_id)
    if counts[ItemStatus.PENDING] or counts[ItemStatus.RUNNING]:
        return
    now = timezone.now()
    UpgradeBatch.objects.filter(pk=batch_id, status=BatchStatus.CANCELLED, finished__isnull=True).update(finished=now)
    succeeded = counts[ItemStatus.SUCCEEDED]
    if succeeded == counts["total"]:
        final = BatchStatus.SUCCEEDED
    elif succeeded == 0:
        final = BatchStatus.FAILED
    else:
        final = BatchStatus.PARTIALLY_SUCCEEDED
    UpgradeBatch.objects.filter(pk=batch_id, status__in=OPEN_BATCH_STATUSES).update(
        status=final, finished=now, started=Coalesce(F("started"), Value(now, output_field=DateTimeField())))
