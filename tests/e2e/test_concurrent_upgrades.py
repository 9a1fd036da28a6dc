"""Twenty concurrent upgrade POSTs for one subscription against the live server (distinct MS-RequestIds).

On PostgreSQL they really race (one connection per server thread): exactly one upgrade wins, the others
answer 400 with ``concurrency_conflicts`` (4) or, once the winner committed, ``subscription_status_not_active``
(2, plus 3: the customer now holds the target), or 409. On SQLite the test database is one in-memory
connection shared by every server thread, so the requests are sent one after the other there; the same
invariants must hold.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection
from django.db.models import Count

from subscriptions.models import LicenseAssignment, Subscription
from tests.builders import E2E_DB

pytestmark = [pytest.mark.e2e, E2E_DB]
REQUESTS = 20


def test_twenty_concurrent_upgrades_one_wins(live_server, world):
    workers = REQUESTS if connection.vendor == "postgresql" else 1
    url = f"{live_server.url}/v1/customers/{world.customer.tenant_id}/subscriptions/{world.subscription.pk}/upgrades"
    body = {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"}
    start = threading.Barrier(workers)

    def post(_n):
        if workers > 1:
            start.wait(timeout=30)
        response = requests.post(
            url,
            json=body,
            timeout=60,
            headers={"Authorization": f"Bearer {world.raw_token}", "MS-RequestId": str(uuid.uuid4())},
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(post, range(REQUESTS)))

    winners = [result for status, result in outcomes if status == 200]
    assert len(winners) == 1, [status for status, _ in outcomes]
    for status, result in outcomes:
        if status == 200:
            continue
        assert status in (400, 409), (status, result)
        if status == 400:
            codes = {error["code"] for error in result["upgradeErrors"]}
            # 4 while the winner holds the lock; afterwards 2 (source cancelled), with 3 (customer now holds E3)
            assert codes & {2, 4} and codes <= {2, 3, 4}, result

    target = Subscription.objects.get(pk=winners[0]["targetSubscriptionId"])
    assert Subscription.objects.filter(customer=world.customer, offer_id="o365-e3").count() == 1
    world.subscription.refresh_from_db()
    assert world.subscription.status == "deleted"
    # Every user who had a license has exactly one; no subscription has more assignments than seats.
    per_user = dict(
        LicenseAssignment.objects.filter(user__in=world.users)
        .values_list("user")
        .annotate(n=Count("id"))
        .values_list("user", "n")
    )
    assert per_user == {user.pk: 1 for user in world.users}
    assert LicenseAssignment.objects.filter(subscription=target).count() == len(world.users)
    for subscription in Subscription.objects.filter(customer=world.customer).annotate(n=Count("assignments")):
        assert subscription.n <= subscription.quantity


def test_concurrent_retries_with_one_request_id_upgrade_once(live_server, world):
    """The same MS-RequestId sent by several threads at once: one runs; the others get 409 while it runs,
    or the replay of its response once it finished. Never a second upgrade."""
    workers = 8 if connection.vendor == "postgresql" else 1
    url = f"{live_server.url}/v1/customers/{world.customer.tenant_id}/subscriptions/{world.subscription.pk}/upgrades"
    headers = {"Authorization": f"Bearer {world.raw_token}", "MS-RequestId": str(uuid.uuid4())}
    start = threading.Barrier(workers)

    def post(_n):
        if workers > 1:
            start.wait(timeout=30)
        response = requests.post(url, json={"targetOffer": {"id": "o365-e3"}}, headers=headers, timeout=60)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(post, range(8)))

    successes = [result for status, result in outcomes if status == 200]
    assert successes and all(result == successes[0] for result in successes)
    assert all(status in (200, 409) for status, _ in outcomes), outcomes
    assert all(result["errorName"] == "request_in_progress" for status, result in outcomes if status == 409)
    assert Subscription.objects.filter(customer=world.customer, offer_id="o365-e3").count() == 1
