"""``GET /v1/opportunities``: the adapter; ``opportunities.selectors`` builds the lines with the upgrade engine."""

from __future__ import annotations

from itertools import islice
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api.pagination import collection_body, page_params
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS, PAGING
from core.errors import InvalidInput
from partners.roles import Capability

from ..filtering import OpportunityFilterForm
from ..selectors import export_records, opportunities_for
from .serializers import OpportunitySerializer

FILTERS = [
    OpenApiParameter("market", str, description="Source offer market: global or IN."),
    OpenApiParameter("source", str, description="Source offer id."),
    OpenApiParameter("target", str, description="Target offer id (only its lines)."),
    OpenApiParameter("segment", str, description="Customer segment: commercial, education, government, nonprofit."),
    OpenApiParameter("country", str, description="Customer country (ISO 3166-1 alpha-2)."),
    OpenApiParameter("status", str, enum=["eligible", "blocked"], description="Only eligible or blocked lines."),
    OpenApiParameter("reason", str, description="Only lines blocked by this reason (an UpgradeError errorName)."),
    OpenApiParameter("search", str, description="Customer name or domain contains."),
    OpenApiParameter("sort", str, enum=["uplift", "customer", "seats"], description="Default: uplift."),
]


class OpportunityListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.UPGRADE}

    @extend_schema(
        operation_id="opportunities_list",
        parameters=PAGING + FILTERS,
        responses={200: collection_of(OpportunitySerializer), **ERRORS},
    )
    def get(self, request):
        form = OpportunityFilterForm(request.query_params)
        if not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            raise InvalidInput(str(errors[0]), field=name)
        if "page" in request.query_params:
            raise InvalidInput(_("is not a parameter here: use size and offset."), field="page")
        size, offset = page_params(request)
        records = list(export_records(opportunities_for(request.user, form.to_filter(default_sort="uplift"))))
        page = list(islice(records, offset, offset + size))
        next_uri = None
        if offset + len(page) < len(records):
            params = request.query_params.copy()
            params["size"] = str(size)
            params["offset"] = str(offset + size)
            next_uri = f"{request.path}?{urlencode(sorted(params.lists()), doseq=True)}"
        items = OpportunitySerializer(page, many=True).data
        return Response(collection_body(items, total=len(records), next_uri=next_uri))
