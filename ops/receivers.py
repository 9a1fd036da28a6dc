"""Signal receivers of the operations app (connected in ``OpsConfig.ready``, in web and worker processes).

- ``core.signals.operation_finished`` (upgrades, transitions) → ``portal_operations_total``,
  ``portal_operation_duration_seconds``, ``portal_licenses_moved_total``.
- Celery ``before_task_publish``: the publishing work's correlation id goes into the message headers
  (``ms_correlation_id``); ``task_prerun`` makes it the worker's log id, ``task_postrun`` clears it and counts and
  times the task; ``task_failure`` counts the failure by exception class.
"""

from __future__ import annotations

import logging
import time
from contextvars import Token

from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun

from core.correlation import log_correlation_id, request_log_id
from core.signals import operation_finished

from .metrics import LICENSES_MOVED, OPERATION_DURATION, OPERATIONS, TASK_DURATION, TASK_FAILURES, TASKS

logger = logging.getLogger("ops.tasks")
# Not "correlation_id": Celery already names the message property so (it holds the task id).
HEADER = "ms_correlation_id"


class Running:
    """Per task id (a worker process runs one task at a time per thread): its start and its log id token."""

    started: dict[str, float] = {}
    tokens: dict[str, Token[str]] = {}


def record_operation(sender=None, *, kind: str, outcome: str, duration: float, licenses_moved: int = 0, **kwargs):
    OPERATIONS.labels(kind, outcome).inc()
    OPERATION_DURATION.labels(kind, outcome).observe(duration)
    if licenses_moved:
        LICENSES_MOVED.labels(kind).inc(licenses_moved)


def add_correlation_header(sender=None, headers=None, **kwargs):
    correlation_id = log_correlation_id()
    if correlation_id and headers is not None:
        headers.setdefault(HEADER, correlation_id)


def received_correlation_id(task) -> str:
    request = getattr(task, "request", None)
    if request is None:
        return ""
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return str(value or "")


def task_started(sender=None, task_id=None, task=None, **kwargs):
    if task_id is None:
        return
    Running.started[task_id] = time.monotonic()
    correlation_id = received_correlation_id(task)
    if correlation_id:  # an eager task has no header: it keeps the caller's id
        Running.tokens[task_id] = request_log_id.set(correlation_id)
    logger.info("task %s started", getattr(task, "name", sender), extra={"task": getattr(task, "name", "")})


def task_finished(sender=None, task_id=None, task=None, state=None, **kwargs):
    name = getattr(task, "name", None) or str(sender)
    started = Running.started.pop(task_id, None) if task_id is not None else None
    duration = time.monotonic() - started if started is not None else 0.0
    TASKS.labels(name, state or "UNKNOWN").inc()
    TASK_DURATION.labels(name).observe(duration)
    logger.info("task %s %s in %.1f ms", name, state, duration * 1000, extra={"task": name, "state": state})
    token = Running.tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        request_log_id.reset(token)


def task_failed(sender=None, task_id=None, exception=None, **kwargs):
    name = getattr(sender, "name", None) or str(sender)
    TASK_FAILURES.labels(name, type(exception).__name__).inc()


operation_finished.connect(record_operation, dispatch_uid="ops.record_operation")
before_task_publish.connect(add_correlation_header, dispatch_uid="ops.add_correlation_header", weak=False)
task_prerun.connect(task_started, dispatch_uid="ops.task_started", weak=False)
task_postrun.connect(task_finished, dispatch_uid="ops.task_finished", weak=False)
task_failure.connect(task_failed, dispatch_uid="ops.task_failed", weak=False)
