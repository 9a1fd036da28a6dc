"""Every error of the /v1/ API as a Partner Center ``ServiceFault`` body, mapped in ONE place.

``{"code": <int>, "description": "...", "errorName": "snake_case", "data": ["field: reason", ...],
"attributes": {"objectType": "ServiceFault"}}``

Sources mapped here: DRF exceptions (validation, parse errors, authentication, permission, 404, 405, 415,
throttling), Django's ``PermissionDenied``/``Http404``/``ObjectDoesNotExist``/``ValidationError``, a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413 ``request_too_large``), the domain
error hierarchy (``core.errors.DomainError``) and, last, anything unexpected (logged, 500).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import DomainError

logger = logging.getLogger(__name__)

# errorName for DRF / Django exceptions, by class (the first match in MRO order wins).
DRF_ERROR_NAMES: list[tuple[type, str]] = [
    (exceptions.ValidationError, "invalid_input"),
    (exceptions.ParseError, "invalid_json"),
    (exceptions.NotAuthenticated, "unauthenticated"),
    (exceptions.AuthenticationFailed, "unauthenticated"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "too_many_requests"),
]


class RequestTooLarge(exceptions.APIException):
    """The body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def fault_body(*, code: int, description: str, error_name: str, data: list[Any] | None = None) -> dict:
    return {
        "code": int(code),
        "description": str(description),
        "errorName": error_name,
        "data": [str(item) for item in (data or [])],
        "attributes": {"objectType": "ServiceFault"},
    }


def fault_response(
    *,
    http_status: int,
    description: str,
    error_name: str,
    code: int | None = None,
    data: list[Any] | None = None,
    headers: dict | None = None,
) -> Response:
    body = fault_body(
        code=http_status if code is None else code, description=description, error_name=error_name, data=data
    )
    return Response(body, status=http_status, headers=headers)


def flatten_detail(detail: Any, prefix: str = "") -> list[str]:
    """DRF error details as ``"field.sub: message"`` lines (field names as the client sent them)."""
    if isinstance(detail, dict):
        lines: list[str] = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            lines.extend(flatten_detail(value, name))
        return lines
    if isinstance(detail, list):
        lines = []
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            lines.extend(flatten_detail(value, f"{prefix}[{index}]" if nested else prefix))
        return lines
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _drf_error_name(exc: exceptions.APIException) -> str:
    for cls, name in DRF_ERROR_NAMES:
        if isinstance(exc, cls):
            return name
    return getattr(exc, "default_code", "error") or "error"


def _from_api_exception(exc: exceptions.APIException) -> Response:
    headers = {}
    auth_header = getattr(exc, "auth_header", None)  # NotAuthenticated / AuthenticationFailed set it
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)  # Throttled
    if wait:
        headers["Retry-After"] = str(int(wait))
    lines = flatten_detail(exc.detail)
    if isinstance(exc, exceptions.ValidationError):
        description = _("Invalid input: %(problems)s") % {"problems": "; ".join(lines)}
    else:
        description = "; ".join(lines) or str(exc.default_detail)
    return fault_response(
        http_status=exc.status_code,
        description=description,
        error_name=_drf_error_name(exc),
        data=lines,
        headers=headers,
    )


def _from_domain_error(exc: DomainError) -> Response:
    data = list(exc.data or [])
    if exc.field and not data:
        data = [f"{exc.field}: {exc.message}"]
    description = f"{exc.field}: {exc.message}" if exc.field and exc.field not in exc.message else exc.message
    return fault_response(
        http_status=exc.http_status,
        description=description,
        error_name=exc.error_name,
        code=exc.code or exc.http_status,
        data=data,
    )


def service_fault_handler(exc, context) -> Response:
    """DRF ``EXCEPTION_HANDLER``: every exception raised in a /v1/ view becomes a ServiceFault response."""
    set_rollback()
    if isinstance(exc, DomainError):
        return _from_domain_error(exc)
    if isinstance(exc, Http404) or isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound(_("The resource was not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args or (_("You do not have permission to perform this action."),)))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(
            _("The request body is larger than %(n)d bytes.") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, exceptions.APIException):
        return _from_api_exception(exc)
    view = context.get("view") if context else None
    logger.exception("Unhandled error in %s", type(view).__name__ if view else "API", exc_info=exc)
    return fault_response(
        http_status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        description=_("An internal error occurred. Quote the MS-CorrelationId to support."),
        error_name="internal_error",
    )


def server_error(request, *args, **kwargs):
    """``handler500``: an error raised outside a DRF view (e.g. in middleware) still answers a ServiceFault under
    /v1/; the portal keeps Django's own 500 page (``templates/500.html``)."""
    from django.http import JsonResponse
    from django.views.defaults import server_error as html_server_error

    if request.path.startswith("/v1/"):
        body = fault_body(
            code=500,
            description=_("An internal error occurred. Quote the MS-CorrelationId to support."),
            error_name="internal_error",
        )
        return JsonResponse(body, status=500)
    return html_server_error(request)
