"""A Celery worker of the project that counts the SQL statements its chunk tasks run (for bench/batch.py and the
real-worker CI stage): the production worker plus two task signals, nothing else changed.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... python bench/_worker.py -Q <queue> [worker options]

Each ``bulk.process_upgrade_batch_chunk`` task adds the number of statements it executed on its own connection
(SAVEPOINT / RELEASE / ROLLBACK TO bookkeeping left out; the heartbeat thread's beats are not counted) to the Redis
counter ``<queue>:queries`` of the result backend, its run time in microseconds to ``<queue>:busy_us``, then 1 to
``<queue>:chunks`` (after the batch's end, which its last chunk writes, a reader waits for that count).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from celery.signals import task_postrun, task_prerun  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from partnercenter.celery import app  # noqa: E402

BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class Counter:
    def __init__(self):
        self.statements = 0
        self.started = 0.0

    def __call__(self, execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(BOOKKEEPING):
            self.statements += 1
        return execute(sql, params, many, context)


COUNTER = Counter()


@task_prerun.connect
def _start(task=None, **_kwargs):
    if task is not None and task.name == "bulk.process_upgrade_batch_chunk":
        COUNTER.statements = 0
        COUNTER.started = time.perf_counter()
        if COUNTER not in connection.execute_wrappers:
            connection.execute_wrappers.append(COUNTER)


@task_postrun.connect
def _stop(task=None, **_kwargs):
    if task is None or task.name != "bulk.process_upgrade_batch_chunk" or COUNTER not in connection.execute_wrappers:
        return
    connection.execute_wrappers.remove(COUNTER)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    client = redis.Redis.from_url(settings.CELERY_RESULT_BACKEND)
    client.incrby(f"{queue}:queries", COUNTER.statements)
    client.incrby(f"{queue}:busy_us", int((time.perf_counter() - COUNTER.started) * 1e6))
    client.incr(f"{queue}:chunks")  # last: the reader waits for every chunk's report


if __name__ == "__main__":
    app.worker_main(["worker", *sys.argv[1:]])
