"""The readiness checks of ``/readyz``: the database answers, no migration is unapplied, the broker accepts a
connection and at least one Celery worker answers a ping, each with a short timeout.

A check answers ``{"status": "ok" | "fail" | "skipped", ...}`` and never an exception's text, a URL or a host
name (they can hold passwords or the network's layout): a failure names only the exception's class. With eager
Celery (the development default: no broker configured) the broker and worker checks are ``skipped`` with
``"mode": "eager"``, which counts as ready.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from kombu import Connection

logger = logging.getLogger(__name__)
OK, FAIL, SKIPPED = "ok", "fail", "skipped"


class MigrationState:
    """Once every migration is applied it stays so for the life of the process (code changes need a restart);
    a positive answer is kept so a probe does not load the migration graph every time."""

    all_applied = False


def failure(check: str, exc: BaseException) -> dict:
    logger.warning("readiness check %s failed: %s", check, type(exc).__name__)
    return {"status": FAIL, "error": type(exc).__name__}


def check_database() -> dict:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"; its text may hold the host
        return failure("database", exc)
    return {"status": OK}


def unapplied_migrations() -> int:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def check_migrations() -> dict:
    if MigrationState.all_applied:
        return {"status": OK, "unapplied": 0}
    try:
        unapplied = unapplied_migrations()
    except Exception as exc:
        return failure("migrations", exc)
    if unapplied:
        return {"status": FAIL, "unapplied": unapplied}
    MigrationState.all_applied = True
    return {"status": OK, "unapplied": 0}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": SKIPPED, "mode": "eager"}
    timeout = settings.READYZ_BROKER_TIMEOUT
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=max(int(timeout), 1))
    except Exception as exc:
        return failure("broker", exc)
    return {"status": OK}


def check_workers() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": SKIPPED, "mode": "eager"}
    try:
        # limit=1: answer at the first pong instead of waiting the whole timeout for every worker
        replies = current_app.control.ping(timeout=settings.READYZ_WORKER_TIMEOUT, limit=1) or []
    except Exception as exc:
        return failure("workers", exc)
    answering = sum(1 for reply in replies for answer in reply.values() if answer.get("ok") == "pong")
    return {"status": OK if answering else FAIL, "answering": answering}


def readiness() -> tuple[bool, dict]:
    """``(ready, checks)``: ready when every check is ok or skipped for eager Celery. Migrations are checked only
    when the database answers and workers only when the broker does (``"skipped"`` without ``mode``: not
    ready), so a probe never waits on every timeout at once."""
    checks = {"database": check_database()}
    checks["migrations"] = check_migrations() if checks["database"]["status"] == OK else {"status": SKIPPED}
    checks["broker"] = check_broker()
    checks["workers"] = check_workers() if checks["broker"]["status"] != FAIL else {"status": SKIPPED}
    ready = all(c["status"] == OK or c.get("mode") == "eager" for c in checks.values())
    return ready, checks
