"""Batch benchmark: 1,000 upgrades of 50-seat subscriptions with license transfer, run by ONE real Celery worker.

    .venv/bin/python bench/batch.py [--items 1000] [--seats 50] [--dry-run-items 10000] [--eligibility 500]
                                    [--concurrency N]
                                    [--database-url postgres://postgres@127.0.0.1:5432/portal_bench_batch]
                                    [--broker redis://127.0.0.1:6379/13]

Creates the PostgreSQL database afresh (migrated; dropped at the end), builds a partner whose admin agent upgrades
``--items`` Business Basic subscriptions (one per customer, ``--seats`` users each holding a license, DAP on) and
``--dry-run-items`` more (one per customer, no users), starts one Celery worker (``bench/_worker.py``: the project's
worker, DEBUG off as in production, counting the statements of its chunk tasks) on a queue of its own on Redis, then
measures:

- the batch: ``bulk.services.upgrade_batch_create`` of the items (Office 365 E3, with license transfer), run by the
  worker; upgrades/s and licenses/s from the batch's start to its end, SQL statements per upgrade (the worker's
  chunk tasks, savepoints left out);
- the baseline: the same kind of upgrades (another ``--items`` subscriptions) called one after another in this
  process (``upgrades.services.subscription_upgrade``), and the ratio of the two rates;
- a dry run of ``--dry-run-items`` items through the worker (its start to its end);
- ``POST /v1/upgradeEligibility`` for ``--eligibility`` subscriptions (server time in this process, best of 3);
- with a pool of more than one process: the same batch once more (another ``--items`` subscriptions) on the same
  worker restarted with the solo pool, i.e. what ONE process of it does.

The worker's pool is Celery's default, one process per CPU (``--concurrency N`` to choose; 1 is the solo pool).
Targets: >= 100 upgrades/s with one worker, <= 12 queries per upgrade, dry run of 10,000 under 10 s, eligibility of
500 under 0.5 s. Each figure is printed with its target and PASS/FAIL; the exit status is 1 when one fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, also when a test loads this file
from _django import business_basic_fields, migrate

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATE = 100.0
TARGET_QUERIES = 12.0
TARGET_DRY_RUN = 10.0
TARGET_ELIGIBILITY = 0.5
BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def recreate_database(url: str) -> None:
    """DROP and CREATE the database named in ``url`` (through the server's ``postgres`` database)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup(database_url: str, broker: str, queue: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["CELERY_BROKER_URL"] = broker
    os.environ["CELERY_RESULT_BACKEND"] = broker
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: DEBUG keeps every query of the worker in memory
    migrate(database_url)


def build(partner, count: int, seats: int, tag: str) -> list:
    """``count`` customers of ``partner`` (reseller + DAP), each with one Business Basic subscription of ``seats``
    seats and ``seats`` users holding a license of it (bulk inserts); the subscriptions."""
    from customers.models import Customer, ResellerRelationship, TenantUser
    from delegation.grants import grants_resync
    from delegation.models import DapGrant
    from subscriptions.models import LicenseAssignment, Subscription

    customers = Customer.objects.bulk_create(
        [
            Customer(
                tenant_id=uuid.uuid4(),
                domain=f"{tag}{i:05d}.onmicrosoft.com",
                company_name=f"{tag.title()} {i:05d} Ltd",
                country="US",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    ResellerRelationship.objects.bulk_create(
        [ResellerRelationship(partner=partner, customer=c) for c in customers], batch_size=2000
    )
    DapGrant.objects.bulk_create([DapGrant(partner=partner, customer=c) for c in customers], batch_size=2000)
    grants_resync(partner=partner.pk, customer=[c.pk for c in customers])  # bulk inserts send no signals
    subscriptions = Subscription.objects.bulk_create(
        [Subscription(**business_basic_fields(customer=c, partner=partner, seats=seats)) for c in customers],
        batch_size=2000,
    )
    if seats:
        users = TenantUser.objects.bulk_create(
            [
                TenantUser(
                    customer=c,
                    object_id=uuid.uuid4(),
                    user_principal_name=f"u{j:03d}@{tag}{i:05d}.example",
                    display_name=f"User {j:03d}",
                )
                for i, c in enumerate(customers)
                for j in range(seats)
            ],
            batch_size=5000,
        )
        LicenseAssignment.objects.bulk_create(
            [LicenseAssignment(user=u, subscription=subscriptions[n // seats]) for n, u in enumerate(users)],
            batch_size=5000,
        )
    return subscriptions


def default_concurrency() -> int:
    """Celery's own default size of a worker's pool (``worker_concurrency``): one process per CPU."""
    return os.cpu_count() or 1


def pool_name(concurrency: int) -> str:
    return "solo pool, one process" if concurrency <= 1 else f"prefork pool, {concurrency} processes"


def start_worker(queue: str, log: Path, env: dict | None = None, concurrency: int | None = None) -> subprocess.Popen:
    """One worker of the project (``bench/_worker.py``) consuming ``queue``, its pool of ``concurrency`` processes
    (default: Celery's, one per CPU): the solo pool for 1, else prefork (still one worker node)."""
    concurrency = default_concurrency() if concurrency is None else concurrency
    pool = ["--pool=solo"] if concurrency <= 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "_worker.py"),
            *pool,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            worker_queues(queue),
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env={"DJANGO_DEBUG": "0", **os.environ, **(env or {})},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def worker_queues(queue: str) -> str:
    """``queue`` and the two queues the tasks are routed to (issue 15: named after it, ``CELERY_QUEUE_PREFIX``)."""
    from django.conf import settings

    return ",".join(dict.fromkeys([queue, settings.TASK_QUEUE_INTERACTIVE, settings.TASK_QUEUE_BULK]))


def e3_batch_create(agent, subscriptions, *, dry_run: bool = False):
    """A batch upgrading every subscription to Office 365 E3 with license transfer (through the service)."""
    from bulk.services import BatchItemSpec, upgrade_batch_create

    return upgrade_batch_create(
        actor=agent,
        dry_run=dry_run,
        items=[
            BatchItemSpec(
                customer_tenant_id=s.customer.tenant_id,
                subscription_id=s.pk,
                target_offer_id="o365-e3",
                upgrade_type="upgrade_with_license_transfer",
            )
            for s in subscriptions
        ],
    )


def run_batch(agent, subscriptions, *, dry_run: bool, timeout: float = 900) -> tuple[float, Any]:
    """Create the batch (its chunks go to the worker) and wait for its end; (start-to-end seconds, batch)."""
    from bulk.models import UpgradeBatch

    batch = e3_batch_create(agent, subscriptions, dry_run=dry_run)
    deadline = time.monotonic() + timeout
    while True:
        batch = UpgradeBatch.objects.get(pk=batch.pk)
        if batch.finished is not None:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"batch {batch.pk} not finished after {timeout:g} s (status {batch.status})")
        time.sleep(0.1)
    assert batch.started is not None
    return (batch.finished - batch.started).total_seconds(), batch


class Statements:
    """Counts the SQL statements run on this process's connection (savepoint bookkeeping left out)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(BOOKKEEPING):
            self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Figures:
    items: int
    seats: int
    elapsed: float
    licenses: int
    queries_per_upgrade: float
    serial: float
    serial_queries: float
    dry_run_items: int
    dry_run: float
    eligibility_subscriptions: int
    eligibility: float
    eligibility_queries: int
    concurrency: int = 1
    solo: BatchRun | None = None  # the same batch on one process (solo pool), when the pool has more

    @property
    def rate(self) -> float:
        return self.items / self.elapsed

    @property
    def serial_rate(self) -> float:
        return self.items / self.serial

    def checks(self) -> list[tuple[str, str, str, bool]]:
        return [
            ("upgrades/s on one worker", f"{self.rate:.1f}", f">= {TARGET_RATE:g}", self.rate >= TARGET_RATE),
            (
                "queries per upgrade",
                f"{self.queries_per_upgrade:.1f}",
                f"<= {TARGET_QUERIES:g}",
                self.queries_per_upgrade <= TARGET_QUERIES,
            ),
            (
                f"dry run of {self.dry_run_items:,} (s)",
                f"{self.dry_run:.2f}",
                f"< {TARGET_DRY_RUN:g}",
                self.dry_run < TARGET_DRY_RUN,
            ),
            (
                f"upgradeEligibility for {self.eligibility_subscriptions} (s)",
                f"{self.eligibility:.3f}",
                f"< {TARGET_ELIGIBILITY:g}",
                self.eligibility < TARGET_ELIGIBILITY,
            ),
        ]

    def report(self) -> bool:
        """Print the figures with their targets; True when every one passes."""
        print()
        for name, value, target, ok in self.checks():
            print(f"{name:<34} {value:>9}   target {target:<8} {verdict(ok)}")
        print(f"{'licenses/s on one worker':<34} {self.licenses / self.elapsed:>9,.0f}")
        print(f"{'worker pool':<34} {pool_name(self.concurrency):>9}")
        if self.solo is not None:
            print(f"{'upgrades/s on one process (solo)':<34} {self.solo.rate:>9.1f}")
            print(f"{'queries per upgrade (solo)':<34} {self.solo.queries_per_upgrade:>9.1f}")
        print(f"{'in-process upgrades/s':<34} {self.serial_rate:>9.1f}")
        print(f"{'in-process queries per upgrade':<34} {self.serial_queries:>9.1f}")
        print(f"{'batch / in-process':<34} {self.rate / self.serial_rate:>9.2f}")
        return all(ok for *_rest, ok in self.checks())


@dataclass
class Estate:
    agent: object
    batched: list
    baseline: list
    checked: list
    seats: int
    solo: list  # one more set for the solo pool's run (empty when not asked for)


def build_estate(*, items: int, seats: int, dry_run_items: int, solo_items: int = 0) -> Estate:
    """The partner, its admin agent and the sets of subscriptions (then ANALYZE, as a live database)."""
    from django.db import connection

    from accounts.models import User
    from partners.models import Partner, PartnerRoleAssignment, SecurityGroup

    partner = Partner.objects.create(code="bench-csp", name="Bench CSP", tenant_id=uuid.uuid4())
    agent = User.objects.create(username="bench-agent", email="agent@bench.example", partner=partner)
    PartnerRoleAssignment.objects.create(user=agent, role="admin_agent")
    SecurityGroup.objects.create(partner=partner, name=SecurityGroup.ADMIN_AGENTS).members.add(agent)
    started = time.perf_counter()
    batched = build(partner, items, seats, "batch")
    baseline = build(partner, items, seats, "serial")
    checked = build(partner, dry_run_items, 0, "dry")
    solo = build(partner, solo_items, seats, "solo") if solo_items else []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database has them
    sets = 3 if solo else 2
    print(
        f"data          {sets} × {items:,} subscriptions × {seats} licensed seats, {dry_run_items:,} more "
        f"without users (built in {time.perf_counter() - started:.1f} s)"
    )
    return Estate(User.objects.get(pk=agent.pk), batched, baseline, checked, seats, solo)


@dataclass
class BatchRun:
    items: int
    elapsed: float
    busy: float
    licenses: int
    queries: int

    @property
    def rate(self) -> float:
        return self.items / self.elapsed

    @property
    def queries_per_upgrade(self) -> float:
        return self.queries / self.items

    def print(self, label: str) -> None:
        print(
            f"{label:<13} {self.items:,} upgrades in {self.elapsed:6.2f} s (worker busy {self.busy:.2f} s): "
            f"{self.rate:7.1f} upgrades/s, {self.licenses / self.elapsed:9,.0f} licenses/s, "
            f"{self.queries_per_upgrade:.1f} queries/upgrade"
        )


def measure_batch(agent, subscriptions, *, seats: int, queue: str, client, log: Path) -> BatchRun:
    """A real batch of ``subscriptions`` on the worker consuming ``queue``, checked (every item succeeded, every
    license moved) and measured; the worker's counters are read (then reset) through the Redis ``client``."""
    from subscriptions.models import LicenseAssignment

    client.delete(f"{queue}:queries", f"{queue}:busy_us", f"{queue}:chunks")
    items = len(subscriptions)
    elapsed, batch = run_batch(agent, subscriptions, dry_run=False)
    runs = sum(batch.chunks.values_list("runs", flat=True))
    deadline = time.monotonic() + 30
    while int(client.get(f"{queue}:chunks") or 0) < runs:  # the last chunk reports after it ended the batch
        assert time.monotonic() < deadline, (
            f"the worker reported {int(client.get(f'{queue}:chunks') or 0)} of {runs} chunks"
        )
        time.sleep(0.05)
    queries = int(client.get(f"{queue}:queries") or 0)
    busy = int(client.get(f"{queue}:busy_us") or 0) / 1e6
    succeeded = batch.items.filter(status="succeeded").count()
    failed = batch.items.exclude(status="succeeded").first()
    assert succeeded == items, f"{succeeded} of {items} succeeded; e.g. {failed and failed.result}; {log}"
    moved = LicenseAssignment.objects.filter(
        subscription__in=batch.items.values("operation__target_id"), subscription__offer_id="o365-e3"
    ).count()
    assert moved == items * seats, moved
    return BatchRun(items=items, elapsed=elapsed, busy=busy, licenses=moved, queries=queries)


def measure(
    estate: Estate, *, eligibility: int, queue: str, redis_url: str, log: Path, concurrency: int | None = None
) -> Figures:
    """Run the four measures; the worker (``start_worker`` with ``concurrency``) must be consuming ``queue``."""
    import redis
    from django.db import connection
    from django.test import Client

    from accounts.models import ApiToken
    from upgrades.services import subscription_upgrade

    agent, items, seats = estate.agent, len(estate.batched), estate.seats
    client = redis.Redis.from_url(redis_url)

    # 1. the batch, on the worker
    run = measure_batch(agent, estate.batched, seats=seats, queue=queue, client=client, log=log)
    run.print("batch")
    elapsed, moved, queries = run.elapsed, run.licenses, run.queries

    # 2. the same upgrades one after another in this process
    counter = Statements()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        for s in estate.baseline:
            subscription_upgrade(
                actor=agent,
                subscription_id=s.pk,
                target_offer_id="o365-e3",
                upgrade_type="upgrade_with_license_transfer",
                notify=False,
            )
    serial = time.perf_counter() - started
    print(
        f"in-process    {items:,} upgrades in {serial:6.2f} s: {items / serial:7.1f} upgrades/s, "
        f"{items * seats / serial:9,.0f} licenses/s, {counter.count / items:.1f} queries/upgrade"
    )
    print(f"ratio         batch on one worker = {serial / elapsed:.2f} × the in-process calls")

    # 3. a dry run
    dry_elapsed, dry = run_batch(agent, estate.checked, dry_run=True)
    eligible = dry.items.filter(status="succeeded").count()
    print(f"dry run       {len(estate.checked):,} items in {dry_elapsed:6.2f} s ({eligible:,} eligible)")

    # 4. POST /v1/upgradeEligibility
    _token, raw = ApiToken.issue(user=agent)
    body = json.dumps(
        {
            "subscriptions": [
                {"customerId": str(s.customer.tenant_id), "subscriptionId": str(s.pk)}
                for s in estate.checked[:eligibility]
            ]
        }
    )
    web = Client()
    times, counts = [], []
    for _ in range(4):
        statements = Statements()
        with connection.execute_wrapper(statements):
            started = time.perf_counter()
            response = web.post(
                "/v1/upgradeEligibility", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
            )
            times.append(time.perf_counter() - started)
        counts.append(statements.count)
        assert response.status_code == 200, response.content[:500]
    options = sum(len(entry["upgrades"]["items"]) for entry in response.json()["items"])
    best = min(times[1:])  # the first warms the URL resolver and the caches of the process
    print(
        f"eligibility   {len(response.json()['items'])} subscriptions ({options:,} options) in {best:6.3f} s "
        f"(best of 3), {counts[-1]} queries"
    )
    return Figures(
        items=items,
        seats=seats,
        elapsed=elapsed,
        licenses=moved,
        queries_per_upgrade=queries / items,
        serial=serial,
        serial_queries=counter.count / items,
        dry_run_items=len(estate.checked),
        dry_run=dry_elapsed,
        eligibility_subscriptions=len(response.json()["items"]),
        eligibility=best,
        eligibility_queries=counts[-1],
        concurrency=default_concurrency() if concurrency is None else concurrency,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--dry-run-items", type=int, default=10_000)
    parser.add_argument("--eligibility", type=int, default=500)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/portal_bench_batch")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=default_concurrency(),
        help="processes of the one worker's pool (default: Celery's, one per CPU; 1: the solo pool)",
    )
    args = parser.parse_args()

    queue = f"bench-batch-{os.getpid()}"
    recreate_database(args.database_url)
    setup(args.database_url, args.broker, queue)
    import redis

    worker = None
    log = Path(f"/tmp/{queue}.log")
    try:
        estate = build_estate(
            items=args.items,
            seats=args.seats,
            dry_run_items=args.dry_run_items,
            solo_items=args.items if args.concurrency > 1 else 0,
        )
        worker = start_worker(queue, log, concurrency=args.concurrency)
        print(f"one worker: {pool_name(args.concurrency)}")
        figures = measure(
            estate,
            eligibility=args.eligibility,
            queue=queue,
            redis_url=args.broker,
            log=log,
            concurrency=args.concurrency,
        )
        if estate.solo:
            stop_worker(worker)
            worker = start_worker(queue, log, concurrency=1)
            figures.solo = measure_batch(
                estate.agent,
                estate.solo,
                seats=estate.seats,
                queue=queue,
                client=redis.Redis.from_url(args.broker),
                log=log,
            )
            figures.solo.print("solo pool")
        return 0 if figures.report() else 1
    finally:
        if worker is not None:
            stop_worker(worker)
        redis.Redis.from_url(args.broker).delete(
            *worker_queues(queue).split(","), f"{queue}:queries", f"{queue}:busy_us", f"{queue}:chunks"
        )
        drop_database(args.database_url)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()


if __name__ == "__main__":
    sys.exit(main())
