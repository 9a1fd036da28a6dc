"""One error hierarchy for the whole domain. Services raise these; the API maps them to ServiceFault bodies
once (``api.errors``), the portal shows ``message`` to the user. ``field`` names the input at fault."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    http_status = 400
    error_name = "other"
    code = 0

    def __init__(
        self,
        message: str | Promise,  # a lazy translation is rendered here
        *,
        field: str | None = None,
        error_name: str | None = None,
        code: int | None = None,
        data: list[Any] | None = None,
    ):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        if error_name is not None:
            self.error_name = error_name
        if code is not None:
            self.code = code
        self.data = data or []


class InvalidInput(DomainError):
    """Bad input: names the field and the reason."""

    error_name = "invalid_input"


class NotFound(DomainError):
    http_status = 404
    error_name = "not_found"


class Forbidden(DomainError):
    http_status = 403
    error_name = "forbidden"


class Conflict(DomainError):
    http_status = 409
    error_name = "conflict"


class Locked(DomainError):
    """The tenant's admin actions are locked (e.g. waiting for a credit check)."""

    http_status = 423
    error_name = "tenant_locked"
