"""Approving or rejecting an upgrade batch that waits for approval (domain.md §9).

A real batch above its partner's threshold is created ``awaiting_approval`` by ``services.upgrade_batch_create``
(items pending, chunk rows stored, nothing enqueued). A second user with ``Capability.APPROVE`` who did not
create it (``partners.approval.require_approver``; for an application token's batch any such user) decides:

- ``upgrade_batch_approve``: awaiting_approval → queued, then its chunks are enqueued once the transaction
  commits (the items run as the batch's creator, exactly as an unapproved batch's);
- ``upgrade_batch_reject``: a reason is required; every pending item → cancelled, the batch → rejected; nothing
  was upgraded.

Both write an audit record and tell the creator (``upgrades.approval_services`` notices). A batch that is not
waiting answers ``Conflict`` (409). ``batch`` must come from ``selectors.upgrade_batch_for`` (the actor's scope).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from partners.approval import require_approver
from upgrades.approval_services import (
    approval_decided_notify,
    batch_link,
    clean_reason,
    decider_fields,
    decision_audit,
    locked_waiting,
)

from .models import BatchStatus, ItemStatus, UpgradeBatch, UpgradeBatchChunk, UpgradeBatchItem
from .services import upgrade_batch_enqueue


def _locked_waiting(batch: UpgradeBatch) -> UpgradeBatch:
    return locked_waiting(
        UpgradeBatch.objects.select_for_update(of=("self",)),
        batch.pk,
        waiting_status=BatchStatus.AWAITING_APPROVAL,
        refusal=_("The batch is not waiting for approval (%(status)s)."),
    )


def _tell_creator(batch_id: str, creator_id, *, approved: bool, message: Callable[[], str]) -> None:
    """The creator's notice of the decision, linking to the batch (``upgrades.approval_services`` notices)."""
    approval_decided_notify(
        kind="batch",
        job_id=batch_id,
        created_by_user_id=creator_id,
        approved=approved,
        message=message,
        link=batch_link(batch_id),
    )


def upgrade_batch_approve(*, actor, batch: UpgradeBatch) -> UpgradeBatch:
    """Approve a waiting batch: queued, its chunks enqueued on commit; audited; its creator notified."""
    require_approver(actor, created_by_user_id=batch.created_by_user_id)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_waiting(batch)
        workflow.transition(
            locked, BatchStatus.QUEUED, actor=actor, reason=_("Approved."), at=now, values=decider_fields(actor, now)
        )
        UpgradeBatchChunk.objects.filter(batch_id=locked.pk).update(enqueued=now)
        decision_audit(actor=actor, job=locked, waiting_status=BatchStatus.AWAITING_APPROVAL.value, approved=True)
        batch_id, total, creator_id = str(locked.pk), locked.total_items, locked.created_by_user_id

        def message() -> str:
            return _("Your batch of %(count)d upgrades was approved: it runs now.") % {"count": total}

        def after_commit():
            upgrade_batch_enqueue(batch_id=batch_id, total=total)
            _tell_creator(batch_id, creator_id, approved=True, message=message)

        transaction.on_commit(after_commit)
    return locked


def upgrade_batch_reject(*, actor, batch: UpgradeBatch, reason) -> UpgradeBatch:
    """Reject a waiting batch with a reason: its items cancelled, the batch rejected, nothing upgraded."""
    require_approver(actor, created_by_user_id=batch.created_by_user_id)
    text = clean_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_waiting(batch)
        cancelled = workflow.transition_many(
            UpgradeBatchItem.objects.filter(batch_id=locked.pk, status=ItemStatus.PENDING),
            ItemStatus.CANCELLED,
            actor=actor,
            reason=_("The batch was rejected."),
            at=now,
            values={"finished": now},
        )
        workflow.transition(
            locked,
            BatchStatus.REJECTED,
            actor=actor,
            reason=_("Rejected: %(reason)s") % {"reason": text},
            at=now,
            values={"finished": now, **decider_fields(actor, now, reason=text)},
        )
        decision_audit(
            actor=actor,
            job=locked,
            waiting_status=BatchStatus.AWAITING_APPROVAL.value,
            approved=False,
            reason=text,
            cancelledItems=cancelled,
        )
        batch_id, creator_id, count = str(locked.pk), locked.created_by_user_id, locked.total_items

        def message() -> str:
            return _("Your batch of %(count)d upgrades was rejected: %(reason)s") % {"count": count, "reason": text}

        transaction.on_commit(lambda: _tell_creator(batch_id, creator_id, approved=False, message=message))
    return locked
