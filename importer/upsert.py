"""One bulk upsert step: create the missing rows, update the changed ones, count the unchanged ones."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import AutoField, Model
from django.utils import timezone

from core.rows import insert_rows

BATCH = 500


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class UpsertResult:
    counts: Counts
    pks: dict = field(default_factory=dict)  # natural key → pk, for every desired row


def upsert(
    model: type[Model],
    desired: dict,
    existing: dict,
    *,
    key_fields: tuple[str, ...] = (),
    create_only: dict | None = None,
    touch: str | None = None,
) -> UpsertResult:
    """``desired`` and ``existing`` map a natural key to field values (``existing``: ``(pk, values)``).

    New keys are inserted with ``bulk_create`` (``core.rows.insert_rows`` for keys set in Python; ``key_fields`` receive the key's parts, ``create_only`` adds
    values used on insert only, e.g. a password hash); existing keys whose compared values differ are written with
    ``bulk_update`` (``touch`` names an auto-now field to stamp, since ``bulk_update`` does not). Rows that exist
    but are not in the document are left alone.
    """
    counts, pks = Counts(), {}
    to_create: list[Model] = []
    created_keys: list = []
    to_update: dict[tuple[str, ...], list[Model]] = {}
    for key, values in desired.items():
        current = existing.get(key)
        if current is None:
            parts = key if len(key_fields) > 1 else (key,)
            row = {**dict(zip(key_fields, parts, strict=True)), **values, **((create_only or {}).get(key, {}))}
            to_create.append(model(**row))
            created_keys.append(key)
            continue
        pk, old = current
        pks[key] = pk
        changed = tuple(sorted(name for name, value in values.items() if old.get(name, value) != value))
        if changed:
            to_update.setdefault(changed, []).append(model(pk=pk, **{name: values[name] for name in changed}))
        else:
            counts.unchanged += 1
    if to_create:
        if isinstance(model._meta.pk, AutoField):  # the database numbers them: bulk_create reads the numbers back
            model._default_manager.bulk_create(to_create, batch_size=BATCH)
        else:  # keys set here (UUIDs): one statement however many rows and columns (SQLite's parameter limit)
            insert_rows(model, to_create)
        pks.update((key, obj.pk) for key, obj in zip(created_keys, to_create, strict=True))
        counts.created = len(to_create)
    now = timezone.now()
    for fields, objs in to_update.items():
        if touch:
            for obj in objs:
                setattr(obj, touch, now)
        model._default_manager.bulk_update(objs, [*fields, *([touch] if touch else [])], batch_size=BATCH)
        counts.updated += len(objs)
    return UpsertResult(counts, pks)
