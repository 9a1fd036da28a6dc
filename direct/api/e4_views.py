"""``/v1/customers/{id}/subscriptions/{id}/e4Replacement``: the partner replaces a CSP Office 365 E4
(domain.md §6). GET: the options (``direct.partner_e4.e4_replacement_options``); POST: replace
(``direct.partner_e4.csp_e4_replace``). The base view resolves the customer and the CSP subscription in the
caller's scope (404) after the capability (403) and replays a POST with the same ``MS-RequestId``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS, REQUEST_HEADERS, WRITE_ERRORS
from core.errors import DomainError
from partners.roles import Capability

from .. import partner_e4
from .e4_serializers import (
    E4ReplacementOptionsSerializer,
    E4ReplacementRequestSerializer,
    E4ReplacementResultSerializer,
)

# The service names its inputs in Python; the body names them in camelCase.
API_FIELDS = {"subscription_id": "subscriptionId", "target_offer_id": "targetOffer.id", "quantity": "quantity"}


class E4ReplacementView(PartnerCenterAPIView):
    capabilities = {"get": Capability.UPGRADE, "post": Capability.UPGRADE}

    @extend_schema(
        operation_id="customer_subscription_e4_replacement_retrieve",
        tags=["e4Replacement"],
        responses={200: E4ReplacementOptionsSerializer, **ERRORS},
        description=(
            "What replacing this CSP Office 365 E4 would offer: the replacement offers, the minimum seats, and "
            "every reason it cannot be replaced (`isEligible` false, `refusals`)."
        ),
    )
    def get(self, request, customer_id, subscription_id):
        options = partner_e4.e4_replacement_options(actor=request.user, subscription=self.subscription)
        return Response(E4ReplacementOptionsSerializer(options).data)

    @extend_schema(
        operation_id="customer_subscription_e4_replacement_create",
        tags=["e4Replacement"],
        parameters=REQUEST_HEADERS,
        request=E4ReplacementRequestSerializer,
        responses={201: E4ReplacementResultSerializer, **WRITE_ERRORS},
        description=(
            "Buy the replacement, reassign every user of the E4 to it and suspend the E4; the E4 is "
            "deprovisioned 120 days later. A 400 ServiceFault names the field (`targetOffer.id`, `quantity`, "
            "`subscriptionId`)."
        ),
    )
    def post(self, request, customer_id, subscription_id):
        body = E4ReplacementRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            result = partner_e4.csp_e4_replace(
                actor=request.user,
                subscription_id=self.subscription.pk,
                target_offer_id=data["targetOffer"]["id"],
                quantity=data.get("quantity"),
                correlation_id=self.correlation_id,
            )
        except DomainError as exc:
            exc.field = API_FIELDS.get(exc.field or "", exc.field)
            raise
        context = {"deprovision_on": partner_e4.deprovision_date(result.source.suspended_at)}
        return Response(E4ReplacementResultSerializer(result, context=context).data, status=status.HTTP_201_CREATED)
