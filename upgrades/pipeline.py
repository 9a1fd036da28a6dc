"""The operation status pipeline: create an operation, move it along :data:`models.ALLOWED_TRANSITIONS`.

Every move is a guarded UPDATE (``WHERE status = <from>``: a concurrent move of the same operation makes
this one fail instead of overwriting it) plus one :class:`UpgradeStatusChange` history row.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import IllegalStatusTransition
from .models import ALLOWED_TRANSITIONS, TERMINAL_STATUSES, OperationStatus, UpgradeOperation, UpgradeStatusChange


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def operation_create(*, note: str = "", **fields) -> UpgradeOperation:
    """Insert an operation (status ``pending`` unless given) with its first history row."""
    fields.setdefault("status", OperationStatus.PENDING)
    operation = UpgradeOperation(**fields)
    operation.save(force_insert=True)
    UpgradeStatusChange.objects.create(
        operation=operation, from_status="", to_status=operation.status, note=note, changed=operation.created
    )
    return operation


def operation_transition(
    operation: UpgradeOperation, *, to_status: str, note: str = "", **fields
) -> UpgradeStatusChange:
    """Move ``operation`` to ``to_status`` (and set ``fields`` in the same UPDATE); raises
    :class:`IllegalStatusTransition` for a move the table does not allow or when it moved meanwhile."""
    from_status = operation.status
    if not can_transition(from_status, to_status):
        raise IllegalStatusTransition(
            _("An upgrade operation cannot move from %(from)s to %(to)s.") % {"from": from_status, "to": to_status},
            field="status",
        )
    now = timezone.now()
    values = {"status": to_status, "updated": now, **fields}
    if to_status in TERMINAL_STATUSES:
        values["completed"] = now
    if not UpgradeOperation.objects.filter(pk=operation.pk, status=from_status).update(**values):
        raise IllegalStatusTransition(
            _("The upgrade operation changed meanwhile; it is no longer %(from)s.") % {"from": from_status},
            field="status",
        )
    for name, value in values.items():
        setattr(operation, name, value)
    return UpgradeStatusChange.objects.create(
        operation=operation, from_status=from_status, to_status=to_status, note=note, changed=now
    )
