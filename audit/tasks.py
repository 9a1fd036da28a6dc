"""Celery adapter of the audit app: the retention sweep (beat, daily, only when ``AUDIT_RETENTION_DAYS`` is set)."""

from __future__ import annotations

import os

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .retention import audit_records_export, retention_cutoff


@shared_task(name="audit.retention_sweep")
def retention_sweep() -> dict | None:
    """Export the records past retention to a new JSON Lines file in ``AUDIT_EXPORT_DIR`` and delete them."""
    cutoff = retention_cutoff()
    if cutoff is None:
        return None
    os.makedirs(settings.AUDIT_EXPORT_DIR, exist_ok=True)
    name = f"audit-{cutoff:%Y%m%d}-{timezone.now():%Y%m%dT%H%M%S}.jsonl"
    path = os.path.join(settings.AUDIT_EXPORT_DIR, name)
    with open(path, "x", encoding="utf-8") as stream:
        run = audit_records_export(cutoff=cutoff, stream=stream, fmt="jsonl", delete=True, export_name=path)
    return {"file": name, "exported": run.exported, "deleted": run.deleted}
