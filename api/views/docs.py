"""Shared OpenAPI annotations: paging parameters and the ServiceFault error responses."""

from drf_spectacular.utils import OpenApiParameter

from ..serializers.common import ServiceFaultSerializer

PAGING = [
    OpenApiParameter(
        "size",
        {"type": "integer", "minimum": 1, "maximum": 10**15 - 1},
        description="Page size, at least 1 (larger values are capped at API_PAGE_SIZE_MAX).",
    ),
    OpenApiParameter(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": 10**12},
        description="0-based index of the first item (see links.next).",
    ),
]
REQUEST_HEADERS = [
    OpenApiParameter(
        "MS-CorrelationId",
        str,
        OpenApiParameter.HEADER,
        description="Echoed on the response and stored on audit records.",
    ),
    OpenApiParameter(
        "MS-RequestId",
        str,
        OpenApiParameter.HEADER,
        description="Idempotency key (synonym Idempotency-Key): a retry within 24 h replays the first response.",
    ),
]
ERRORS = {status: ServiceFaultSerializer for status in (400, 401, 403, 404)}
# Writes also answer 409 (a conflicting state) and 413 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE).
WRITE_ERRORS = {**ERRORS, 409: ServiceFaultSerializer, 413: ServiceFaultSerializer}
# /v1/me/ also answers 423 while the tenant's admin actions wait for a credit check.
ME_ERRORS = {**ERRORS, 423: ServiceFaultSerializer}
ME_WRITE_ERRORS = {**WRITE_ERRORS, 423: ServiceFaultSerializer}
