"""``MS-RequestId`` (synonym ``Idempotency-Key``) on POST/PATCH: replay the first response for 24 hours.

- same id + same method, path and body → the stored first response (status + body), nothing runs again;
- same id + anything else → 409 ``idempotency_key_reused``;
- same id while the first request is still running → 409 ``request_in_progress`` (the unique constraint on
  ``(actor, key)`` makes the ``processing`` row a lock: it is inserted in its own transaction first).
Responses with a 5xx status are not kept, so a retry after a server error runs again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput

from .models import IdempotencyRecord, IdempotencyState

REQUEST_ID_HEADERS = ("MS-RequestId", "Idempotency-Key")
IDEMPOTENT_METHODS = frozenset({"POST", "PATCH"})
WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 200


class Replay(Exception):
    """Raised before the handler runs when the stored first response must be returned instead."""

    def __init__(self, *, status_code: int, body):
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body


def request_id_of(request) -> str:
    for header in REQUEST_ID_HEADERS:
        value = request.headers.get(header, "").strip()
        if value:
            if len(value) > MAX_KEY_LENGTH:
                raise InvalidInput(_("must be at most %(n)d characters.") % {"n": MAX_KEY_LENGTH}, field=header)
            return value
    return ""


def actor_key(actor) -> str:
    if getattr(actor, "is_application", False):
        return f"app:{actor.application_id}"
    return f"user:{actor.pk}"


def body_hash(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_begin(*, actor, key: str, method: str, path: str, data) -> IdempotencyRecord:
    """Claim ``key`` for this request, or raise :class:`Replay` / ``Conflict``."""
    digest = body_hash(data)
    actor_id = actor_key(actor)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    key=key, actor=actor_id, method=method, path=path[:500], body_hash=digest
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(key=key, actor=actor_id).first()
        if existing is None:
            continue  # the other request failed with a 5xx and released the key: claim it now
        if existing.created < timezone.now() - WINDOW:
            existing.delete()
            continue
        if existing.method != method or existing.path != path[:500] or existing.body_hash != digest:
            raise Conflict(
                _("This request id was already used for a different request in the last 24 hours."),
                field=REQUEST_ID_HEADERS[0],
                error_name="idempotency_key_reused",
            )
        if existing.state == IdempotencyState.PROCESSING:
            raise Conflict(
                _("A request with this request id is still being processed; retry later."),
                field=REQUEST_ID_HEADERS[0],
                error_name="request_in_progress",
            )
        raise Replay(status_code=existing.status_code or 200, body=existing.response)  # set once completed
    raise Conflict(
        _("A request with this request id is still being processed; retry later."),
        field=REQUEST_ID_HEADERS[0],
        error_name="request_in_progress",
    )


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body) -> None:
    """Store the first response (or release the key after a server error)."""
    if status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyState.COMPLETED,
        status_code=status_code,
        response=json.loads(json.dumps(body, default=str)) if body is not None else None,
    )
