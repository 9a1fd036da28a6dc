import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from api.pagination import collection_body, paginate
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS, PAGING
from core.errors import InvalidInput
from partners.roles import Capability

from .selectors import offer_queryset, offers_for_country
from .serializers import OfferSerializer

COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def _country(request, *, required: bool) -> str:
    raw = request.query_params.get("country", "").strip()
    if not raw:
        if required:
            raise InvalidInput(_("is required (ISO 3166-1 alpha-2, e.g. US or IN)."), field="country")
        return ""
    if not COUNTRY.match(raw):
        raise InvalidInput(
            _("must be a two-letter ISO 3166-1 code, got %(value)r.") % {"value": raw[:20]}, field="country"
        )
    return raw.upper()


class OfferListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="offers_list",
        parameters=PAGING
        + [
            OpenApiParameter("country", str, required=True, description="ISO country: IN gives the India market."),
        ],
        responses={200: collection_of(OfferSerializer), **ERRORS},
    )
    def get(self, request):
        country = _country(request, required=True)
        rows, total, next_uri = paginate(request, offers_for_country(country))
        items = OfferSerializer(rows, many=True, context={"country": country}).data
        return Response(collection_body(items, total=total, next_uri=next_uri))


class OfferDetailView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="offers_retrieve",
        parameters=[OpenApiParameter("country", str)],
        responses={200: OfferSerializer, **ERRORS},
    )
    def get(self, request, offer_id):
        offer = offer_queryset().filter(pk=offer_id[:64]).first()
        if offer is None:
            raise exceptions.NotFound(_("Offer %(id)s was not found.") % {"id": offer_id[:64]})
        return Response(OfferSerializer(offer, context={"country": _country(request, required=False)}).data)
