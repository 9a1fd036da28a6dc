"""The correlation id of the work in progress (the request's ``MS-CorrelationId``, or a task's stored one).

``core.middleware.CorrelationIdMiddleware`` makes the current request known; ``current_correlation_id()``
answers the id the API computed for it (``correlation_id_for``) or, on a page, the client's header when usable
(else ""). A task sets the id it carries with ``correlation_scope(value)``.
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


def usable_correlation_id(raw: str) -> str:
    """``raw`` stripped when it is printable and at most 64 characters, else ""."""
    raw = (raw or "").strip()
    return raw if raw and len(raw) <= MAX_CORRELATION_ID_LENGTH and PRINTABLE.match(raw) else ""


def correlation_id_for(request) -> str:
    """The request's correlation id: the client's ``MS-CorrelationId`` when usable, else a new GUID (cached)."""
    http_request = getattr(request, "_request", request)
    cached = getattr(http_request, "ms_correlation_id", None)
    if cached is None:
        cached = usable_correlation_id(http_request.headers.get(CORRELATION_HEADER, "")) or str(uuid.uuid4())
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
