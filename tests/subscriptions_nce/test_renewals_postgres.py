"""Two workers renewing at once on PostgreSQL: each subscription renews exactly once, with one audit record.

Row locks only exist on PostgreSQL (SQLite serialises writers; the read-then-write race is simulated in
``test_renewals``), so this module only defines its tests when the suite runs on PostgreSQL. Each worker is a
thread with its own database connection, running the same code the Celery task runs.
"""

import threading
from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.db import connection

from audit.models import AuditRecord
from subscriptions import renewals
from subscriptions.models import Subscription
from subscriptions.renewals import subscription_renew, subscriptions_renew_due

from .items import STANDARD_ITEM

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
RENEWAL = datetime(2027, 3, 1, 0, 5, tzinfo=UTC)
TO_STANDARD = {
    "product": {**STANDARD_ITEM, "billingCycle": "monthly", "termDuration": "P1Y"},
    "quantity": 7,
    "customTermEndDate": None,
}


def _in_threads(*targets):
    """Run each callable in its own thread (own connection); their results or exceptions, in order."""
    results: list = [None] * len(targets)
    start = threading.Barrier(len(targets))

    def run(index, target):
        try:
            start.wait(timeout=20)
            results[index] = target()
        except Exception as exc:  # reported by the caller's assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t), name=f"worker-{i}") for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


if ON_POSTGRES:

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_two_workers_sweeping_at_once_renew_each_subscription_once(make_nce):
        ids = [make_nce(scheduled_next_term_instructions=TO_STANDARD).pk for _ in range(30)]

        first, second = _in_threads(
            lambda: subscriptions_renew_due(now=RENEWAL), lambda: subscriptions_renew_due(now=RENEWAL)
        )

        assert not isinstance(first, Exception) and not isinstance(second, Exception)
        assert first + second == 30
        rows = Subscription.objects.filter(pk__in=ids)
        assert {(s.offer_id, s.quantity, s.term_start_date, s.commitment_end_date) for s in rows} == {
            ("m365-business-standard", 7, date(2027, 3, 1), date(2028, 2, 29))
        }
        assert all(s.scheduled_next_term_instructions is None for s in rows)
        per_subscription = [r.resource_new_value["id"] for r in AuditRecord.objects.all()]
        assert sorted(per_subscription) == sorted(str(pk) for pk in ids)
        # a third run later that day finds nothing due
        assert subscriptions_renew_due(now=RENEWAL.replace(hour=13)) == 0

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_the_second_worker_waits_for_the_lock_then_finds_it_renewed(make_nce, monkeypatch):
        """The first worker holds the row lock while it computes the next term; the second blocks on it and,
        once the first commits, re-reads the row as no longer due: it writes and audits nothing."""
        subscription = make_nce(scheduled_next_term_instructions=TO_STANDARD)
        locked, release = threading.Event(), threading.Event()
        real_next_term = renewals.next_term

        def slow_next_term(row):
            if threading.current_thread().name == "worker-0":
                locked.set()
                release.wait(timeout=20)
            return real_next_term(row)

        monkeypatch.setattr(renewals, "next_term", slow_next_term)

        def first():
            return subscription_renew(subscription_id=subscription.pk, now=RENEWAL)

        def second():
            assert locked.wait(timeout=20)
            timer = threading.Timer(0.5, release.set)  # let the second worker reach the lock first
            timer.start()
            return subscription_renew(subscription_id=subscription.pk, now=RENEWAL)

        renewed, raced = _in_threads(first, second)

        assert isinstance(renewed, Subscription) and renewed.offer_id == "m365-business-standard"
        assert raced is None
        subscription.refresh_from_db()
        assert (subscription.quantity, subscription.commitment_end_date) == (7, date(2028, 2, 29))
        assert AuditRecord.objects.count() == 1
