"""Upgrade batches: many CSP upgrades (or eligibility checks, ``dry_run``) requested in one call; an item may
also be a new commerce transition or a change scheduled at renewal (``ItemKind``, its fields in ``request``).

A batch's items run independently (``bulk.tasks``: one Celery task per chunk of positions), each through
``upgrades.services.subscription_upgrade`` in its own transaction: one failure never undoes another.
An item is claimed with a conditional ``UPDATE ... WHERE status='pending'`` so a retried or duplicated
chunk task never runs it twice. Each chunk has a row (``UpgradeBatchChunk``) whose ``heartbeat`` the worker
running it refreshes; ``bulk.processing.upgrade_batch_sweep`` re-queues a chunk whose worker went silent.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.workflow import Workflow
from partners.models import ApprovalFields


class BatchStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIALLY_SUCCEEDED = "partially_succeeded", _("Partially succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class ItemKind(models.TextChoices):
    """What an item does: a legacy upgrade (§5), a new commerce transition or a change scheduled at renewal (§8)."""

    UPGRADE = "upgrade", _("Upgrade")
    TRANSITION = "transition", _("Transition")
    SCHEDULED_CHANGE = "scheduledChange", _("Scheduled change")


class ChunkStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


_B, _I, _K = BatchStatus, ItemStatus, ChunkStatus
_BATCH_FINAL = frozenset({_B.SUCCEEDED, _B.PARTIALLY_SUCCEEDED, _B.FAILED, _B.CANCELLED, _B.REJECTED})
# A batch above its partner's approval threshold starts ``awaiting_approval`` (domain.md §9): approved → queued
# (its chunks are enqueued then), rejected (nothing ran; final) or cancelled (its creator withdrew it).
BATCH_WORKFLOW = Workflow(
    name="upgrade_batch",
    model="bulk.UpgradeBatch",
    verbose_name="upgrade batch",
    labels=BatchStatus.choices,
    transitions={
        _B.AWAITING_APPROVAL: frozenset({_B.QUEUED, _B.REJECTED, _B.CANCELLED}),
        _B.QUEUED: frozenset({_B.RUNNING} | (_BATCH_FINAL - {_B.REJECTED})),
        _B.RUNNING: _BATCH_FINAL - {_B.REJECTED},
        **{status: frozenset() for status in _BATCH_FINAL},
    },
    initial=frozenset({_B.QUEUED, _B.AWAITING_APPROVAL}),
    open=frozenset({_B.AWAITING_APPROVAL, _B.QUEUED, _B.RUNNING}),
)
# Items: claimed (pending → running; a silent claim is taken again: running → running), then finished; a
# duplicate of an earlier item is created skipped. History rows for items are written per claim / finish (in the
# item's own transaction) and in bulk for cancellations.
ITEM_WORKFLOW = Workflow(
    name="upgrade_batch_item",
    model="bulk.UpgradeBatchItem",
    verbose_name="upgrade batch item",
    labels=ItemStatus.choices,
    transitions={
        _I.PENDING: frozenset({_I.RUNNING, _I.CANCELLED}),
        _I.RUNNING: frozenset({_I.RUNNING, _I.SUCCEEDED, _I.FAILED, _I.CANCELLED}),
        _I.SUCCEEDED: frozenset(),
        _I.FAILED: frozenset(),
        _I.SKIPPED: frozenset(),
        _I.CANCELLED: frozenset(),
    },
    initial=frozenset({_I.PENDING, _I.SKIPPED}),
    open=frozenset({_I.PENDING, _I.RUNNING}),
)
# Chunks: a worker runs a queued chunk (or runs it again: a duplicate delivery), finishes it; the sweep queues a
# chunk again whose worker went silent (running → queued) or left an item behind (done → queued), and puts it
# back when the broker refuses the message.
CHUNK_WORKFLOW = Workflow(
    name="upgrade_batch_chunk",
    model="bulk.UpgradeBatchChunk",
    verbose_name="upgrade batch chunk",
    labels=ChunkStatus.choices,
    transitions={
        _K.QUEUED: frozenset({_K.RUNNING, _K.DONE}),
        _K.RUNNING: frozenset({_K.RUNNING, _K.DONE, _K.QUEUED}),
        _K.DONE: frozenset({_K.RUNNING, _K.QUEUED}),
    },
    initial=frozenset({_K.QUEUED, _K.RUNNING}),
    open=frozenset({_K.QUEUED, _K.RUNNING}),
)
OPEN_BATCH_STATUSES = tuple(s for s in BatchStatus.values if s in BATCH_WORKFLOW.open)
OPEN_ITEM_STATUSES = tuple(s for s in ItemStatus.values if s in ITEM_WORKFLOW.open)


class UpgradeBatchQuerySet(models.QuerySet):
    def open(self):
        return self.filter(BATCH_WORKFLOW.q(BATCH_WORKFLOW.open))


class UpgradeBatchItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(ITEM_WORKFLOW.q(ITEM_WORKFLOW.open))


class UpgradeBatch(ApprovalFields):
    progress: dict[str, int]  # not a field: set by bulk.selectors.upgrade_batch_with_progress
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="upgrade_batches",
        help_text=_("The acting partner (empty for a platform operator's batch)."),
    )
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="upgrade_batches",
        verbose_name=_("created by user"),
    )
    created_by_application_id = models.CharField(
        _("created by application id"),
        max_length=64,
        blank=True,
        help_text=_("Set for app-only tokens (no user context)."),
    )
    dry_run = models.BooleanField(
        _("dry run"), default=False, help_text=_("Evaluate eligibility only; nothing is changed.")
    )
    status = models.CharField(_("status"), max_length=24, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total_items = models.PositiveIntegerField(_("items"), default=0)
    correlation_id = models.CharField(_("correlation id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = UpgradeBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("upgrade batch")
        verbose_name_plural = _("upgrade batches")
        indexes = [models.Index(fields=["partner", "created"])]

    def __str__(self):
        kind = _("dry run") if self.dry_run else _("upgrade")
        return f"{kind} {self.pk} ({self.status}, {self.total_items})"

    @property
    def is_open(self) -> bool:
        return BATCH_WORKFLOW.is_open(self.status)


class UpgradeBatchItem(models.Model):
    batch = models.ForeignKey(UpgradeBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"), help_text=_("0-based index in the request's items."))
    # Ids as the client sent them (not foreign keys: an id may be unknown or outside the actor's scope).
    customer_tenant_id = models.UUIDField(_("customer tenant id"))
    subscription_id = models.UUIDField(_("subscription id"))
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, default=ItemKind.UPGRADE)
    request = models.JSONField(
        _("request"),
        default=dict,
        blank=True,
        help_text=_(
            "A new commerce item's request as the API takes it: the transition's fields, or "
            "scheduledNextTermInstructions (empty for an upgrade)."
        ),
    )
    target_offer_id = models.CharField(
        _("target offer id"),
        max_length=64,
        blank=True,
        help_text=_("The target offer (for new commerce items: the one of the catalog item, empty when unknown)."),
    )
    quantity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    upgrade_type = models.CharField(_("upgrade type"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    result = models.JSONField(
        _("result"),
        default=dict,
        blank=True,
        help_text=_(
            "The UpgradeResult (upgrade errors included), the Transition, or the scheduled instructions; "
            "``fault`` for other errors."
        ),
    )
    operation = models.ForeignKey(
        "upgrades.UpgradeOperation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("upgrade operation"),
    )
    transition = models.ForeignKey(
        "commerce.Transition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("transition"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created = models.DateTimeField(_("created"), default=timezone.now)
    started = models.DateTimeField(
        _("started"), null=True, blank=True, help_text=_("When the current claim was taken (it identifies the claim).")
    )
    heartbeat = models.DateTimeField(
        _("heartbeat"), null=True, blank=True, help_text=_("Last sign of life of the worker running this item.")
    )
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = UpgradeBatchItemQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "position"]
        verbose_name = _("upgrade batch item")
        constraints = [models.UniqueConstraint(fields=["batch", "position"], name="unique_upgrade_batch_position")]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self):
        return f"#{self.position} {self.subscription_id} → {self.target_offer_id} ({self.status})"


class UpgradeBatchChunk(models.Model):
    """One Celery task's share of a batch: positions ``[first_position, last_position)``.

    ``queued`` while its task waits in the broker, ``running`` while a worker refreshes ``heartbeat``, ``done``
    once that worker went through every item. A ``running`` chunk with a stale heartbeat lost its worker.
    """

    batch = models.ForeignKey(UpgradeBatch, on_delete=models.CASCADE, related_name="chunks")
    first_position = models.PositiveIntegerField(_("first position"))
    last_position = models.PositiveIntegerField(_("last position"), help_text=_("Exclusive."))
    status = models.CharField(_("status"), max_length=16, choices=ChunkStatus.choices, default=ChunkStatus.QUEUED)
    enqueued = models.DateTimeField(_("enqueued"), default=timezone.now)
    heartbeat = models.DateTimeField(
        _("heartbeat"), null=True, blank=True, help_text=_("Last sign of life of the worker running this chunk.")
    )
    runs = models.PositiveSmallIntegerField(_("runs"), default=0, help_text=_("Times a worker started it."))
    requeues = models.PositiveSmallIntegerField(
        _("re-queues"), default=0, help_text=_("Times the sweep sent it again after its worker died.")
    )

    class Meta:
        ordering = ["batch", "first_position"]
        verbose_name = _("upgrade batch chunk")
        constraints = [models.UniqueConstraint(fields=["batch", "first_position"], name="unique_upgrade_batch_chunk")]
        indexes = [models.Index(fields=["status", "heartbeat"])]

    def __str__(self):
        return f"{self.batch_id} [{self.first_position}, {self.last_position}) ({self.status})"
