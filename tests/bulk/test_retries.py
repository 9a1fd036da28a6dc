"""Retry safety of the chunk tasks: a retried or duplicated task never upgrades twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bulk.models import UpgradeBatch, UpgradeBatchItem
from bulk.services import chunk_bounds
from bulk.tasks import process_upgrade_batch_chunk
from subscriptions.models import Subscription
from tests.builders import BATCHES, item, run_batch
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db


def test_chunks_cover_every_position():
    assert chunk_bounds(250) == [(0, 100), (100, 200), (200, 250)]
    assert chunk_bounds(100) == [(0, 100)]


def test_a_retried_chunk_task_does_not_upgrade_twice(api, upgradables, django_capture_on_commit_callbacks):
    batch, _response = run_batch(api, {"items": [item(u) for u in upgradables]}, django_capture_on_commit_callbacks)
    operations = UpgradeOperation.objects.count()
    results = list(UpgradeBatchItem.objects.order_by("position").values_list("result", flat=True))
    assert operations == 3
    again = process_upgrade_batch_chunk.apply(args=(str(batch.pk), 0, 3)).get()
    assert again == {}  # nothing left to claim
    assert UpgradeOperation.objects.count() == operations
    assert list(UpgradeBatchItem.objects.order_by("position").values_list("result", flat=True)) == results
    assert set(UpgradeBatchItem.objects.values_list("attempts", flat=True)) == {1}
    assert Subscription.objects.filter(offer_id="o365-e3").count() == 3


def test_items_claimed_by_a_live_worker_are_left_alone(api, upgradables, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        batch_id = api.post(BATCHES, {"items": [item(u) for u in upgradables]}).json()["id"]
    UpgradeBatchItem.objects.filter(batch_id=batch_id, position=1).update(status="running", started=timezone.now())
    counts = process_upgrade_batch_chunk.apply(args=(batch_id, 0, 3)).get()
    assert counts == {"succeeded": 2}
    assert UpgradeBatch.objects.get(pk=batch_id).status == "running"  # item 1 is still running elsewhere
    upgradables[1].subscription.refresh_from_db()
    assert upgradables[1].subscription.status == "active"


def test_an_item_left_running_by_a_dead_worker_is_run_once(api, upgradables, django_capture_on_commit_callbacks):
    """A crash rolls the item's upgrade back with it; after STALE_AFTER the item is claimed again."""
    with django_capture_on_commit_callbacks(execute=False):
        batch_id = api.post(BATCHES, {"items": [item(u) for u in upgradables[:2]]}).json()["id"]
    long_ago = timezone.now() - timedelta(hours=1)
    UpgradeBatchItem.objects.filter(batch_id=batch_id, position=0).update(
        status="running", started=long_ago, attempts=1
    )
    assert process_upgrade_batch_chunk.apply(args=(batch_id, 0, 2)).get() == {"succeeded": 2}
    first = UpgradeBatchItem.objects.get(batch_id=batch_id, position=0)
    assert (first.status, first.attempts) == ("succeeded", 2)
    assert UpgradeOperation.objects.filter(source=upgradables[0].subscription).count() == 1
    assert UpgradeBatch.objects.get(pk=batch_id).status == "succeeded"
    assert process_upgrade_batch_chunk.apply(args=(batch_id, 0, 2)).get() == {}


def test_an_unexpected_error_fails_only_that_item(api, upgradables, django_capture_on_commit_callbacks, monkeypatch):
    from bulk import processing

    real = processing.subscription_upgrade

    def flaky(**kwargs):
        if kwargs["subscription_id"] == upgradables[1].subscription.pk:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(processing, "subscription_upgrade", flaky)
    batch, _response = run_batch(api, {"items": [item(u) for u in upgradables]}, django_capture_on_commit_callbacks)
    statuses = list(UpgradeBatchItem.objects.filter(batch=batch).order_by("position").values_list("status", flat=True))
    assert statuses == ["succeeded", "failed", "succeeded"]
    failed = UpgradeBatchItem.objects.get(batch=batch, position=1)
    assert failed.result["fault"]["errorName"] == "internal_error" and "boom" not in str(failed.result)


def test_deleted_batch_is_a_no_op():
    assert process_upgrade_batch_chunk.apply(args=("00000000-0000-0000-0000-000000000000", 0, 100)).get() == {}
