"""What the approvals page and the approval panel show (domain.md §9), read through the scoping selectors.

``waiting_jobs_for`` lists the actor's partner's batches and upgrades awaiting approval (oldest first, a fixed
number of queries); ``approval_state`` says of one job what its panel shows: who asked, its size, which
thresholds it exceeded, and whether the actor may decide it (``partners.approval.require_approver``, the one
rule) or why not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bulk.models import BatchStatus, UpgradeBatch
from bulk.selectors import upgrade_batches_visible_to
from partners.approval import exceeded_text, require_approver
from partners.roles import Capability, can
from upgrades.models import OperationStatus, UpgradeOperation
from upgrades.selectors import upgrade_operations_visible_to

BATCH, UPGRADE = "batch", "upgrade"
WAITING = "awaiting_approval"


@dataclass(frozen=True)
class ApprovalState:
    kind: str  # "batch" or "upgrade"
    job: UpgradeBatch | UpgradeOperation
    waiting: bool
    can_decide: bool
    refusal: str  # why the actor may not decide (empty when they may, or when it is not waiting)
    creator: str
    measures: str  # the exceeded measures in words
    size: dict


def creator_of(job) -> str:
    """Who asked: the user's name, else the application's id."""
    if isinstance(job, UpgradeBatch):
        user = job.created_by_user if job.created_by_user_id is not None else None
        user_name = user.get_username() if user is not None else ""
        application_id = job.created_by_application_id
    else:
        user_name, application_id = job.actor_upn, job.actor_application_id
    if user_name:
        return user_name
    return _("application %(id)s") % {"id": application_id} if application_id else "—"


def creator_id_of(job):
    return job.created_by_user_id if isinstance(job, UpgradeBatch) else job.actor_user_id


def approval_state(actor, job) -> ApprovalState:
    kind = BATCH if isinstance(job, UpgradeBatch) else UPGRADE
    waiting = job.status == WAITING
    refusal = ""
    if waiting:
        try:
            require_approver(actor, created_by_user_id=creator_id_of(job))
        except PermissionDenied as exc:
            refusal = str(exc)
    return ApprovalState(
        kind=kind,
        job=job,
        waiting=waiting,
        can_decide=waiting and not refusal,
        refusal=refusal,
        creator=creator_of(job),
        measures=exceeded_text(list(job.approval_required or [])),
        size=dict(job.approval_size or {}),
    )


def waiting_batches(actor):
    return (
        upgrade_batches_visible_to(actor)
        .filter(status=BatchStatus.AWAITING_APPROVAL)
        .select_related("created_by_user")
        .order_by("created", "pk")
    )


def waiting_operations(actor):
    return (
        upgrade_operations_visible_to(actor)
        .filter(status=OperationStatus.AWAITING_APPROVAL)
        .select_related("source__offer", "target_offer", "customer")
        .order_by("created", "pk")
    )


def waiting_jobs_for(actor) -> list[ApprovalState]:
    """Every batch and upgrade of the actor's scope awaiting approval, oldest first (two queries)."""
    jobs = [*waiting_batches(actor), *waiting_operations(actor)]
    jobs.sort(key=lambda job: job.created)
    return [approval_state(actor, job) for job in jobs]


def waiting_count(actor) -> int:
    """How many jobs of the actor's scope wait for approval (one query)."""
    batches = upgrade_batches_visible_to(actor).filter(status=BatchStatus.AWAITING_APPROVAL)
    operations = upgrade_operations_visible_to(actor).filter(status=OperationStatus.AWAITING_APPROVAL)
    batch_ids, operation_ids = batches.order_by().values("pk"), operations.order_by().values("pk")
    return batch_ids.union(operation_ids, all=True).count()


def approver_count_for(actor) -> int | None:
    """The navigation's figure: the waiting count for an actor who may approve, None for others (no query)."""
    if not can(actor, Capability.APPROVE) or getattr(actor, "is_application", False):
        return None
    return waiting_count(actor)
