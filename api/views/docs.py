"""Shared OpenAPI annotations: paging parameters and the ServiceFault error responses."""
from drf_spectacular.utils import OpenApiParameter

from ..serializers.common import ServiceFaultSerializer

PAGING = [
    OpenApiParameter("size", int, description="Page size (capped at API_PAGE_SIZE_MAX)."),
    OpenApiParameter("offset", int, description="0-based index of the first item (see links.next)."),
]
REQUEST_HEADERS = [
    OpenApiParameter("MS-CorrelationId", str, OpenApiParameter.HEADER,
                     description="Echoed on the response and stored on audit records."),
    OpenApiParameter("MS-RequestId", str, OpenApiParameter.HEADER,
                     description="Idempotency key (synonym Idempotency-Key): a retry within 24 h replays the "
                                 "first response."),
]
ERRORS = {status: ServiceFaultSerializer for status in (400, 401, 403, 404)}
WRITE_ERRORS = {**ERRORS, 409: ServiceFaultSerializer}
