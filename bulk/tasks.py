"""Celery adapters of the bulk app: take ids, call the service, nothing else.

``process_upgrade_batch_chunk`` is enqueued (one per chunk of positions) by ``services.upgrade_batch_create``
with ``transaction.on_commit``. It is idempotent: items are claimed with a conditional UPDATE, so a retried
or duplicated task skips what is finished or running and never upgrades anything twice. It is acknowledged
after it ran (``acks_late``) and put back in the queue when its worker process dies under it
(``reject_on_worker_lost``). ``sweep_stale_chunks`` (beat, every ``BULK_SWEEP_INTERVAL`` seconds) queues again
the chunks of a worker that died as a whole (``kill -9``, a lost machine), whose message the broker holds back.
"""

from __future__ import annotations

from celery import shared_task

from core.tasks import TRANSIENT_DATABASE_RETRY

from .processing import upgrade_batch_chunk_process, upgrade_batch_sweep


@shared_task(
    name="bulk.process_upgrade_batch_chunk", acks_late=True, reject_on_worker_lost=True, **TRANSIENT_DATABASE_RETRY
)
def process_upgrade_batch_chunk(batch_id: str, first_position: int, last_position: int) -> dict[str, int]:
    return upgrade_batch_chunk_process(batch_id=batch_id, first_position=first_position, last_position=last_position)


@shared_task(name="bulk.sweep_stale_chunks", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_stale_chunks() -> int:
    return len(upgrade_batch_sweep())
