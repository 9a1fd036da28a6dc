"""The correlation id of the work in progress (the request's ``MS-CorrelationId``, or a task's stored one).

``core.middleware.CorrelationIdMiddleware`` makes the current request known; ``current_correlation_id()``
answers the id the API computed for it (``correlation_id_for``) or, on a page, the client's header when usable
(else ""). A task sets the id it carries with ``correlation_scope(value)``.

Logs (issue 15): every log line carries ``log_correlation_id()``: the id above when there is one, else the id the
middleware generated for the request (``request_log_id``; the API answers the same one), else the id a Celery
task received in its message headers (``ops.receivers``). ``request_log_id`` never reaches domain data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

CORRELATION_HEADER = "MS-CorrelationId"
MAX_CORRELATION_ID_LENGTH = 64
PRINTABLE = re.compile(r"^[\x21-\x7e]+$")

current_request: ContextVar[Any] = ContextVar("current_request", default=None)
explicit_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
# The id log lines carry when no request header or task scope names one (generated per request, or sent with a
# Celery task's message).
request_log_id: ContextVar[str] = ContextVar("request_log_id", default="")


def usable_correlation_id(raw: str) -> str:
    """``raw`` stripped when it is printable and at most 64 characters, else ""."""
    raw = (raw or "").strip()
    return raw if raw and len(raw) <= MAX_CORRELATION_ID_LENGTH and PRINTABLE.match(raw) else ""


def correlation_id_for(request) -> str:
    """The request's correlation id: the client's ``MS-CorrelationId`` when usable, else a new GUID (cached)."""
    http_request = getattr(request, "_request", request)
    cached = getattr(http_request, "ms_correlation_id", None)
    if cached is None:
        cached = (
            usable_correlation_id(http_request.headers.get(CORRELATION_HEADER, ""))
            or getattr(http_request, "generated_correlation_id", "")
            or str(uuid.uuid4())
        )
        http_request.ms_correlation_id = cached
    return cached


def current_correlation_id() -> str:
    """The id of the current task scope or request, or "" outside both."""
    value = explicit_id.get()
    if value is not None:
        return value
    request = current_request.get()
    if request is None:
        return ""
    cached = getattr(request, "ms_correlation_id", None)
    return cached if cached is not None else usable_correlation_id(request.headers.get(CORRELATION_HEADER, ""))


@contextmanager
def correlation_scope(value: str) -> Iterator[None]:
    """Work done inside carries ``value`` as its correlation id (e.g. a task running a stored operation)."""
    token = explicit_id.set((value or "")[:MAX_CORRELATION_ID_LENGTH])
    try:
        yield
    finally:
        explicit_id.reset(token)


def new_request_log_id(request) -> str:
    """The id the logs of ``request`` carry: its usable ``MS-CorrelationId`` or a new GUID (kept on the request,
    so ``correlation_id_for`` answers the same one to an API client). Asked again for the same request: the same."""
    known = getattr(request, "generated_correlation_id", None)
    if known:
        return known
    value = usable_correlation_id(request.headers.get(CORRELATION_HEADER, "")) or str(uuid.uuid4())
    request.generated_correlation_id = value
    return value


def log_correlation_id() -> str:
    """The correlation id of a log line: the work's own id (``current_correlation_id``), else the request's or
    the task's log id, else ""."""
    return current_correlation_id() or request_log_id.get()
