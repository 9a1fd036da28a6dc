"""``/customers/{id}/subscriptions/{id}/upgrades``: the engine (``upgrades``) decides, this only adapts.

The engine is imported when a request arrives so the rest of the API works while it is being built.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.errors import InvalidInput
from partners.roles import Capability

from ..pagination import collection_body
from ..selectors import offer_queryset
from ..serializers.common import ServiceFaultSerializer, collection_of
from ..serializers.upgrades import UpgradeRequestSerializer, UpgradeResultSerializer, UpgradeSerializer
from .base import PartnerCenterAPIView
from .docs import ERRORS, REQUEST_HEADERS, WRITE_ERRORS

# A 400 is an UpgradeResult (not eligible: its upgradeErrors say why) or a ServiceFault (a malformed body).
UPGRADE_400 = PolymorphicProxySerializer(
    component_name="UpgradeRefusal",
    resource_type_field_name=None,
    serializers=[UpgradeResultSerializer, ServiceFaultSerializer],
)


class UpgradeView(PartnerCenterAPIView):
    capabilities = {"get": Capability.UPGRADE, "post": Capability.UPGRADE}

    @extend_schema(
        operation_id="customer_subscription_upgrades_list",
        parameters=[
            OpenApiParameter(
                "billingCycle",
                str,
                enum=["monthly", "annual"],
                description="Evaluate the targets for this billing cycle.",
            ),
        ],
        responses={200: collection_of(UpgradeSerializer), **ERRORS},
    )
    def get(self, request, customer_id, subscription_id):
        from upgrades.eligibility import upgrade_options_for

        billing_cycle = request.query_params.get("billingCycle") or None
        if billing_cycle not in (None, "monthly", "annual"):
            raise InvalidInput(_("must be monthly or annual."), field="billingCycle")
        options = upgrade_options_for(actor=request.user, subscription=self.subscription, billing_cycle=billing_cycle)
        target_ids = [option.target_offer.pk for option in options if option.target_offer is not None]
        offers = {offer.pk: offer for offer in offer_queryset().filter(pk__in=target_ids)}
        items = UpgradeSerializer(options, many=True, context={"offers": offers}).data
        return Response(collection_body(items))

    @extend_schema(
        operation_id="customer_subscription_upgrades_create",
        parameters=REQUEST_HEADERS,
        request=UpgradeRequestSerializer,
        responses={**WRITE_ERRORS, 200: UpgradeResultSerializer, 400: UPGRADE_400},
    )
    def post(self, request, customer_id, subscription_id):
        from upgrades.exceptions import UpgradeNotEligible
        from upgrades.services import subscription_upgrade

        body = UpgradeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            result = subscription_upgrade(
                actor=request.user,
                subscription_id=self.subscription.pk,
                target_offer_id=data["targetOffer"]["id"],
                upgrade_type=data.get("upgradeType"),
                quantity=data.get("quantity"),
                billing_cycle=data.get("billingCycle"),
                correlation_id=self.correlation_id,
                request_id=self.request_id,
            )
        except UpgradeNotEligible as exc:
            return Response(UpgradeResultSerializer(exc.result).data, status=status.HTTP_400_BAD_REQUEST)
        return Response(UpgradeResultSerializer(result).data, status=status.HTTP_200_OK)
