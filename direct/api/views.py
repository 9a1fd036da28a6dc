"""/v1/me/: the admin center for customer admins' user tokens (thin adapters over direct.* services).

Built on the /v1/ base view like every endpoint: the capability ``ADMIN_CENTER`` (customer tenant admins' user
tokens; application tokens and partner users get 403), then the customer in the URL must be one the token's user
administers (else 404). Errors go through the shared ServiceFault handler (``api.errors``).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.pagination import collection_body
from api.views.base import PartnerCenterAPIView, parse_guid
from api.views.docs import ME_ERRORS, ME_WRITE_ERRORS, REQUEST_HEADERS
from partners.roles import Capability

from .. import cart, selectors, services
from . import serializers as s
from .faults import camel_case_fault


class MeAPIView(PartnerCenterAPIView):
    """Base of /v1/me/: the base view's pipeline with the ``ADMIN_CENTER`` capability; the tenant in the URL is
    resolved among those the actor administers (``self.customer``)."""

    capabilities = {"get": Capability.ADMIN_CENTER, "post": Capability.ADMIN_CENTER}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        method = "get" if request.method.lower() == "head" else request.method.lower()
        if method != "options" and not hasattr(self, method):
            # /v1/me/ tells who may use it before which methods exist: a partner's token gets 403 and another
            # tenant 404 whatever the method; only the tenant's own admin learns about a 405.
            self.actor.require(Capability.ADMIN_CENTER)
            self.resolve_scope()

    def handle_exception(self, exc):
        return super().handle_exception(camel_case_fault(exc))

    def resolve_scope(self) -> None:
        self.customer = None  # ``self.subscription(id)`` resolves a subscription of the tenant
        if "tenant_id" in self.kwargs:
            self.customer = selectors.admin_customer_for(
                self.request.user, tenant_id=parse_guid(self.kwargs["tenant_id"], field="customerTenantId")
            )

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
        tab = selectors.upgrade_tab_for(subscription)
        return Response(s.upgrade_tab_body(subscription, tab, selectors.upgrade_tab_prices(subscription, tab)))


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
