"""Audit retention: export the records older than a cutoff to JSON Lines or CSV and only then delete them.

Records are read in chunks in ``(operation_date, id)`` order (keyset pagination, flat memory). Each chunk is
written and flushed to disk (``fsync``) before the same rows, by primary key, are deleted in one transaction, so
a record is deleted only once it is in the file, and a failure stops the run with every deleted record exported.
The run itself is audited (one ``delete_record`` record with the cutoff, the count and the file's name).
``AUDIT_RETENTION_DAYS`` (None: keep forever) gives the default cutoff.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import AuditRecord, OperationType
from .services import audit_record_create

FORMATS = ("jsonl", "csv")
CHUNK_SIZE = 1000
FIELDS = (
    "id",
    "operation_date",
    "operation_type",
    "operation_status",
    "resource_type",
    "partner_id",
    "customer_id",
    "customer_name",
    "user_principal_name",
    "application_id",
    "original_correlation_id",
    "resource_old_value",
    "resource_new_value",
)
JSON_FIELDS = {"resource_old_value", "resource_new_value"}


@dataclass(frozen=True)
class RetentionRun:
    cutoff: datetime
    exported: int
    deleted: int


def retention_cutoff(*, now: datetime | None = None) -> datetime | None:
    """``now - AUDIT_RETENTION_DAYS`` days, or None when records are kept forever."""
    days = settings.AUDIT_RETENTION_DAYS
    if days is None:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def chunks_before(cutoff: datetime, size: int) -> Iterator[list[dict]]:
    """The records older than ``cutoff`` as dicts of ``FIELDS``, oldest first, ``size`` at a time."""
    after: tuple | None = None
    while True:
        rows = AuditRecord.objects.filter(operation_date__lt=cutoff).order_by("operation_date", "id")
        if after is not None:
            rows = rows.filter(Q(operation_date__gt=after[0]) | Q(operation_date=after[0], id__gt=after[1]))
        chunk = list(rows.values(*FIELDS)[:size])
        if not chunk:
            return
        yield chunk
        after = (chunk[-1]["operation_date"], chunk[-1]["id"])


def json_line(row: dict) -> str:
    return json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=False) + "\n"


def csv_row(row: dict) -> list[str]:
    values = []
    for name in FIELDS:
        value = row[name]
        if name in JSON_FIELDS:
            values.append("" if value is None else json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
        elif isinstance(value, datetime):
            values.append(value.isoformat())
        else:
            values.append("" if value is None else str(value))
    return values


def audit_records_export(
    *,
    cutoff: datetime,
    stream: IO[str],
    fmt: str,
    delete: bool,
    actor=None,
    export_name: str = "",
    chunk_size: int = CHUNK_SIZE,
) -> RetentionRun:
    """Write the records older than ``cutoff`` to ``stream`` (``fmt``: "jsonl" or "csv"); with ``delete``, delete
    each chunk once it is on disk. ``export_name``: the file's name for the run's own audit record."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    writer = csv.writer(stream) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(FIELDS)
    exported = deleted = 0
    for chunk in chunks_before(cutoff, chunk_size):
        for row in chunk:
            if writer is not None:
                writer.writerow(csv_row(row))
            else:
                stream.write(json_line(row))
        stream.flush()
        if delete:  # on disk before the rows go
            os.fsync(stream.fileno())
        exported += len(chunk)
        if delete:
            with transaction.atomic():
                deleted += AuditRecord.objects.filter(pk__in=[row["id"] for row in chunk]).delete()[0]
    if delete and deleted:
        audit_record_create(
            actor=actor,
            operation_type=OperationType.DELETE_RECORD,
            resource_type="audit_record",
            new={"before": cutoff.isoformat(), "deleted": deleted, "export": os.path.basename(export_name)},
        )
    return RetentionRun(cutoff=cutoff, exported=exported, deleted=deleted)
