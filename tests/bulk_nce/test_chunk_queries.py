"""A chunk of new commerce items: the chunk's items load in one query, then each item costs a fixed number of
statements through its service (no query per item to load the chunk), whatever the chunk's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulk.processing import upgrade_batch_chunk_process
from bulk.services import BatchItemSpec, upgrade_batch_create
from tests.builders import nce_subscription as nce

from .conftest import STANDARD

pytestmark = pytest.mark.django_db

INSTRUCTIONS = {
    "scheduledNextTermInstructions": {
        "product": {**STANDARD, "billingCycle": "annual", "termDuration": "P1Y"},
        "quantity": 5,
        "customTermEndDate": None,
    }
}


def chunk_queries(agent, customer, partner, count: int, *, dry_run: bool = False) -> int:
    specs = [
        BatchItemSpec(
            customer_tenant_id=customer.tenant_id,
            subscription_id=nce(customer, partner=partner).pk,
            kind="scheduledChange",
            request=INSTRUCTIONS,
        )
        for _ in range(count)
    ]
    batch = upgrade_batch_create(actor=agent, items=specs, dry_run=dry_run)  # not enqueued: no commit here
    with CaptureQueriesContext(connection) as captured:
        counts = upgrade_batch_chunk_process(batch_id=batch.pk, first_position=0, last_position=count)
    assert counts == {"succeeded": count}
    return len(captured)


@pytest.mark.parametrize("dry_run", [False, True])
def test_each_item_costs_the_same_fixed_statements(agent, customer, partner, dry_run):
    two, three, five = (chunk_queries(agent, customer, partner, n, dry_run=dry_run) for n in (2, 3, 5))
    per_item = three - two
    assert five - two == 3 * per_item
    # a real item: claim, savepoint (the item's transaction), savepoint (the service's), lock and re-read, the
    # catalog item, the price, the write, the audit record, release, outcome, history rows, release; a dry-run
    # item (the chunk's one transaction): savepoint, its subscription, the catalog item, the price, release
    assert per_item == (5 if dry_run else 12)
