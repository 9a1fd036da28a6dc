"""``/customers/{id}/subscriptions/{id}/upgrades``: the engine (``upgrades``) decides, this only adapts."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.pagination import collection_body
from api.serializers.common import ServiceFaultSerializer, collection_of
from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS, REQUEST_HEADERS, WRITE_ERRORS
from catalog.api.selectors import offer_queryset
from core.errors import InvalidInput
from partners.roles import Capability
from upgrades.exceptions import UpgradeNotEligible
from upgrades.selectors import upgrade_options_for
from upgrades.services import subscription_upgrade

from .serializers import UpgradeRequestSerializer, UpgradeResultSerializer, UpgradeSerializer

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
