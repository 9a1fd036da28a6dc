"""The workflow kernel: every status move of every workflow goes through here.

A :class:`Workflow` names a model's status field, its transition table ``{from: frozenset(to)}``, the statuses
it may be created in and its "live"/"open"/final sets. :func:`transition` checks the table, writes the new status
with a guarded UPDATE (``WHERE status = <from>``: a concurrent move makes this one fail instead of overwriting
it) and writes exactly ONE :class:`core.models.WorkflowTransition` row (who, when, from, to, why, correlation
id). :func:`transition_many` moves a queryset (one UPDATE, history written in bulk); :func:`start` records an
object's first status. An illegal move raises :class:`IllegalTransition` (409) and changes nothing.

The actor is duck-typed (a user, an application principal, or ``None`` for system work): ``core`` imports no
project app. The correlation id defaults to the current request's / task's (``core.correlation``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .correlation import current_correlation_id
from .models import WorkflowTransition
from .rows import insert_rows
from .workflow_tables import BY_NAME, REASON_MAX, REGISTRY, IllegalTransition, Workflow, workflow_of, workflows

StrOrPromise = str | Promise  # a reason may be a lazy translation

# Callers define and move workflows through ``core.workflow``; the definitions live in ``workflow_tables``.
__all__ = [
    "BY_NAME",
    "REGISTRY",
    "HistoryBuffer",
    "IllegalTransition",
    "Workflow",
    "actor_values",
    "attach_history",
    "history",
    "history_row",
    "start",
    "start_through",
    "transition",
    "transition_each",
    "transition_many",
    "workflow_of",
    "workflows",
]


# ------------------------------------------------------------------------------------------- history rows
def actor_values(actor) -> dict[str, Any]:
    """Who acted: a user (id and username), an application (its id), or nobody (a system sweep)."""
    if actor is None:
        return {"actor_user_id": None, "actor_username": "", "actor_application_id": ""}
    if getattr(actor, "is_application", False):
        return {
            "actor_user_id": None,
            "actor_username": "",
            "actor_application_id": str(getattr(actor, "application_id", "") or "")[:64],
        }
    username = actor.get_username() if hasattr(actor, "get_username") else str(getattr(actor, "username", ""))
    return {"actor_user_id": getattr(actor, "pk", None), "actor_username": username[:320], "actor_application_id": ""}


def history_row(
    workflow: Workflow,
    object_id,
    *,
    from_status: str,
    to_status: str,
    actor=None,
    reason: StrOrPromise = "",
    correlation_id: str | None = None,
    at: datetime | None = None,
):
    return WorkflowTransition(
        workflow=workflow.name,
        object_id=str(object_id),
        from_status=from_status,
        to_status=to_status,
        reason=str(reason or "")[:REASON_MAX],
        correlation_id=(current_correlation_id() if correlation_id is None else correlation_id or "")[:64],
        at=at or timezone.now(),
        **actor_values(actor),
    )


def _auto_now_fields(obj) -> list[tuple[Any, Any]]:
    return [(f, f.pre_save(obj, add=False)) for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]


def _auto_now_values(obj) -> dict[str, Any]:
    values = {}
    for f in obj._meta.concrete_fields:
        if getattr(f, "auto_now", False):
            values[f.attname] = f.pre_save(obj, add=False)
    return values


# ------------------------------------------------------------------------------------------------- moves
def start(
    obj, *, field: str = "status", actor=None, reason: StrOrPromise = "", correlation_id: str | None = None, at=None
):
    """Record the first status of a saved object (``"" → status``); it must be one the workflow starts in."""
    workflow = workflow_of(obj, field)
    status = getattr(obj, workflow.field)
    if status not in workflow.initial:
        raise IllegalTransition(workflow.name, "", status)
    row = history_row(
        workflow,
        obj.pk,
        from_status="",
        to_status=status,
        actor=actor,
        reason=reason,
        correlation_id=correlation_id,
        at=at,
    )
    row.save(force_insert=True)
    return row


def start_through(
    obj,
    steps: Iterable[tuple[str, StrOrPromise]],
    *,
    buffer: HistoryBuffer,
    field: str = "status",
    actor=None,
    correlation_id: str | None = None,
    at: datetime | None = None,
) -> list:
    """The history of an object INSERTED at the end of a walk (``"" → s1 → s2 ...``, each ``(status, reason)``),
    e.g. an operation that is requested, checked and done inside one transaction: one row per step, collected in
    ``buffer``. Checks that ``s1`` is an initial status, that the table allows every step and that the object's
    status is the last one; raises :class:`IllegalTransition` otherwise (nothing collected)."""
    workflow = workflow_of(obj, field)
    steps = list(steps)
    if not steps or steps[0][0] not in workflow.initial:
        raise IllegalTransition(workflow.name, "", steps[0][0] if steps else "")
    for (before, _reason), (after, _next_reason) in zip(steps, steps[1:], strict=False):
        workflow.check(before, after)
    if getattr(obj, workflow.field) != steps[-1][0]:
        raise IllegalTransition(workflow.name, steps[-1][0], getattr(obj, workflow.field))
    when = at or timezone.now()
    rows = [
        history_row(
            workflow,
            obj.pk,
            from_status=before,
            to_status=status,
            actor=actor,
            reason=reason,
            correlation_id=correlation_id,
            at=when,
        )
        for before, (status, reason) in zip(["", *(status for status, _r in steps)], steps, strict=False)
    ]
    buffer.rows.extend(rows)
    return rows


def transition(
    obj,
    to: str,
    *,
    field: str = "status",
    actor=None,
    reason: StrOrPromise = "",
    correlation_id: str | None = None,
    at: datetime | None = None,
    update_fields: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
    where: Q | None = None,
    buffer: HistoryBuffer | None = None,
):
    """Move ``obj`` to ``to`` and write its one history row; returns the row.

    The UPDATE sets the status, ``values`` (set on ``obj`` too), the current values of ``update_fields`` and the
    model's ``auto_now`` fields, ``WHERE pk = obj.pk AND status = <from>`` (plus ``where``). Raises
    :class:`IllegalTransition` when the table refuses the move or when no row matched (it moved meanwhile, or
    ``where`` did not hold); then nothing changed. With ``buffer`` the row is collected there instead (the
    caller writes many at once with ``buffer.flush()``) and the move is the single UPDATE.
    """
    workflow = workflow_of(obj, field)
    current = getattr(obj, workflow.field)
    workflow.check(current, to)
    values = dict(values or {})
    if workflow.field in values or workflow.field in set(update_fields):
        raise ValueError("the status is set by transition(), not through values/update_fields")
    changes = {name: getattr(obj, obj._meta.get_field(name).attname) for name in update_fields}
    changes.update(values)
    with transaction.atomic() if buffer is None else nullcontext():
        rows = type(obj)._default_manager.filter(pk=obj.pk, **{workflow.field: current})
        if where is not None:
            rows = rows.filter(where)
        auto_now = _auto_now_values(obj)
        if not rows.update(**changes, **auto_now, **{workflow.field: to}):
            raise IllegalTransition(
                workflow.name,
                current,
                to,
                message=_("%(workflow)s changed meanwhile: it is no longer %(current)s.")
                % {"workflow": workflow.name, "current": current},
            )
        for name, value in values.items():
            if not hasattr(value, "resolve_expression"):  # an F() expression is left to the database
                setattr(obj, name, value)
        setattr(obj, workflow.field, to)
        row = history_row(
            workflow,
            obj.pk,
            from_status=current,
            to_status=to,
            actor=actor,
            reason=reason,
            correlation_id=correlation_id,
            at=at,
        )
        if buffer is None:
            row.save(force_insert=True)
        else:
            buffer.rows.append(row)
    return row


class HistoryBuffer:
    """History rows collected by ``transition(..., buffer=...)``, written in one INSERT by ``flush()`` (a batch
    worker's item moves: the per-item cost stays one UPDATE per move)."""

    def __init__(self):
        self.rows: list = []

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        insert_rows(WorkflowTransition, rows)
        return len(rows)

    def __enter__(self) -> HistoryBuffer:
        return self

    def __exit__(self, *exc) -> None:
        self.flush()


def _record(
    workflow: Workflow,
    moves: Iterable[tuple[Any, str, str]],
    *,
    buffer: HistoryBuffer | None,
    actor,
    reason: StrOrPromise,
    correlation_id: str | None,
    at: datetime | None,
) -> list:
    """The history rows of ``moves`` (``(object id, from, to)``), all at one time: into ``buffer``, else one
    INSERT."""
    when = at or timezone.now()
    rows = [
        history_row(
            workflow,
            object_id,
            from_status=before,
            to_status=after,
            actor=actor,
            reason=reason,
            correlation_id=correlation_id,
            at=when,
        )
        for object_id, before, after in moves
    ]
    if buffer is None:
        insert_rows(WorkflowTransition, rows)
    else:
        buffer.rows.extend(rows)
    return rows


def transition_each(
    moves: Sequence[tuple[Any, str, Mapping[str, Any]]],
    *,
    field: str = "status",
    actor=None,
    reason: StrOrPromise = "",
    correlation_id: str | None = None,
    at: datetime | None = None,
    values: Mapping[str, Any] | None = None,
    guard: Mapping[str, Any] | None = None,
    buffer: HistoryBuffer | None = None,
) -> int:
    """Move each object of ``moves`` (``(obj, to, its own values)``, one model, the same columns for all) to its
    own status: ONE statement run for every row (``executemany`` of ``UPDATE ... WHERE pk = %s AND status =
    <its status> AND <guard>``), ``values`` set on all of them; the history rows go to ``buffer`` (else one
    INSERT). ``guard``: column → value every row must still have. All or nothing: when a move is refused or a
    row no longer matches it raises :class:`IllegalTransition` (call it in a transaction, which then rolls back).
    Returns how many moved."""
    moves = list(moves)
    if not moves:
        return 0
    model = type(moves[0][0])
    workflow = workflow_of(model, field)
    meta = model._meta
    status_field = meta.get_field(workflow.field)
    common = {**dict(values or {}), **{f.attname: v for f, v in _auto_now_fields(moves[0][0])}}
    own_names = list(moves[0][2])
    if workflow.field in common or workflow.field in own_names:
        raise ValueError("the status is set by transition_each(), not through values")
    set_fields = [status_field, *(meta.get_field(n) for n in own_names), *(meta.get_field(n) for n in common)]
    guard_fields = [(meta.get_field(name), value) for name, value in (guard or {}).items()]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "UPDATE {table} SET {columns} WHERE {pk} = %s AND {status} = %s{guard}".format(
        table=quote(meta.db_table),
        columns=", ".join(f"{quote(f.column)} = %s" for f in set_fields),
        pk=quote(meta.pk.column),
        status=quote(status_field.column),
        guard="".join(f" AND {quote(f.column)} = %s" for f, _v in guard_fields),
    )
    prepared_common = [meta.get_field(n).get_db_prep_save(v, connection) for n, v in common.items()]
    prepared_guard = [f.get_db_prep_save(v, connection) for f, v in guard_fields]
    rows, currents = [], {}
    for obj, to, own in moves:
        if list(own) != own_names:
            raise ValueError("every move of transition_each() sets the same columns")
        current = currents[obj.pk] = getattr(obj, workflow.field)
        workflow.check(current, to)
        rows.append(
            [
                status_field.get_db_prep_save(to, connection),
                *(meta.get_field(n).get_db_prep_save(v, connection) for n, v in own.items()),
                *prepared_common,
                meta.pk.get_db_prep_save(obj.pk, connection),
                status_field.get_db_prep_save(current, connection),
                *prepared_guard,
            ]
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        moved = cursor.rowcount
    if moved != len(moves):
        raise IllegalTransition(
            workflow.name, "", "", message=_("%(workflow)s changed meanwhile.") % {"workflow": workflow.name}
        )
    for obj, to, own in moves:
        for name, value in {**common, **own}.items():
            setattr(obj, meta.get_field(name).attname, value)
        setattr(obj, workflow.field, to)
    _record(
        workflow,
        [(obj.pk, currents[obj.pk], to) for obj, to, _own in moves],
        buffer=buffer,
        actor=actor,
        reason=reason,
        correlation_id=correlation_id,
        at=at,
    )
    return moved


def transition_many(
    queryset: models.QuerySet,
    to: str,
    *,
    field: str = "status",
    actor=None,
    reason: StrOrPromise = "",
    correlation_id: str | None = None,
    at: datetime | None = None,
    values: Mapping[str, Any] | None = None,
    moved: list | None = None,
    buffer: HistoryBuffer | None = None,
    objs: Iterable = (),
) -> int:
    """Move every row of ``queryset`` that may reach ``to`` (the others are left alone): one locked read, one
    UPDATE and the history rows in bulk (to ``buffer`` when given). Returns how many moved; ``moved`` (a list)
    receives their pks; the instances among ``objs`` that moved get the new status and ``values`` (not the
    expressions) set on them."""
    workflow = workflow_of(queryset.model, field)
    sources = workflow.sources(to)
    with transaction.atomic():
        moving = list(
            queryset.filter(**{f"{workflow.field}__in": sorted(sources)})
            .select_for_update()
            .values_list("pk", workflow.field)
        )
        if moved is not None:
            moved.extend(pk for pk, _status in moving)
        if not moving:
            return 0
        queryset.model._default_manager.filter(pk__in=[pk for pk, _status in moving]).update(
            **{**dict(values or {}), workflow.field: to}
        )
        _record(
            workflow,
            [(pk, status, to) for pk, status in moving],
            buffer=buffer,
            actor=actor,
            reason=reason,
            correlation_id=correlation_id,
            at=at,
        )
    moved_pks = {pk for pk, _status in moving}
    for obj in objs:
        if obj.pk in moved_pks:
            for name, value in (values or {}).items():
                if not hasattr(value, "resolve_expression"):
                    setattr(obj, name, value)
            setattr(obj, workflow.field, to)
    return len(moving)


# ------------------------------------------------------------------------------------------------ reading
def history(obj, field: str = "status") -> models.QuerySet:
    """The object's history rows, oldest first."""
    return WorkflowTransition.objects.filter(workflow=workflow_of(obj, field).name, object_id=str(obj.pk))


def attach_history(objs: Iterable, field: str = "status", attr: str = "workflow_history") -> list:
    """Set ``obj.<attr>`` (a list of history rows, oldest first) on each object, in ONE query."""
    objs = list(objs)
    if not objs:
        return objs
    workflow = workflow_of(objs[0], field)
    by_id: dict[str, list] = {str(o.pk): [] for o in objs}
    for row in WorkflowTransition.objects.filter(workflow=workflow.name, object_id__in=list(by_id)):
        by_id[row.object_id].append(row)
    for o in objs:
        setattr(o, attr, by_id[str(o.pk)])
    return objs
