"""Celery adapters of the bulk app: take ids, call the service, nothing else.

``process_upgrade_batch_chunk`` is enqueued (one per chunk of positions) by ``services.upgrade_batch_create``
with ``transaction.on_commit``. It is idempotent: items are claimed with a conditional UPDATE, so a retried
or duplicated task skips what is finished or running and never upgrades anything twice.
"""
from __future__ import annotations

from celery import shared_task


@shared_task(name="bulk.process_upgrade_batch_chunk", acks_late=True)
def process_upgrade_batch_chunk(batch_id: str, first_position: int, last_position: int) -> dict[str, int]:
    from .processing import upgrade_batch_chunk_process

    return upgrade_batch_chunk_process(batch_id=batch_id, first_position=first_position,
                                       last_position=last_position)
