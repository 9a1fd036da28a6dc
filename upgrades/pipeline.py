"""The operation status pipeline on the workflow kernel: create an operation, move it along
:data:`models.ALLOWED_TRANSITIONS` (``models.OPERATION_WORKFLOW``).

Every move is a guarded UPDATE (``WHERE status = <from>``: a concurrent move of the same operation makes
this one fail instead of overwriting it) plus one ``core.WorkflowTransition`` history row.
"""

from __future__ import annotations

from django.utils import timezone

from core import workflow

from .models import OPERATION_WORKFLOW, TERMINAL_STATUSES, OperationStatus, UpgradeOperation


def can_transition(from_status: str, to_status: str) -> bool:
    return OPERATION_WORKFLOW.can(from_status, to_status)


def operation_create(*, note: str = "", actor=None, **fields) -> UpgradeOperation:
    """Insert an operation (status ``pending`` unless given) with its first history row."""
    fields.setdefault("status", OperationStatus.PENDING)
    operation = UpgradeOperation(**fields)
    operation.save(force_insert=True)
    workflow.start(
        operation,
        actor=actor if actor is not None else operation.actor_user,
        reason=note,
        correlation_id=operation.correlation_id or None,
        at=operation.created,
    )
    return operation


def operation_transition(operation: UpgradeOperation, *, to_status: str, note: str = "", actor=None, **fields):
    """Move ``operation`` to ``to_status`` (and set ``fields`` in the same UPDATE); raises
    ``core.workflow.IllegalTransition`` for a move the table does not allow or when it moved meanwhile."""
    if to_status in TERMINAL_STATUSES:
        fields.setdefault("completed", timezone.now())
    return workflow.transition(
        operation,
        to_status,
        actor=actor,
        reason=note,
        correlation_id=operation.correlation_id or None,
        values=fields,
    )
