"""Guard: nothing outside ``core/workflow.py`` writes a workflow status field directly, so the kernel (table
check + history row) cannot be bypassed. Creating an object in its first status (constructor / ``create``
keywords) is allowed: the kernel's ``start`` records it. Migrations and tests are not scanned."""

from __future__ import annotations

import pytest

from core.workflow import workflows

from .status_writes import ROOT, app_files, status_writes

KERNEL = "core/workflow.py"
# (file, code) of writes of a same-named field that is NOT a workflow's, with the reason.
ALLOWED = {
    ("direct/services.py", "subscription.status"): "Subscription.status (cancellation), not a workflow",
    ("direct/services.py", "subscription.save(update_fields=['status', 'auto_renew', 'updated'])"): "same",
    ("direct/partner_e4.py", "Subscription.objects.filter(pk__in=[s.pk for s in rows]).update(status=SubscriptionSt"): (
        "Subscription.status (E4 deprovisioning), not a workflow"
    ),
}


def _fields() -> set[str]:
    return {w.field for w in workflows()}


def test_no_module_writes_a_workflow_status_directly():
    found = []
    for rel in app_files():
        if str(rel) == KERNEL:
            continue
        for line, code in status_writes((ROOT / rel).read_text(), _fields()):
            if (str(rel), code[:80]) not in {(f, c[:80]) for f, c in ALLOWED}:
                found.append(f"{rel}:{line}: {code}")
    assert found == [], "write the status through core.workflow.transition():\n" + "\n".join(found)


def test_every_allow_list_entry_is_still_needed():
    seen = set()
    for rel in app_files():
        for _line, code in status_writes((ROOT / rel).read_text(), _fields()):
            seen.add((str(rel), code[:80]))
    assert {(f, c[:80]) for f, c in ALLOWED} <= seen


@pytest.mark.parametrize(
    "source",
    [
        "order.status = 'queued'",
        "order.credit_check = 'approved'",
        "a.status, a.result = 'x', {}",
        "setattr(item, 'status', 'running')",
        "Item.objects.filter(pk=1).update(status='running')",
        "Batch.objects.update_or_create(pk=1, defaults={'status': 'running'})",
        "Item.objects.bulk_update(items, ['status'])",
        "order.save(update_fields=['status'])",
    ],
)
def test_the_scan_finds_each_kind_of_direct_write(source):
    assert status_writes(source, {"status", "credit_check"})


def test_the_scan_lets_creation_and_reads_pass():
    source = (
        "Order.objects.create(status='queued')\n"
        "Item(status='skipped')\n"
        "x = order.status\n"
        "Order.objects.filter(status='queued').update(note='n')\n"
        "Chunk.objects.get_or_create(pk=1, defaults={'status': 'running'})\n"
    )
    assert status_writes(source, {"status"}) == []
