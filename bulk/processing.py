"""Running a batch's items (called by ``bulk.tasks``, one chunk of positions at a time), and the sweep that
sends a chunk again when its worker died.

Each item is first CLAIMED with a conditional ``UPDATE ... SET status='running' WHERE status='pending'``
(committed, so the progress shows it), then run in ITS OWN transaction: the upgrade and the item's final
status commit together, so a crash leaves either both or neither. A chunk task that is retried or delivered
twice finds the finished items no longer ``pending`` and skips them: nothing is ever upgraded twice.

While a chunk runs, a thread of the worker refreshes the ``heartbeat`` of the chunk and of the item being run
every ``BULK_HEARTBEAT_INTERVAL`` seconds. An item left ``running`` by a worker that died (its upgrade rolled
back with it) may be claimed again once its heartbeat is older than ``BULK_STALE_AFTER``; the final ``UPDATE``
is conditional on the claim too, so a late original cannot overwrite it (its upgrade rolls back). Besides, the
upgrade itself refuses to run twice: the source subscription is locked while it runs and is no longer active
once upgraded. ``upgrade_batch_sweep`` (beat, every ``BULK_SWEEP_INTERVAL`` seconds) queues a chunk again when
its worker went silent (``running`` with a stale heartbeat) or when an item of a finished chunk is left
``running`` by a duplicate run that died.

Item kinds (``UpgradeBatchItem.kind``): an ``upgrade`` runs through ``upgrades.services.subscription_upgrade``
(the legacy fast path below); a ``transition`` through ``commerce.services.subscription_transition`` (its result
is the Transition resource, the item links the row); a ``scheduledChange`` through
``subscriptions.services.subscription_update_outcome`` (its result the instructions as stored). New commerce
items load their own rows in their service (a fixed cost per item); their dry run is the transition's immediate
eligibility or the scheduled change's checks (``instructions_check``), nothing written.

Cost: the chunk's contexts are ONE batch load (``load_contexts``); a real item then costs a fixed 11 statements
(claim, lock and re-read, target, license read and move, cancel, operation, billing, audit, outcome, history),
see ``upgrades.services.subscription_upgrade(loaded=...)``. A dry-run chunk runs in one transaction in a fixed
number of statements (claims in one UPDATE, outcomes in one ``executemany``), whatever its size.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import Counter
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor
from commerce.api.transition_serializers import TransitionSerializer
from commerce.selectors import transition_eligibilities_for
from commerce.services import subscription_transition
from commerce.types import EligibilityType, TransitionErrorCode
from core import workflow
from core.correlation import correlation_scope
from core.errors import DomainError
from core.tasks import enqueue
from subscriptions.models import Subscription
from subscriptions.selectors import subscriptions_visible_to
from subscriptions.services import instructions_check, subscription_update_outcome
from upgrades.eligibility.context import LoadedContext, load_contexts
from upgrades.exceptions import UpgradeNotEligible
from upgrades.results import UpgradeResult
from upgrades.selectors import upgrade_option_for, upgrade_option_in
from upgrades.services import subscription_upgrade

from .item_fields import INSTRUCTIONS
from .models import (
    BatchStatus,
    ChunkStatus,
    ItemKind,
    ItemStatus,
    UpgradeBatch,
    UpgradeBatchChunk,
    UpgradeBatchItem,
)
from .notices import notify_batch_finished
from .selectors import item_status_counts
from .services import fault

logger = logging.getLogger(__name__)


def stale_after() -> timedelta:
    """How long a claim or a chunk may stay without a heartbeat before its worker counts as dead."""
    return timedelta(seconds=settings.BULK_STALE_AFTER)


class _LostClaim(Exception):
    """The item was claimed again by someone else meanwhile: roll this run back."""


def batch_actor(batch: UpgradeBatch):
    """Who the items run as (an ``Actor`` rebuilt in the chunk task): the user who created the batch, or the
    application (app-only token); None when neither is known any more."""
    actor = Actor.for_row(
        user=batch.created_by_user if batch.created_by_user_id is not None else None,
        partner=batch.partner if batch.partner_id is not None else None,
        application_id=batch.created_by_application_id,
    )
    return actor if actor.is_authenticated else None


def _empty_result(item: UpgradeBatchItem, **extra) -> dict:
    """A failed item's result: an UpgradeResult for an upgrade; for a new commerce item the subscription and
    its status (the fault says why)."""
    if item.kind != ItemKind.UPGRADE:
        return {"subscriptionId": str(item.subscription_id), "status": ItemStatus.FAILED.value, **extra}
    return {
        **UpgradeResult(
            source_subscription_id=str(item.subscription_id),
            target_subscription_id=None,
            upgrade_type="none",
            status=ItemStatus.FAILED.value,
        ).as_dict(),
        **extra,
    }


def _not_found(item: UpgradeBatchItem) -> dict:
    return _empty_result(
        item,
        fault=fault(
            code=404,
            error_name="not_found",
            data=[f"subscriptionId: {item.subscription_id}"],
            description=_("Subscription %(id)s of customer %(customer)s was not found.")
            % {"id": item.subscription_id, "customer": item.customer_tenant_id},
        ),
    )


def _fault_of(item: UpgradeBatchItem, exc: Exception) -> dict:
    if isinstance(exc, DomainError):
        data = list(exc.data or []) or ([f"{exc.field}: {exc.message}"] if exc.field else [])
        return _empty_result(
            item,
            fault=fault(
                code=exc.code or exc.http_status, error_name=exc.error_name, description=exc.message, data=data
            ),
        )
    if isinstance(exc, PermissionDenied):
        return _empty_result(item, fault=fault(code=403, error_name="forbidden", description=str(exc)))
    return _empty_result(
        item,
        fault=fault(
            code=500,
            error_name="internal_error",
            description=_("An internal error occurred while upgrading this item."),
        ),
    )


def _silent_claim(stale_before) -> Q:
    """Items running under a claim whose worker went silent (no heartbeat: a claim older than this field)."""
    return Q(status=ItemStatus.RUNNING) & (
        Q(heartbeat__lt=stale_before) | Q(heartbeat__isnull=True, started__lt=stale_before)
    )


def _claimable(stale_before) -> Q:
    """Items nobody runs: pending, or running under a claim whose worker went silent."""
    return Q(status=ItemStatus.PENDING) | _silent_claim(stale_before)


def _claim(item: UpgradeBatchItem, *, stale_before, history: workflow.HistoryBuffer) -> object | None:
    """Claim the item (conditional UPDATE); the claim's start time, or None when somebody else has it."""
    started = timezone.now()
    try:
        workflow.transition(
            item,
            ItemStatus.RUNNING,
            reason=_("Claimed by a worker."),
            at=started,
            # a pending item's status guard is the whole condition; a running one must have gone silent
            where=None if item.status == ItemStatus.PENDING else _silent_claim(stale_before),
            values={"started": started, "heartbeat": started, "attempts": F("attempts") + 1},
            buffer=history,
        )
    except workflow.IllegalTransition:
        return None
    return started


class Heartbeat:
    """Refreshes the heartbeat of a running chunk and of its current item (``.item = (pk, claim)``).

    ``beat()`` writes once; used as a context manager it also beats from a thread (its own database connection)
    every ``interval`` seconds, so even a long item keeps its claim. No thread when ``interval`` is 0.
    """

    def __init__(self, chunk_pk, interval: float):
        self.chunk_pk, self.interval = chunk_pk, interval
        self.item: tuple | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        now = timezone.now()
        UpgradeBatchChunk.objects.filter(pk=self.chunk_pk, status=ChunkStatus.RUNNING).update(heartbeat=now)
        current = self.item
        if current is not None:
            UpgradeBatchItem.objects.filter(pk=current[0], status=ItemStatus.RUNNING, started=current[1]).update(
                heartbeat=now
            )

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.beat()
                except Exception:  # a missed beat is retried; the chunk goes on
                    logger.exception("Heartbeat of chunk %s failed", self.chunk_pk)
        finally:
            connections.close_all()  # this thread's own connections

    def __enter__(self) -> Heartbeat:
        if self.interval > 0:
            self._thread = threading.Thread(target=self._loop, name=f"bulk-heartbeat-{self.chunk_pk}", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _finish(
    item: UpgradeBatchItem, *, claim, status: str, result: dict, operation_id=None, transition_id=None, history=None
) -> bool:
    """Store the outcome under the item's claim (False when the claim was taken meanwhile)."""
    try:
        workflow.transition(
            item,
            status,
            where=Q(started=claim),
            values={
                "result": result,
                "operation_id": operation_id,
                "transition_id": transition_id,
                "finished": timezone.now(),
            },
            buffer=history,
        )
    except workflow.IllegalTransition:
        return False
    return True


def _no_actor_result(item: UpgradeBatchItem) -> dict:
    return _empty_result(
        item,
        fault=fault(
            code=403, error_name="forbidden", description=_("The user who created the batch no longer exists.")
        ),
    )


def _run(
    batch: UpgradeBatch,
    actor,
    item: UpgradeBatchItem,
    *,
    claim,
    in_scope: bool,
    history: workflow.HistoryBuffer,
    loaded: LoadedContext | None = None,
) -> str:
    """Run one claimed item; its outcome (item status) is stored before returning.

    ``loaded``: the item's context from the chunk's batch load; without it the item loads its own. A real
    upgrade locks and re-reads its source, customer and holdings in its own transaction (``subscription_upgrade``
    with ``loaded``); its status history rows and the item's final one are written in one INSERT there.
    """
    if actor is None:
        _finish(item, claim=claim, history=history, status=ItemStatus.FAILED, result=_no_actor_result(item))
        return ItemStatus.FAILED
    if not in_scope:
        _finish(item, claim=claim, history=history, status=ItemStatus.FAILED, result=_not_found(item))
        return ItemStatus.FAILED
    try:
        if batch.dry_run:
            status, result = _dry_run_outcome(actor, item, loaded=loaded)
            _finish(item, claim=claim, history=history, status=status, result=result)
            return status
        claimed = list(history.rows)  # the claim's row: written with the outcome, whichever it is
        try:
            with transaction.atomic():  # the change and the item's outcome commit together
                if item.kind == ItemKind.TRANSITION:
                    _transition(batch, actor, item, claim=claim, history=history)
                elif item.kind == ItemKind.SCHEDULED_CHANGE:
                    _schedule(batch, actor, item, claim=claim, history=history)
                else:
                    _upgrade(batch, actor, item, claim=claim, history=history, loaded=loaded)
        except BaseException:
            history.rows = claimed  # what the rolled-back run collected is gone with it
            raise
        return ItemStatus.SUCCEEDED
    except _LostClaim:
        return "lost"
    except UpgradeNotEligible as exc:
        _finish(item, claim=claim, history=history, status=ItemStatus.FAILED, result=exc.result.as_dict())
    except (DomainError, PermissionDenied) as exc:
        _finish(item, claim=claim, history=history, status=ItemStatus.FAILED, result=_fault_of(item, exc))
    except Exception as exc:  # one broken item never stops the others
        logger.exception("Batch %s item %s failed unexpectedly", batch.pk, item.position)
        _finish(item, claim=claim, history=history, status=ItemStatus.FAILED, result=_fault_of(item, exc))
    return ItemStatus.FAILED


def _dry_run_outcome(actor, item: UpgradeBatchItem, *, loaded: LoadedContext | None) -> tuple[str, dict]:
    """A dry-run item's status and result, written by nobody here: its eligibility, on the chunk's batch load
    or (not in it) loaded for the item alone."""
    if item.kind == ItemKind.TRANSITION:
        return _transition_check(actor, item)
    if item.kind == ItemKind.SCHEDULED_CHANGE:
        return _schedule_check(actor, item)
    option = (
        upgrade_option_in(loaded, item.target_offer_id)
        if loaded is not None
        else upgrade_option_for(actor=actor, subscription=item.subscription_id, target_offer_id=item.target_offer_id)
    )
    status = ItemStatus.SUCCEEDED if option.is_eligible else ItemStatus.FAILED
    result = UpgradeResult(
        source_subscription_id=str(item.subscription_id),
        target_subscription_id=None,
        upgrade_type=option.upgrade_type,
        upgrade_errors=option.errors,
        status="eligible" if option.is_eligible else "not_eligible",
    ).as_dict()
    return status, {**result, "isEligible": option.is_eligible}


def _dry_run_chunk(
    batch: UpgradeBatch,
    actor,
    items: list[UpgradeBatchItem],
    *,
    stale_before,
    history: workflow.HistoryBuffer,
) -> Counter[str]:
    """A dry run's chunk in a fixed number of statements, in the caller's transaction: every claimable item is
    claimed in one UPDATE, evaluated on the chunk's batch load, and its outcome stored in one UPDATE for all
    (history rows in bulk). Nothing else is written, so claims and outcomes commit together."""
    counts: Counter[str] = Counter()
    started = timezone.now()
    moved: list = []
    workflow.transition_many(
        UpgradeBatchItem.objects.filter(pk__in=[item.pk for item in items]).filter(_claimable(stale_before)),
        ItemStatus.RUNNING,
        reason=_("Claimed by a worker."),
        at=started,
        values={"started": started, "heartbeat": started, "attempts": F("attempts") + 1},
        moved=moved,
        buffer=history,
        objs=items,
    )
    moved_pks = set(moved)
    claimed = [item for item in items if item.pk in moved_pks]
    counts["not_claimed"] = len(items) - len(claimed)
    contexts = _chunk_contexts(actor, claimed)
    scope = _scope(actor, claimed, contexts)
    moves = []
    for item in claimed:
        status: str
        if actor is None:
            status, result = ItemStatus.FAILED, _no_actor_result(item)
        elif (item.subscription_id, item.customer_tenant_id) not in scope:
            status, result = ItemStatus.FAILED, _not_found(item)
        else:
            loaded = contexts.get(item.subscription_id)
            try:
                # an item outside the batch load reads on its own: a savepoint keeps the chunk's transaction usable
                with transaction.atomic() if loaded is None else nullcontext():
                    status, result = _dry_run_outcome(actor, item, loaded=loaded)
            except (DomainError, PermissionDenied) as exc:
                status, result = ItemStatus.FAILED, _fault_of(item, exc)
            except Exception as exc:  # one broken item never stops the others
                logger.exception("Batch %s item %s failed unexpectedly", batch.pk, item.position)
                status, result = ItemStatus.FAILED, _fault_of(item, exc)
        moves.append((item, status, {"result": result}))
        counts[status] += 1
    workflow.transition_each(
        moves,
        values={"operation_id": None, "finished": timezone.now()},
        guard={"started": started},
        buffer=history,
    )
    if not counts["not_claimed"]:
        del counts["not_claimed"]
    return counts


def _upgrade(
    batch: UpgradeBatch, actor, item: UpgradeBatchItem, *, claim, history: workflow.HistoryBuffer, loaded
) -> None:
    """The item's upgrade and outcome, inside its transaction; the item's history rows (its claim, the
    operation's moves, its outcome) are written there in one INSERT."""
    outcome = subscription_upgrade(
        actor=actor,
        subscription_id=item.subscription_id,
        target_offer_id=item.target_offer_id,
        upgrade_type=item.upgrade_type or None,
        quantity=item.quantity,
        correlation_id=batch.correlation_id,
        request_id=f"batch:{batch.pk}:{item.position}",
        notify=False,  # the batch reports its items; no notification per item
        loaded=loaded,
        history=history,
    )
    if not _finish(
        item,
        claim=claim,
        history=history,
        status=ItemStatus.SUCCEEDED,
        result=outcome.as_dict(),
        operation_id=outcome.operation_id,
    ):
        raise _LostClaim()
    history.flush()


def _transition(batch: UpgradeBatch, actor, item: UpgradeBatchItem, *, claim, history: workflow.HistoryBuffer) -> None:
    """The item's transition (``commerce.services.subscription_transition``: it locks and re-checks) and outcome,
    inside its transaction; the result is the Transition resource, the item links the row."""
    request = item.request or {}
    row = subscription_transition(
        actor=actor,
        subscription_id=item.subscription_id,
        customer_tenant_id=item.customer_tenant_id,
        to_catalog_item_id=request.get("toCatalogItemId"),
        to_subscription_id=request.get("toSubscriptionId"),
        quantity=request.get("quantity"),
        term_duration=request.get("termDuration"),
        billing_cycle=request.get("billingCycle"),
        transition_type=request.get("transitionType"),
        correlation_id=batch.correlation_id,
        request_id=f"batch:{batch.pk}:{item.position}",
    )
    result = json.loads(json.dumps(TransitionSerializer(row).data, cls=DjangoJSONEncoder))
    if not _finish(
        item, claim=claim, history=history, status=ItemStatus.SUCCEEDED, result=result, transition_id=row.pk
    ):
        raise _LostClaim()
    history.flush()


def _schedule(batch: UpgradeBatch, actor, item: UpgradeBatchItem, *, claim, history: workflow.HistoryBuffer) -> None:
    """The item's scheduled change through ``subscriptions.services`` (it locks the row, validates, audits);
    the result is the subscription's instructions as stored. The item's scope was checked by the chunk."""
    outcome = subscription_update_outcome(
        actor=actor,
        subscription=Subscription(pk=item.subscription_id),  # the service locks and re-reads it by its key
        changes={"scheduled_next_term_instructions": (item.request or {}).get(INSTRUCTIONS)},
        correlation_id=batch.correlation_id,
    )
    result = {
        "subscriptionId": str(item.subscription_id),
        INSTRUCTIONS: outcome.subscription.scheduled_next_term_instructions,
    }
    if not _finish(item, claim=claim, history=history, status=ItemStatus.SUCCEEDED, result=result):
        raise _LostClaim()
    history.flush()


def _transition_check(actor, item: UpgradeBatchItem) -> tuple[str, dict]:
    """A transition's dry run: the immediate eligibility of the requested target and transition type (every
    error; a catalog item that is not a target of the source is error 8)."""
    request = item.request or {}
    wanted = str(request.get("toCatalogItemId") or "").upper()
    kind = request.get("transitionType") or "transition_only"
    eligibilities = transition_eligibilities_for(
        actor=actor,
        customer_tenant_id=item.customer_tenant_id,
        subscription_id=item.subscription_id,
        eligibility_type=EligibilityType.IMMEDIATE,
        term_duration=request.get("termDuration"),
    )
    target = next((e for e in eligibilities if e.target.catalog_item_id.upper() == wanted), None)
    if target is None:
        eligible = False
        code = TransitionErrorCode.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND
        errors = [
            {
                "code": int(code),
                "errorName": code.error_name,
                "description": _("%(item)s is not a transition target of this subscription.") % {"item": wanted},
            }
        ]
    else:
        detail = target.of_type(kind)
        eligible = detail.is_eligible
        errors = [
            {
                "code": int(e.code),
                "errorName": e.error_name,
                "description": e.description + (f" ({e.additional_details})" if e.additional_details else ""),
            }
            for e in detail.errors
        ]
    result = {
        "subscriptionId": str(item.subscription_id),
        "toCatalogItemId": wanted,
        "transitionType": kind,
        "isEligible": eligible,
        "errors": errors,
    }
    return (ItemStatus.SUCCEEDED if eligible else ItemStatus.FAILED), result


def _schedule_check(actor, item: UpgradeBatchItem) -> tuple[str, dict]:
    """A scheduled change's dry run: the subscriptions service's checks, nothing written (a refusal is a fault)."""
    subscription = subscriptions_visible_to(actor).select_related("offer").get(pk=item.subscription_id)
    instructions = instructions_check(
        actor=actor, subscription=subscription, instructions=(item.request or {}).get(INSTRUCTIONS)
    )
    return ItemStatus.SUCCEEDED, {
        "subscriptionId": str(item.subscription_id),
        INSTRUCTIONS: instructions,
        "isEligible": True,
    }


def _scope(
    actor, items: list[UpgradeBatchItem], contexts: dict[uuid.UUID, LoadedContext]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(subscription id, customer tenant id) pairs of the chunk inside the actor's scope. A loaded context is in
    it (``load_contexts`` reads the actor's upgradable scope, inside its visible one); only the other items cost
    a query (one)."""
    if actor is None or not items:
        return set()
    pairs = {(pk, loaded.subscription.customer.tenant_id) for pk, loaded in contexts.items()}
    rest = {item.subscription_id for item in items if item.subscription_id not in contexts}
    if rest:
        pairs |= set(subscriptions_visible_to(actor).filter(pk__in=rest).values_list("pk", "customer__tenant_id"))
    return pairs


def _chunk_contexts(actor, items: list[UpgradeBatchItem]) -> dict[uuid.UUID, LoadedContext]:
    """The chunk's contexts in ONE batch load (fixed queries), each holding every requested target: a dry run
    evaluates on them, a real item re-reads and locks what may have changed in its own transaction. Items left
    out (not upgradable here) or a refused load fall back to the per-item path, which reports their fault
    exactly as before (a context whose customer is not the item's answers not found)."""
    items = [item for item in items if item.kind == ItemKind.UPGRADE]  # new commerce items run on their own
    if actor is None or not items:
        return {}
    try:
        return load_contexts(
            actor=actor,
            subscriptions={item.subscription_id for item in items},
            extra_target_ids={str(item.target_offer_id or "") for item in items},
        )
    except (DomainError, PermissionDenied):
        return {}


def _chunk_start(batch: UpgradeBatch, first_position: int, last_position: int, now) -> int:
    """Mark the chunk running (its heartbeat now); the row's pk (created for a batch that has no chunk rows)."""
    rows = UpgradeBatchChunk.objects.filter(batch_id=batch.pk, first_position=first_position)
    if not workflow.transition_many(
        rows, ChunkStatus.RUNNING, at=now, values={"heartbeat": now, "runs": F("runs") + 1}
    ):
        UpgradeBatchChunk.objects.get_or_create(
            batch_id=batch.pk,
            first_position=first_position,
            defaults={"last_position": last_position, "status": ChunkStatus.RUNNING, "heartbeat": now, "runs": 1},
        )
    return rows.values_list("pk", flat=True).get()


def _heartbeat_interval() -> float:
    """No heartbeat thread when tasks run eagerly (in the calling process, no worker to lose)."""
    return 0.0 if settings.CELERY_TASK_ALWAYS_EAGER else float(settings.BULK_HEARTBEAT_INTERVAL)


def upgrade_batch_chunk_process(*, batch_id, first_position: int, last_position: int) -> dict[str, int]:
    """Run the unfinished items of positions ``[first_position, last_position)``; counts of outcomes."""
    batch = UpgradeBatch.objects.select_related("created_by_user", "partner").filter(pk=batch_id).first()
    if batch is None:
        return {}
    with correlation_scope(batch.correlation_id):  # the history rows carry the batch's correlation id
        return _chunk_process(batch, first_position, last_position)


def _chunk_process(batch: UpgradeBatch, first_position: int, last_position: int) -> dict[str, int]:
    now = timezone.now()
    stale_before = now - stale_after()
    chunk_pk = _chunk_start(batch, first_position, last_position, now)
    chunk = UpgradeBatchItem.objects.filter(batch_id=batch.pk, position__gte=first_position, position__lt=last_position)
    if batch.status == BatchStatus.CANCELLED:  # a crashed run's leftovers are cancelled, not run
        workflow.transition_many(
            chunk.filter(_silent_claim(stale_before)),
            ItemStatus.CANCELLED,
            reason=_("The batch was cancelled."),
            at=now,
            values={"finished": now},
        )
        _chunk_done(chunk_pk)
        upgrade_batch_finalize(batch_id=batch.pk)
        return {}
    workflow.transition_many(
        UpgradeBatch.objects.filter(pk=batch.pk, status=BatchStatus.QUEUED),
        BatchStatus.RUNNING,
        at=now,
        values={"started": now},
    )
    items = list(chunk.filter(_claimable(stale_before)).order_by("position"))
    actor = batch_actor(batch)
    counts: Counter[str] = Counter()
    if batch.dry_run:
        # A dry run changes nothing but its items: the chunk's claims and outcomes commit together, in fixed
        # statements; a worker dying in it leaves its items pending for the sweep's next run.
        with Heartbeat(chunk_pk, _heartbeat_interval()), transaction.atomic(), workflow.HistoryBuffer() as history:
            counts = _dry_run_chunk(batch, actor, items, stale_before=stale_before, history=history)
        _chunk_done(chunk_pk)
        upgrade_batch_finalize(batch_id=batch.pk)
        return dict(counts)
    contexts = _chunk_contexts(actor, items)
    scope = _scope(actor, items, contexts)
    with Heartbeat(chunk_pk, _heartbeat_interval()) as heartbeat, workflow.HistoryBuffer() as history:
        for item in items:
            own = workflow.HistoryBuffer()  # the item's rows; those not written with its upgrade join the chunk's
            try:
                claim = _claim(item, stale_before=stale_before, history=own)
                if claim is None:
                    counts["not_claimed"] += 1
                    continue
                heartbeat.item = (item.pk, claim)
                counts[
                    _run(
                        batch,
                        actor,
                        item,
                        claim=claim,
                        in_scope=(item.subscription_id, item.customer_tenant_id) in scope,
                        history=own,
                        loaded=contexts.get(item.subscription_id),
                    )
                ] += 1
                heartbeat.item = None
            finally:
                history.rows.extend(own.rows)
    _chunk_done(chunk_pk)
    upgrade_batch_finalize(batch_id=batch.pk)
    return dict(counts)


def _chunk_done(chunk_pk) -> None:
    now = timezone.now()
    workflow.transition_many(
        UpgradeBatchChunk.objects.filter(pk=chunk_pk), ChunkStatus.DONE, at=now, values={"heartbeat": now}
    )


def upgrade_batch_sweep(*, now=None) -> list[tuple[str, int, int]]:
    """Queue again every chunk whose worker died; the ``(batch id, first, last)`` of those queued.

    A chunk is taken when it is ``running`` with a heartbeat older than ``BULK_STALE_AFTER`` (its worker went
    silent, between items or in one), or ``done`` while one of its items is still ``running`` with a stale
    heartbeat (a duplicate run of it died). A ``queued`` chunk waits in the broker and is left alone. Each chunk
    is taken with a conditional UPDATE, so two sweeps never queue it twice; and queuing it twice would still run
    each item once (claims).
    """
    now = now or timezone.now()
    stale_before = now - stale_after()
    orphaned_item = UpgradeBatchItem.objects.filter(
        _silent_claim(stale_before),
        batch_id=OuterRef("batch_id"),
        position__gte=OuterRef("first_position"),
        position__lt=OuterRef("last_position"),
    )
    silent = Q(status=ChunkStatus.RUNNING) & (Q(heartbeat__lt=stale_before) | Q(heartbeat__isnull=True))
    candidates = (
        UpgradeBatchChunk.objects.filter(batch__finished__isnull=True)
        .filter(silent | (Q(status=ChunkStatus.DONE) & Exists(orphaned_item)))
        .order_by("batch__created", "first_position")
        .values_list("pk", "batch_id", "first_position", "last_position", "status", "heartbeat")
    )
    requeued = []
    for pk, batch_id, first, last, status, heartbeat in candidates:
        taken = workflow.transition_many(
            UpgradeBatchChunk.objects.filter(pk=pk, status=status, heartbeat=heartbeat),
            ChunkStatus.QUEUED,
            reason=_("Its worker went silent: queued again."),
            at=now,
            values={"enqueued": now, "requeues": F("requeues") + 1},
        )
        if not taken:
            continue
        logger.warning(
            "Batch %s: chunk [%d, %d) lost its worker (last heartbeat %s); queued again",
            batch_id,
            first,
            last,
            heartbeat,
        )
        try:
            enqueue("bulk.process_upgrade_batch_chunk", str(batch_id), first, last)
        except Exception:  # broker unreachable: leave it to the next sweep
            workflow.transition_many(
                UpgradeBatchChunk.objects.filter(pk=pk, status=ChunkStatus.QUEUED, enqueued=now),
                status,
                reason=_("The broker refused the message."),
                values={"heartbeat": heartbeat},
            )
            raise
        requeued.append((str(batch_id), first, last))
    return requeued


def upgrade_batch_finalize(*, batch_id) -> None:
    """Once no item is pending or running: the batch's final status (a cancelled batch stays cancelled)."""
    counts = item_status_counts(batch_id=batch_id)
    if counts[ItemStatus.PENDING] or counts[ItemStatus.RUNNING]:
        return
    now = timezone.now()
    if UpgradeBatch.objects.filter(pk=batch_id, status=BatchStatus.CANCELLED, finished__isnull=True).update(
        finished=now
    ):
        notify_batch_finished(batch_id)  # cancelled while items ran: it ends now
        return
    succeeded = counts[ItemStatus.SUCCEEDED]
    if succeeded == counts["total"]:
        final = BatchStatus.SUCCEEDED
    elif succeeded == 0:
        final = BatchStatus.FAILED
    else:
        final = BatchStatus.PARTIALLY_SUCCEEDED
    if workflow.transition_many(
        UpgradeBatch.objects.filter(pk=batch_id),
        final,
        at=now,
        values={"finished": now, "started": Coalesce(F("started"), Value(now, output_field=DateTimeField()))},
    ):
        notify_batch_finished(batch_id)
