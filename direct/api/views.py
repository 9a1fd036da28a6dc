"""/v1/me/: the admin center for customer admins' user tokens (thin adapters over direct.* services).

Scope: the customer in the URL must be one the token's user administers (else 404); application tokens and
partner users get 403. Errors go through the shared ServiceFault handler (``api.errors``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import IDEMPOTENT_METHODS, Replay, idempotency_begin, idempotency_finish, request_id_of
from api.pagination import collection_body
from api.parsers import SafeJSONParser
from api.views.base import CORRELATION_HEADER, correlation_id_for, parse_guid
from api.views.docs import ME_ERRORS, ME_WRITE_ERRORS, REQUEST_HEADERS
from customers.models import CustomerAdminRole

from .. import cart, selectors, services
from . import serializers as s


class MeAPIView(APIView):
    """Base of /v1/me/: correlation id, idempotent POSTs, tenant scope (``self.customer``)."""

    parser_classes = [SafeJSONParser]

    def initial(self, request, *args, **kwargs):
        self.correlation_id = correlation_id_for(request)
        self._idempotency = None
        super().initial(request, *args, **kwargs)
        user = request.user
        if getattr(user, "is_application", False) or not CustomerAdminRole.objects.filter(user_id=user.pk).exists():
            raise exceptions.PermissionDenied(_("/v1/me/ is for customer tenant admins' user tokens."))
        self.customer = None
        if "tenant_id" in kwargs:
            self.customer = selectors.admin_customer_for(
                user, tenant_id=parse_guid(kwargs["tenant_id"], field="customerTenantId")
            )
        if request.method in IDEMPOTENT_METHODS and request_id_of(request):
            self._idempotency = idempotency_begin(
                actor=user, key=request_id_of(request), method=request.method, path=request.path, data=request.data
            )

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return Response(exc.body, status=exc.status_code, headers={"MS-Idempotent-Replay": "true"})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response[CORRELATION_HEADER] = correlation_id_for(request)
        record, self._idempotency = getattr(self, "_idempotency", None), None
        if record is not None:
            idempotency_finish(record=record, status_code=response.status_code, body=response.data)
        return response

    def subscription(self, subscription_id):
        return selectors.admin_subscription_for(
            self.request.user, self.customer, parse_guid(subscription_id, field="subscriptionId")
        )

    def body(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class MeCustomersView(MeAPIView):
    @extend_schema(
        operation_id="me_customers_list", tags=["me"], responses={200: s.MeCustomerCollectionSerializer, **ME_ERRORS}
    )
    def get(self, request):
        return Response(collection_body([s.customer_body(c) for c in selectors.admin_customers_for(request.user)]))


class MeSubscriptionsView(MeAPIView):
    @extend_schema(
        operation_id="me_subscriptions_list",
        tags=["me"],
        responses={200: s.MeSubscriptionCollectionSerializer, **ME_ERRORS},
    )
    def get(self, request, tenant_id):
        rows = selectors.admin_subscriptions(request.user, self.customer)
        return Response(collection_body([s.subscription_body(row) for row in rows]))


class MeUpgradeOptionsView(MeAPIView):
    @extend_schema(
        operation_id="me_upgrade_options", tags=["me"], responses={200: s.DirectUpgradeOptionsSerializer, **ME_ERRORS}
    )
    def get(self, request, tenant_id, subscription_id):
        subscription = self.subscription(subscription_id)
        return Response(s.upgrade_tab_body(subscription, selectors.upgrade_tab_for(subscription)))


class MeCartView(MeAPIView):
    @extend_schema(
        operation_id="me_cart_quote",
        tags=["me"],
        responses={200: s.DirectQuoteSerializer, **ME_WRITE_ERRORS},
        parameters=REQUEST_HEADERS,
        request=s.QuoteRequestSerializer,
    )
    def post(self, request, tenant_id, subscription_id):
        subscription = self.subscription(subscription_id)
        data = self.body(s.QuoteRequestSerializer)
        quote = cart.quote_upgrade(
            source=subscription,
            target_offer_id=data["targetOfferId"],
            quantity=data.get("quantity"),
            billing_cycle=data.get("billingCycle"),
        )
        return Response(s.quote_body(quote))


class MeUpgradeOrderView(MeAPIView):
    @extend_schema(
        operation_id="me_upgrade_order_create",
        tags=["me"],
        responses={201: s.DirectOrderSerializer, **ME_WRITE_ERRORS},
        parameters=REQUEST_HEADERS,
        request=s.UpgradeOrderRequestSerializer,
    )
    def post(self, request, tenant_id, subscription_id):
        subscription = self.subscription(subscription_id)
        data = self.body(s.UpgradeOrderRequestSerializer)
        order = services.direct_upgrade_place(
            actor=request.user,
            customer=self.customer,
            subscription_id=subscription.pk,
            target_offer_id=data["targetOfferId"],
            quantity=data.get("quantity"),
            billing_cycle=data.get("billingCycle"),
            payment_method=data["paymentMethod"],
            confirm_forfeit=data["confirmForfeit"],
        )
        return Response(s.order_body(order), status=status.HTTP_201_CREATED)


class MePurchaseView(MeAPIView):
    @extend_schema(
        operation_id="me_purchase_create",
        tags=["me"],
        responses={201: s.DirectOrderSerializer, **ME_WRITE_ERRORS},
        parameters=REQUEST_HEADERS,
        request=s.PurchaseRequestSerializer,
    )
    def post(self, request, tenant_id):
        data = self.body(s.PurchaseRequestSerializer)
        order = services.direct_purchase_place(
            actor=request.user,
            customer=self.customer,
            offer_id=data["offerId"],
            quantity=data["quantity"],
            billing_cycle=data["billingCycle"],
            payment_method=data["paymentMethod"],
        )
        return Response(s.order_body(order), status=status.HTTP_201_CREATED)


class MeOrderView(MeAPIView):
    @extend_schema(operation_id="me_order_status", tags=["me"], responses={200: s.DirectOrderSerializer, **ME_ERRORS})
    def get(self, request, tenant_id, order_id):
        order = selectors.admin_order_for(request.user, self.customer, parse_guid(order_id, field="orderId"))
        return Response(s.order_body(order, steps=selectors.order_steps(order)))


class MeLicenseMoveView(MeAPIView):
    @extend_schema(
        operation_id="me_license_move",
        tags=["me"],
        responses={200: s.LicenseMoveResultSerializer, **ME_WRITE_ERRORS},
        parameters=REQUEST_HEADERS,
        request=s.LicenseMoveRequestSerializer,
    )
    def post(self, request, tenant_id):
        data = self.body(s.LicenseMoveRequestSerializer)
        result = services.licenses_move(
            actor=request.user,
            customer=self.customer,
            source_id=data["sourceSubscriptionId"],
            target_id=data["targetSubscriptionId"],
            user_ids=data.get("userIds"),
            all_users=data["allUsers"],
        )
        return Response(
            {
                "moved": result.moved,
                "alreadyInTarget": result.already_in_target,
                "attributes": {"objectType": "LicenseMoveResult"},
            }
        )
