from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.errors import InvalidInput
from partners.roles import Capability

from ..pagination import collection_body, paginate
from ..selectors import audit_records_for_api
from ..serializers.audit import AuditRecordSerializer
from ..serializers.common import collection_of
from .base import PartnerCenterAPIView
from .docs import ERRORS, PAGING


def _when(request, name: str, *, end: bool) -> datetime | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        day = parse_date(raw) if len(raw) == 10 else None  # a date alone (fromisoformat would take it as 00:00)
        value = None if day else parse_datetime(raw)
    except ValueError:
        value = day = None
    if value is None:
        if day is None:
            raise InvalidInput(
                _("must be an ISO 8601 date or date-time, got %(value)r.") % {"value": raw[:40]}, field=name
            )
        # A date alone: the whole day (endDate includes that day).
        value = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


class AuditRecordListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="auditrecords_list",
        parameters=PAGING
        + [
            OpenApiParameter("startDate", str, required=True, description="ISO 8601 date or date-time (UTC)."),
            OpenApiParameter("endDate", str, description="ISO 8601 date or date-time (UTC); default now."),
        ],
        responses={200: collection_of(AuditRecordSerializer), **ERRORS},
    )
    def get(self, request):
        start = _when(request, "startDate", end=False)
        if start is None:
            raise InvalidInput(_("is required (ISO 8601 date or date-time)."), field="startDate")
        end = _when(request, "endDate", end=True) or timezone.now() + timedelta(seconds=1)
        if end <= start:
            raise InvalidInput(_("must be after startDate."), field="endDate")
        rows, total, next_uri = paginate(request, audit_records_for_api(request.user, start=start, end=end))
        return Response(collection_body(AuditRecordSerializer(rows, many=True).data, total=total, next_uri=next_uri))
