"""Enqueue a Celery task by name once the current transaction commits (services never import tasks)."""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue(name: str, *args, **kwargs) -> None:
    """Send task ``name`` now: through its registered task when there is one (so ``task_always_eager`` runs
    it here), else by name to the broker."""
    task = current_app.tasks.get(name)
    if task is not None:
        task.apply_async(args=args, kwargs=kwargs)
    else:
        current_app.send_task(name, args=args, kwargs=kwargs)


def enqueue_on_commit(name: str, *args, **kwargs) -> None:
    """``enqueue(name, ...)`` after the surrounding transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(name, *args, **kwargs))
