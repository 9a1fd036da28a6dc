"""Worker faults: a chunk whose worker died is queued again by the sweep, and every item still runs once.

A worker's death is simulated where it hurts: an exception that no ``except Exception`` catches, raised inside an
item's upgrade (its transaction rolls back, the item stays ``running`` under the dead claim, the chunk stays
``running``), then its heartbeats are moved back in time past ``BULK_STALE_AFTER``. The sweep runs eagerly: the
chunk task it queues runs here and now.
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bulk import processing
from bulk.models import UpgradeBatch, UpgradeBatchChunk, UpgradeBatchItem
from bulk.processing import Heartbeat, upgrade_batch_chunk_process, upgrade_batch_sweep
from bulk.services import upgrade_batch_cancel
from bulk.tasks import process_upgrade_batch_chunk, sweep_stale_chunks
from partnercenter.celery import app
from subscriptions.models import Subscription
from tests.builders import BATCHES, item
from upgrades.models import UpgradeOperation
from upgrades.services import subscription_upgrade

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the chunk catches it."""


def _queued_batch(api, upgradables, capture) -> str:
    """A batch whose chunk task has not run (the enqueue on commit is captured, not executed)."""
    with capture(execute=False):
        response = api.post(BATCHES, {"items": [item(u) for u in upgradables]})
    assert response.status_code == 202, response.json()
    return response.json()["id"]


def _die_at(monkeypatch, subscription_id) -> None:
    real = processing.subscription_upgrade

    def upgrade(**kwargs):
        if kwargs["subscription_id"] == subscription_id:
            real(**kwargs)  # the upgrade is done but not committed when the worker dies
            raise WorkerKilled()
        return real(**kwargs)

    monkeypatch.setattr(processing, "subscription_upgrade", upgrade)


def _age(batch_id, seconds: int) -> None:
    """Move every heartbeat of the batch ``seconds`` back: the worker has been silent that long."""
    then = timezone.now() - timedelta(seconds=seconds)
    UpgradeBatchChunk.objects.filter(batch_id=batch_id).update(heartbeat=then)
    UpgradeBatchItem.objects.filter(batch_id=batch_id, status="running").update(heartbeat=then)


def _rows(batch_id) -> list[tuple]:
    return list(
        UpgradeBatchItem.objects.filter(batch_id=batch_id)
        .order_by("position")
        .values_list("position", "status", "attempts")
    )


def test_the_sweep_requeues_a_dead_workers_chunk_and_each_item_runs_once(
    api, upgradables, django_capture_on_commit_callbacks, monkeypatch
):
    batch_id = _queued_batch(api, upgradables, django_capture_on_commit_callbacks)
    _die_at(monkeypatch, upgradables[1].subscription.pk)
    with pytest.raises(WorkerKilled):
        upgrade_batch_chunk_process(batch_id=batch_id, first_position=0, last_position=3)
    monkeypatch.undo()
    assert _rows(batch_id) == [(0, "succeeded", 1), (1, "running", 1), (2, "pending", 0)]
    assert not UpgradeOperation.objects.filter(source=upgradables[1].subscription).exists()  # rolled back
    first_operation = UpgradeBatchItem.objects.get(batch_id=batch_id, position=0).operation_id
    assert UpgradeBatchChunk.objects.get(batch_id=batch_id).status == "running"

    _age(batch_id, 30)  # silent for less than BULK_STALE_AFTER (60 s): maybe just slow, left alone
    assert upgrade_batch_sweep() == []
    _age(batch_id, 61)
    assert upgrade_batch_sweep() == [(batch_id, 0, 3)]

    assert _rows(batch_id) == [(0, "succeeded", 1), (1, "succeeded", 2), (2, "succeeded", 1)]
    assert UpgradeBatchItem.objects.get(batch_id=batch_id, position=0).operation_id == first_operation
    for upgradable in upgradables:
        assert UpgradeOperation.objects.filter(source=upgradable.subscription).count() == 1
        assert Subscription.objects.filter(customer=upgradable.customer, offer_id="o365-e3").count() == 1
    chunk = UpgradeBatchChunk.objects.get(batch_id=batch_id)
    assert (chunk.status, chunk.runs, chunk.requeues) == ("done", 2, 1)
    assert UpgradeBatch.objects.get(pk=batch_id).status == "succeeded"
    _age(batch_id, 3600)
    assert upgrade_batch_sweep() == []  # a finished batch is never swept again


def test_a_worker_killed_between_items_leaves_no_running_item_and_is_swept_too(
    api, upgradables, django_capture_on_commit_callbacks, monkeypatch
):
    batch_id = _queued_batch(api, upgradables, django_capture_on_commit_callbacks)

    class DiesAfterTheFirstItem(Heartbeat):
        def __setattr__(self, name, value):
            if name == "item" and value is None and getattr(self, "item", None) is not None:
                raise WorkerKilled()  # item 0 committed, item 1 not claimed yet
            super().__setattr__(name, value)

    monkeypatch.setattr(processing, "Heartbeat", DiesAfterTheFirstItem)
    with pytest.raises(WorkerKilled):
        upgrade_batch_chunk_process(batch_id=batch_id, first_position=0, last_position=3)
    monkeypatch.undo()
    assert _rows(batch_id) == [(0, "succeeded", 1), (1, "pending", 0), (2, "pending", 0)]
    assert UpgradeBatchChunk.objects.get(batch_id=batch_id).status == "running"
    _age(batch_id, 90)
    assert upgrade_batch_sweep() == [(batch_id, 0, 3)]
    assert _rows(batch_id) == [(0, "succeeded", 1), (1, "succeeded", 1), (2, "succeeded", 1)]
    assert UpgradeOperation.objects.count() == 3


def test_a_queued_chunk_waits_for_its_worker(api, upgradables, django_capture_on_commit_callbacks):
    """A chunk still in the broker (queued a long time ago, e.g. behind a long queue) is not sent twice."""
    batch_id = _queued_batch(api, upgradables, django_capture_on_commit_callbacks)
    UpgradeBatchChunk.objects.filter(batch_id=batch_id).update(enqueued=timezone.now() - timedelta(hours=2))
    assert upgrade_batch_sweep() == []
    assert _rows(batch_id) == [(0, "pending", 0), (1, "pending", 0), (2, "pending", 0)]


def test_an_item_left_running_in_a_finished_chunk_is_reclaimed_once(
    api, upgradables, django_capture_on_commit_callbacks
):
    """A duplicate run of the chunk died holding item 1 after the first run went through the chunk."""
    batch_id = _queued_batch(api, upgradables, django_capture_on_commit_callbacks)
    UpgradeBatchItem.objects.filter(batch_id=batch_id, position=1).update(
        status="running", started=timezone.now(), heartbeat=timezone.now(), attempts=1
    )
    assert upgrade_batch_chunk_process(batch_id=batch_id, first_position=0, last_position=3) == {"succeeded": 2}
    assert UpgradeBatchChunk.objects.get(batch_id=batch_id).status == "done"
    assert upgrade_batch_sweep() == []  # its claim is alive
    _age(batch_id, 61)
    assert upgrade_batch_sweep() == [(batch_id, 0, 3)]
    assert _rows(batch_id) == [(0, "succeeded", 1), (1, "succeeded", 2), (2, "succeeded", 1)]
    assert UpgradeOperation.objects.filter(source=upgradables[1].subscription).count() == 1
    assert UpgradeBatch.objects.get(pk=batch_id).status == "succeeded"


def test_an_item_whose_upgrade_committed_is_never_upgraded_again(
    api, sales_agent, upgradables, django_capture_on_commit_callbacks
):
    """Even if an item's bookkeeping were lost after its upgrade committed, the service refuses a second run:
    the source is no longer active. The item fails; nothing is upgraded twice."""
    batch_id = _queued_batch(api, upgradables[:1], django_capture_on_commit_callbacks)
    source = upgradables[0].subscription
    subscription_upgrade(actor=sales_agent, subscription_id=source.pk, target_offer_id="o365-e3")
    UpgradeBatchItem.objects.filter(batch_id=batch_id).update(status="running", started=timezone.now(), attempts=1)
    UpgradeBatchChunk.objects.filter(batch_id=batch_id).update(status="running")
    _age(batch_id, 120)
    assert upgrade_batch_sweep() == [(batch_id, 0, 1)]
    assert _rows(batch_id) == [(0, "failed", 2)]
    assert UpgradeOperation.objects.filter(source=source).count() == 1
    assert Subscription.objects.filter(customer=upgradables[0].customer, offer_id="o365-e3").count() == 1
    assert UpgradeBatch.objects.get(pk=batch_id).status == "failed"


def test_a_late_original_cannot_overwrite_a_reclaimed_item(
    api, upgradables, django_capture_on_commit_callbacks, monkeypatch
):
    """The claim was taken over while the 'dead' worker was in fact still upgrading: its run rolls back."""
    batch_id = _queued_batch(api, upgradables[:1], django_capture_on_commit_callbacks)
    real = processing.subscription_upgrade
    taken_over = timezone.now() + timedelta(seconds=1)

    def slow_upgrade(**kwargs):
        result = real(**kwargs)
        UpgradeBatchItem.objects.filter(batch_id=batch_id).update(started=taken_over, heartbeat=taken_over)
        return result

    monkeypatch.setattr(processing, "subscription_upgrade", slow_upgrade)
    assert upgrade_batch_chunk_process(batch_id=batch_id, first_position=0, last_position=1) == {"lost": 1}
    assert not UpgradeOperation.objects.exists()
    assert Subscription.objects.get(pk=upgradables[0].subscription.pk).status == "active"
    assert _rows(batch_id) == [(0, "running", 1)]


def test_a_cancelled_batchs_dead_items_are_cancelled_by_the_sweep(
    api, sales_agent, upgradables, django_capture_on_commit_callbacks, monkeypatch
):
    batch_id = _queued_batch(api, upgradables, django_capture_on_commit_callbacks)
    _die_at(monkeypatch, upgradables[1].subscription.pk)
    with pytest.raises(WorkerKilled):
        upgrade_batch_chunk_process(batch_id=batch_id, first_position=0, last_position=3)
    monkeypatch.undo()
    upgrade_batch_cancel(actor=sales_agent, batch=UpgradeBatch.objects.get(pk=batch_id))
    assert UpgradeBatch.objects.get(pk=batch_id).finished is None  # item 1 still counts as running
    _age(batch_id, 61)
    assert upgrade_batch_sweep() == [(batch_id, 0, 3)]
    assert _rows(batch_id) == [(0, "succeeded", 1), (1, "cancelled", 1), (2, "cancelled", 0)]
    batch = UpgradeBatch.objects.get(pk=batch_id)
    assert batch.status == "cancelled" and batch.finished is not None
    assert UpgradeOperation.objects.count() == 1


def test_two_sweeps_queue_a_chunk_once(api, upgradables, django_capture_on_commit_callbacks, monkeypatch):
    batch_id = _queued_batch(api, upgradables[:1], django_capture_on_commit_callbacks)
    UpgradeBatchChunk.objects.filter(batch_id=batch_id).update(status="running")
    _age(batch_id, 61)
    sent = []
    monkeypatch.setattr(process_upgrade_batch_chunk, "delay", lambda *args: sent.append(args))
    assert upgrade_batch_sweep() == [(batch_id, 0, 1)]
    assert upgrade_batch_sweep() == []  # the chunk is queued now: it waits for its worker
    assert sent == [(batch_id, 0, 1)]
    assert UpgradeBatchChunk.objects.get(batch_id=batch_id).status == "queued"


def test_the_heartbeat_refreshes_the_chunk_and_the_current_claim_only(
    api, upgradables, django_capture_on_commit_callbacks
):
    batch_id = _queued_batch(api, upgradables[:2], django_capture_on_commit_callbacks)
    long_ago = timezone.now() - timedelta(minutes=5)
    UpgradeBatchChunk.objects.filter(batch_id=batch_id).update(status="running", heartbeat=long_ago)
    UpgradeBatchItem.objects.filter(batch_id=batch_id).update(status="running", started=long_ago, heartbeat=long_ago)
    chunk = UpgradeBatchChunk.objects.get(batch_id=batch_id)
    first, second = UpgradeBatchItem.objects.filter(batch_id=batch_id).order_by("position")
    heartbeat = Heartbeat(chunk.pk, interval=0)
    heartbeat.item = (first.pk, long_ago)
    heartbeat.beat()
    heartbeat.item = (second.pk, long_ago - timedelta(seconds=1))  # not (any more) this worker's claim
    heartbeat.beat()
    assert UpgradeBatchChunk.objects.get(pk=chunk.pk).heartbeat > long_ago
    assert UpgradeBatchItem.objects.get(pk=first.pk).heartbeat > long_ago
    assert UpgradeBatchItem.objects.get(pk=second.pk).heartbeat == long_ago
    assert upgrade_batch_sweep() == []  # fresh again


def test_a_batch_gets_one_chunk_row_per_chunk(api, upgradables, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        batch_id = api.post(BATCHES, {"items": [item(upgradables[n % 3]) for n in range(250)], "dryRun": True}).json()[
            "id"
        ]
    chunks = UpgradeBatchChunk.objects.filter(batch_id=batch_id).order_by("first_position")
    assert list(chunks.values_list("first_position", "last_position", "status")) == [
        (0, 100, "queued"),
        (100, 200, "queued"),
        (200, 250, "queued"),
    ]


def test_worker_fault_settings():
    chunk_task = app.tasks["bulk.process_upgrade_batch_chunk"]
    assert (chunk_task.acks_late, chunk_task.reject_on_worker_lost) == (True, True)
    sweep_task = app.tasks["bulk.sweep_stale_chunks"]
    assert (sweep_task.acks_late, sweep_task.ignore_result) == (True, True)
    assert settings.CELERY_BEAT_SCHEDULE["bulk-sweep-stale-chunks"] == {
        "task": "bulk.sweep_stale_chunks",
        "schedule": 20.0,
    }
    assert (settings.BULK_STALE_AFTER, settings.BULK_HEARTBEAT_INTERVAL) == (60.0, 10.0)
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS == {"visibility_timeout": 300}
    assert (settings.CELERY_TASK_ACKS_LATE, settings.CELERY_WORKER_PREFETCH_MULTIPLIER) == (True, 1)


def test_the_sweep_task_answers_how_many_chunks_it_queued(api, upgradables, django_capture_on_commit_callbacks):
    batch_id = _queued_batch(api, upgradables, django_capture_on_commit_callbacks)
    UpgradeBatchChunk.objects.filter(batch_id=batch_id).update(status="running")
    _age(batch_id, 61)
    assert sweep_stale_chunks.apply().get() == 1
    assert _rows(batch_id) == [(0, "succeeded", 1), (1, "succeeded", 1), (2, "succeeded", 1)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_thread_beats_while_the_chunk_runs(partner, sales_agent):
    """The thread keeps a long item's claim alive (its own database connection, rows committed)."""
    batch = UpgradeBatch.objects.create(partner=partner, created_by_user=sales_agent, total_items=1, status="running")
    long_ago = timezone.now() - timedelta(minutes=5)
    chunk = UpgradeBatchChunk.objects.create(
        batch=batch, first_position=0, last_position=1, status="running", heartbeat=long_ago
    )
    running = UpgradeBatchItem.objects.create(
        batch=batch,
        position=0,
        customer_tenant_id="00000000-0000-0000-0000-000000000001",
        subscription_id="00000000-0000-0000-0000-000000000002",
        target_offer_id="o365-e3",
        status="running",
        started=long_ago,
        heartbeat=long_ago,
    )
    with Heartbeat(chunk.pk, interval=0.05) as heartbeat:
        heartbeat.item = (running.pk, long_ago)
        deadline = time.monotonic() + 10
        while UpgradeBatchItem.objects.get(pk=running.pk).heartbeat == long_ago:
            assert time.monotonic() < deadline, "no heartbeat within 10 s"
            time.sleep(0.05)
    assert UpgradeBatchChunk.objects.get(pk=chunk.pk).heartbeat > long_ago
    assert upgrade_batch_sweep() == []
