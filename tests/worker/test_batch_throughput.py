"""The batch benchmark's figures (``bench/batch.py``) on a smaller estate, with a real worker on Redis and PostgreSQL
(Celery's default pool, one process per CPU): 200 upgrades × 50 seats with license transfer (two chunks, one for
each process of a 2-CPU machine), the same upgrades called one after another in this process, a dry run of 1,000
items and ``POST /v1/upgradeEligibility`` for 100 subscriptions. Prints them and holds the statements per upgrade to
the benchmark's limit (times depend on the machine: printed, not asserted)."""

import pytest
import redis
from django.conf import settings

from .processes import bench_batch, database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_batch_on_one_worker_prints_its_figures_within_the_query_limit(tmp_path, capsys):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "set CELERY_BROKER_URL so tasks go to the real worker"
    bench = bench_batch()
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    estate = bench.build_estate(items=200, seats=50, dry_run_items=1000)
    log = tmp_path / "worker.log"
    worker = bench.start_worker(queue, log, env={"DATABASE_URL": database_url()})
    try:
        with capsys.disabled():  # the figures show in the CI log (pytest -q captures the rest)
            print(f"\nbatch bench (bench/batch.py) on the real worker, {len(estate.batched)} items × 50 seats:")
            figures = bench.measure(
                estate, eligibility=100, queue=queue, redis_url=settings.CELERY_RESULT_BACKEND, log=log
            )
            figures.report()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        redis.Redis.from_url(settings.CELERY_RESULT_BACKEND).delete(
            f"{queue}:queries", f"{queue}:busy_us", f"{queue}:chunks"
        )
    assert figures.licenses == 200 * 50
    assert 11 <= figures.queries_per_upgrade <= bench.TARGET_QUERIES  # 11 per item, the chunk's own part on top
    assert figures.dry_run_items == 1000 and figures.eligibility_subscriptions == 100
