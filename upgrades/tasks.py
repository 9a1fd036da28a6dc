"""Celery adapters of the upgrades app: take ids, call the service, nothing else.

``run_upgrade_operation`` is enqueued by ``services.subscription_upgrade_async`` with
``transaction.on_commit``. It is idempotent: the service locks the operation row and does nothing for an
operation that already ended, so a retried or duplicated task never upgrades twice.
"""

from __future__ import annotations

from celery import shared_task

from core.tasks import TRANSIENT_DATABASE_RETRY

from .services import upgrade_operation_execute


@shared_task(name="upgrades.run_upgrade_operation", acks_late=True, **TRANSIENT_DATABASE_RETRY)
def run_upgrade_operation(operation_id: str) -> dict | None:
    result = upgrade_operation_execute(operation_id=operation_id)
    return result.as_dict() if result is not None else None


# The name used in the upgrades contract.
upgrade_subscription_task = run_upgrade_operation
