"""A worker killed with SIGKILL in the middle of an upgrade batch: a new worker finishes it, every item once.

Production mechanism only: the chunk tasks are acknowledged late, the worker refreshes heartbeats while it runs a
chunk, and ``celery beat`` (its own process, the project's beat schedule) sends ``bulk.sweep_stale_chunks``,
which queues again the chunk whose heartbeat went stale. Settings are the defaults (``BULK_STALE_AFTER`` 60 s,
``BULK_SWEEP_INTERVAL`` 20 s, ``BULK_HEARTBEAT_INTERVAL`` 10 s) unless the environment sets them.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count, Sum

from audit.models import AuditRecord, OperationType
from bulk.models import UpgradeBatch, UpgradeBatchChunk, UpgradeBatchItem
from customers.models import TenantUser
from partners.models import SecurityGroup
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from upgrades.models import UpgradeOperation

from .processes import ROOT, bench_batch, database_url, worker_queues

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ITEMS = 200
USERS_PER_SUBSCRIPTION = 2
RESUME_LIMIT = 120.0  # seconds from the new worker's start to the batch's end


def _celery(*args: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url()}
    # Its own process group: SIGKILL to the group takes the pool's children too (a machine that is lost).
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "partnercenter", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _worker(name: str, log: Path) -> subprocess.Popen:
    return _celery(
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        worker_queues(),
        "-n",
        f"{name}-{os.getpid()}@%h",
        log=log,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _redis():
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def _unacked_tags(queue: str) -> list[bytes]:
    """Delivery tags of the messages of ``queue`` handed to a worker and not acknowledged yet."""
    return [tag for tag, raw in _redis().hgetall("unacked").items() if json.loads(raw)[2] == queue]


def _forget_unacked(queue: str) -> None:
    """Drop this test's messages from the Redis db (the killed worker's unacknowledged one, anything queued)."""
    client = _redis()
    for tag in _unacked_tags(queue):
        client.hdel("unacked", tag)
        client.zrem("unacked_index", tag)
    client.delete(queue)


@pytest.fixture
def estate():
    """ITEMS customers of one partner, each with a small Business Basic subscription, 2 of its seats licensed."""
    partner = factories.PartnerFactory(code="contoso-csp")
    agent = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"])
    factories.SecurityGroupFactory(partner=partner, name=SecurityGroup.ADMIN_AGENTS).members.add(agent)
    sources = []
    for _ in range(ITEMS):
        customer = factories.CustomerFactory(country="US")
        factories.RelationshipFactory(partner=partner, customer=customer)
        factories.DapGrantFactory(partner=partner, customer=customer)
        sources.append(
            factories.SubscriptionFactory(
                customer=customer, partner=partner, offer_id="m365-business-basic", quantity=3
            )
        )
    users = TenantUser.objects.bulk_create(
        factories.TenantUserFactory.build(customer=source.customer)
        for source in sources
        for _ in range(USERS_PER_SUBSCRIPTION)
    )
    LicenseAssignment.objects.bulk_create(
        LicenseAssignment(user=user, subscription=source)
        for source in sources
        for user in users
        if user.customer_id == source.customer_id
    )
    return agent, sources


def test_a_batch_survives_a_killed_worker_and_runs_every_item_once(estate, tmp_path):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "set CELERY_BROKER_URL so tasks go to the real worker"
    agent, sources = estate
    licenses = LicenseAssignment.objects.count()
    assert licenses == ITEMS * USERS_PER_SUBSCRIPTION
    queue = settings.TASK_QUEUE_BULK  # where the chunks go (CELERY_TASK_ROUTES)
    beat = _celery("beat", "--loglevel=WARNING", "-s", str(tmp_path / "celerybeat-schedule"), log=tmp_path / "beat.log")
    first = _worker("doomed", tmp_path / "first.log")
    second = None
    try:
        batch = bench_batch().e3_batch_create(agent, sources)
        items = UpgradeBatchItem.objects.filter(batch=batch)
        created = time.monotonic()
        deadline = time.monotonic() + 120
        while items.filter(status="succeeded").count() < ITEMS // 3:
            assert time.monotonic() < deadline, "the first worker did not get through a third of the batch"
            assert first.poll() is None, (tmp_path / "first.log").read_text()
            time.sleep(0.05)
        # Acks late, prefetch 1: the doomed worker holds only the chunk it runs; the other waits in the queue.
        assert (len(_unacked_tags(queue)), _redis().llen(queue)) == (1, 1)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        killed = time.monotonic()
        done_at_kill = items.filter(status="succeeded").count()
        assert done_at_kill < ITEMS // 2, done_at_kill

        second = _worker("rescuer", tmp_path / "second.log")
        restarted = time.monotonic()
        while UpgradeBatch.objects.get(pk=batch.pk).status in ("queued", "running"):
            assert time.monotonic() - restarted < RESUME_LIMIT, (
                f"batch not finished {RESUME_LIMIT}s after the restart: "
                f"{dict(items.values_list('status').annotate(n=Count('pk')))}\n{(tmp_path / 'second.log').read_text()}"
            )
            time.sleep(0.25)
        finished = time.monotonic()
    finally:
        for process in (first, second, beat):
            if process is not None:
                _stop(process)
        _forget_unacked(queue)

    print(
        f"\nworker kill: {ITEMS} items, {done_at_kill} done when killed ({killed - created:.1f}s after the batch "
        f"was created); batch finished "
        f"{finished - restarted:.1f}s after the new worker started ({finished - killed:.1f}s after the kill); "
        f"chunk re-queues {UpgradeBatchChunk.objects.filter(batch=batch).aggregate(n=Sum('requeues'))['n']}, "
        f"item attempts {items.aggregate(n=Sum('attempts'))['n']}"
    )
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "succeeded"
    assert items.filter(status="succeeded").count() == ITEMS
    # Exactly once: one operation per source, one target per customer, every item's own operation.
    operations = UpgradeOperation.objects.filter(source__in=sources)
    assert operations.count() == ITEMS
    assert operations.filter(status="succeeded").count() == ITEMS
    assert operations.values("source").distinct().count() == ITEMS
    assert items.exclude(operation=None).values("operation").distinct().count() == ITEMS
    targets = Subscription.objects.filter(partner=agent.partner, offer_id="o365-e3")
    assert targets.count() == ITEMS
    assert targets.values("customer").distinct().count() == ITEMS
    assert Subscription.objects.filter(pk__in=[s.pk for s in sources], status="deleted").count() == ITEMS
    upgrades_audited = AuditRecord.objects.filter(operation_type=OperationType.UPGRADE_SUBSCRIPTION)
    assert upgrades_audited.exclude(resource_type="UpgradeBatch").count() == ITEMS  # one per upgrade
    assert upgrades_audited.filter(resource_type="UpgradeBatch").count() == 1  # the batch itself
    # Licenses conserved: the same 400 assignments, all on the targets now.
    assert LicenseAssignment.objects.count() == licenses
    assert LicenseAssignment.objects.filter(subscription__in=targets).count() == licenses
    # The sweep (not a broker redelivery) brought the killed worker's chunk back.
    assert UpgradeBatchChunk.objects.get(batch=batch, first_position=0).requeues >= 1
    assert items.aggregate(n=Sum("attempts"))["n"] <= ITEMS + 1  # at most the item in flight ran a second time
