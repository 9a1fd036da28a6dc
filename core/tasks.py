"""Enqueue a Celery task by its registered name, after the current transaction commits.

Services use this instead of importing their app's ``tasks`` module, so a service never imports an adapter
(tasks import services, never the other way round). The task is looked up in the Celery app's registry and
sent with ``delay``, which honours ``CELERY_TASK_ALWAYS_EAGER`` (``send_task`` would not: it always
goes to the broker).
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import InterfaceError, OperationalError, transaction

from .correlation import log_correlation_id, request_log_id

# Retries of an idempotent task on a transient database error (a restarted or failed-over PostgreSQL, a dropped
# connection): 1, 2, 4, 8, 16 s later (exponential backoff, each wait drawn at random below it: ``retry_jitter``),
# then the task fails. Only for tasks that may run twice (their docstring says why); the periodic sweeps need none:
# beat runs them again. ``@shared_task(name=..., **TRANSIENT_DATABASE_RETRY)``.
TRANSIENT_DATABASE_RETRY: dict[str, Any] = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


def registered_task(name: str) -> Any:
    """The task registered under ``name``; imports the apps' ``tasks`` modules first if it is not known yet."""
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
        current_app.autodiscover_tasks(force=True)
    return tasks[name]


def enqueue(name: str, *args: Any, **kwargs: Any) -> Any:
    """Send the task ``name`` now (eagerly in the development and test settings)."""
    return registered_task(name).delay(*args, **kwargs)


def enqueue_on_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Send the task ``name`` once the current transaction commits (at once outside a transaction). The send
    carries the log correlation id of the work that asked for it, even when the commit runs the callbacks
    elsewhere (the message header ``ms_correlation_id``, ``ops.receivers``; an eager task logs with it too)."""
    correlation_id = log_correlation_id()

    def send() -> None:
        token = request_log_id.set(correlation_id) if correlation_id else None
        try:
            enqueue(name, *args, **kwargs)
        finally:
            if token is not None:
                request_log_id.reset(token)

    transaction.on_commit(send)
