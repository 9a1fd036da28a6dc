from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from partners.roles import Capability
from subscriptions.selectors import subscription_list_for_customer
from subscriptions.services import subscription_update

from ..pagination import collection_body, paginate
from ..serializers.common import collection_of
from ..serializers.subscriptions import SubscriptionPatchSerializer, SubscriptionSerializer
from .base import PartnerCenterAPIView
from .docs import ERRORS, PAGING, REQUEST_HEADERS, WRITE_ERRORS


class SubscriptionListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="customer_subscriptions_list",
        parameters=PAGING,
        responses={200: collection_of(SubscriptionSerializer), **ERRORS},
    )
    def get(self, request, customer_id):
        queryset = subscription_list_for_customer(request.user, self.customer).order_by("created", "pk")
        rows, total, next_uri = paginate(request, queryset)
        return Response(collection_body(SubscriptionSerializer(rows, many=True).data, total=total, next_uri=next_uri))


class SubscriptionDetailView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS, "patch": Capability.MANAGE_SUBSCRIPTIONS}

    @extend_schema(operation_id="customer_subscriptions_retrieve", responses={200: SubscriptionSerializer, **ERRORS})
    def get(self, request, customer_id, subscription_id):
        return Response(SubscriptionSerializer(self.subscription).data)

    @extend_schema(
        operation_id="customer_subscriptions_partial_update",
        parameters=REQUEST_HEADERS,
        request=SubscriptionPatchSerializer,
        responses={200: SubscriptionSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, customer_id, subscription_id):
        body = SubscriptionPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = subscription_update(
            actor=request.user,
            subscription=self.subscription,
            changes=body.changes(self.subscription),
            correlation_id=self.correlation_id,
        )
        return Response(SubscriptionSerializer(updated).data)
