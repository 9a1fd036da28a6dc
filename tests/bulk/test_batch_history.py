"""A batch run leaves history rows matching its moves: the batch, its chunk, each item (written in bulk per
chunk) and each item's upgrade operation, all with the request's correlation id."""

from core.models import WorkflowTransition
from core.workflow import history
from tests.builders import BATCHES, item, run_batch


def moves(obj):
    return list(history(obj).values_list("from_status", "to_status"))


def test_batch_run_history(api, upgradables, django_capture_on_commit_callbacks):
    body = {"items": [item(u) for u in upgradables] + [item(upgradables[0])]}  # the last one is a duplicate
    batch, _response = run_batch(api, body, django_capture_on_commit_callbacks, headers={"MS-CorrelationId": "b-7"})
    batch.refresh_from_db()
    assert batch.status == "partially_succeeded"  # the skipped duplicate did not succeed
    assert moves(batch) == [("", "queued"), ("queued", "running"), ("running", "partially_succeeded")]
    items = list(batch.items.order_by("position"))
    for it in items[:3]:
        assert moves(it) == [("pending", "running"), ("running", "succeeded")]
        assert moves(it.operation) == [("", "pending"), ("pending", "in_progress"), ("in_progress", "succeeded")]
    assert items[3].status == "skipped" and moves(items[3]) == []  # created skipped: no move
    chunk = batch.chunks.get()
    assert moves(chunk) == [("queued", "running"), ("running", "done")]
    rows = WorkflowTransition.objects.all()
    assert set(rows.values_list("correlation_id", flat=True)) == {"b-7"}
    assert set(rows.filter(workflow="upgrade_batch_item").values_list("actor_username", flat=True)) == {""}
    assert rows.get(workflow="upgrade_batch", from_status="").actor_username == "ana"


def test_cancel_history(api, upgradables):
    response = api.post(BATCHES, {"items": [item(u) for u in upgradables]})
    batch_id = response.json()["id"]
    assert api.post(f"{BATCHES}/{batch_id}/cancel", {}).status_code in (200, 202)
    rows = WorkflowTransition.objects.filter(workflow="upgrade_batch_item")
    assert (
        sorted(rows.values_list("from_status", "to_status", "actor_username")) == [("pending", "cancelled", "ana")] * 3
    )
    batch_rows = WorkflowTransition.objects.filter(workflow="upgrade_batch", object_id=batch_id)
    assert list(batch_rows.values_list("from_status", "to_status")) == [("", "queued"), ("queued", "cancelled")]
