"""Helpers of the real-worker suite: where the project lives, the database URL a second process can use, the
queues a test worker consumes, and bench/batch.py (whose builders the tests share)."""

import sys
from importlib import util
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` for a worker process (PostgreSQL only)."""
    db = connection.settings_dict
    assert db["ENGINE"].endswith("postgresql"), "the real-worker suite needs PostgreSQL (set DATABASE_URL)"
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_queues() -> str:
    """Every queue of the project (``-Q`` of a test worker): the default one and the two routed ones (issue 15), all
    named after the run's ``CELERY_TASK_DEFAULT_QUEUE`` in CI."""
    names = [settings.CELERY_TASK_DEFAULT_QUEUE, settings.TASK_QUEUE_INTERACTIVE, settings.TASK_QUEUE_BULK]
    return ",".join(dict.fromkeys(names))


def bench_batch():
    """``bench/batch.py`` as a module (its estate builder, worker and batch helpers), loaded once."""
    name = "bench_batch"
    if name not in sys.modules:
        spec = util.spec_from_file_location(name, ROOT / "bench" / "batch.py")
        assert spec is not None and spec.loader is not None
        module = util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]
