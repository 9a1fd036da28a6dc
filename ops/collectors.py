"""Figures counted at scrape time (one aggregate query each), so they are right whichever process did the work:
GDAP relationships, upgrade operations and batch items by status, and the Celery queue lengths (Redis ``LLEN``
of the configured queues, only when the broker is Redis)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bulk.models import ItemStatus, UpgradeBatchItem
from delegation.models import GdapRelationship, GdapStatus
from upgrades.models import OperationStatus, UpgradeOperation

logger = logging.getLogger(__name__)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def by_status(model, statuses) -> dict[str, int]:
    """``{status: rows}`` for every status of ``statuses`` (0 where none), in one GROUP BY query."""
    counts = dict.fromkeys(statuses, 0)
    for row in model.objects.order_by().values("status").annotate(rows=Count("pk")):
        counts[row["status"]] = row["rows"]
    return counts


def status_family(name: str, documentation: str, counts: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=["status"])
    for status, rows in counts.items():
        family.add_metric([status], rows)
    return family


def configured_queues() -> list[str]:
    """The queue names the workers consume: the interactive and the bulk queue (``TASK_QUEUE_INTERACTIVE``,
    ``TASK_QUEUE_BULK``), any ``CELERY_TASK_QUEUES`` (kombu Queues or names) and the default queue."""
    queues = getattr(settings, "CELERY_TASK_QUEUES", None) or ()
    names = [getattr(q, "name", q) for q in queues]
    routed = [getattr(settings, name, "") for name in ("TASK_QUEUE_INTERACTIVE", "TASK_QUEUE_BULK")]
    return sorted({str(n) for n in [*names, *routed] if n} | {settings.CELERY_TASK_DEFAULT_QUEUE})


def queue_lengths(broker_url: str, queues: list[str]) -> dict[str, int] | None:
    """``LLEN`` of each queue, or None when the broker is not Redis or does not answer within a second."""
    if not broker_url.startswith(REDIS_SCHEMES):
        return None
    import redis

    try:
        client = redis.Redis.from_url(broker_url, socket_timeout=1.0, socket_connect_timeout=1.0)
        with client.pipeline(transaction=False) as pipe:
            for name in queues:
                pipe.llen(name)
            lengths = pipe.execute()
        client.close()
    except redis.RedisError as exc:
        logger.warning("queue lengths unavailable: %s", type(exc).__name__)
        return None
    return dict(zip(queues, (int(n) for n in lengths), strict=True))


class DomainCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield status_family(
            "portal_gdap_relationships",
            "GDAP relationships by status (counted in the database at scrape time).",
            by_status(GdapRelationship, GdapStatus.values),
        )
        yield status_family(
            "portal_upgrade_operations",
            "Upgrade operations by status (counted in the database at scrape time).",
            by_status(UpgradeOperation, OperationStatus.values),
        )
        yield status_family(
            "portal_batch_items",
            "Upgrade batch items by status (counted in the database at scrape time).",
            by_status(UpgradeBatchItem, ItemStatus.values),
        )
        lengths = queue_lengths(settings.CELERY_BROKER_URL, configured_queues())
        if lengths is not None:
            family = GaugeMetricFamily(
                "portal_celery_queue_length", "Messages waiting in a Celery queue (Redis LLEN).", labels=["queue"]
            )
            for name, length in lengths.items():
                family.add_metric([name], length)
            yield family
