"""/v1/me/: seat changes, paying an unpaid balance, cancelling a subscription and an order's invoice (thin
adapters over ``direct.seats``, ``direct.payments``, ``direct.services`` and ``direct.invoices``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.views.base import parse_guid
from api.views.docs import ME_ERRORS, ME_WRITE_ERRORS, REQUEST_HEADERS

from .. import invoices, payments, seats, selectors, services
from . import seat_serializers as s
from .views import MeAPIView


class MeSeatChangeView(MeAPIView):
    @extend_schema(
        operation_id="me_subscription_seat_change",
        tags=["me"],
        summary="Buy or remove licenses",
        description=(
            "Sets the subscription's total licenses. More: the new licenses are co-termed to the subscription's end "
            "and a prorated charge is booked to the end of the current billing period. Fewer: never below the "
            "licenses assigned to users; the removed licenses are credited prorated."
        ),
        responses={200: s.SeatChangeSerializer, **ME_WRITE_ERRORS},
        parameters=REQUEST_HEADERS,
        request=s.SeatChangeRequestSerializer,
    )
    def post(self, request, tenant_id, subscription_id):
        subscription = self.subscription(subscription_id)
        data = self.body(s.SeatChangeRequestSerializer)
        quote, entry = seats.seats_change(
            actor=request.user, customer=self.customer, subscription_id=subscription.pk, quantity=data["quantity"]
        )
        return Response(s.seat_change_body(quote, entry))


class MePaymentView(MeAPIView):
    @extend_schema(
        operation_id="me_subscription_payment_create",
        tags=["me"],
        summary="Pay the unpaid balance",
        description="Pays the subscription's whole unpaid balance (simulated payment provider), recorded as a payment.",
        responses={201: s.PaymentSerializer, **ME_WRITE_ERRORS},
        parameters=REQUEST_HEADERS,
        request=s.PaymentRequestSerializer,
    )
    def post(self, request, tenant_id, subscription_id):
        subscription = self.subscription(subscription_id)
        data = self.body(s.PaymentRequestSerializer)
        payment = payments.balance_pay(
            actor=request.user,
            customer=self.customer,
            subscription_id=subscription.pk,
            amount=data.get("amount"),
            payment_method=data["paymentMethod"],
        )
        return Response(s.payment_body(payment, payment.subscription), status=status.HTTP_201_CREATED)


class MeCancellationView(MeAPIView):
    @extend_schema(
        operation_id="me_subscription_cancel",
        tags=["me"],
        summary="Cancel a subscription",
        description="The manual path's last step: cancels a directly bought subscription nobody holds licenses of.",
        responses={200: s.CancelledSubscriptionSerializer, **ME_WRITE_ERRORS},
        parameters=REQUEST_HEADERS,
        request=s.CancellationRequestSerializer,
    )
    def post(self, request, tenant_id, subscription_id):
        subscription = self.subscription(subscription_id)
        self.body(s.CancellationRequestSerializer)
        cancelled = services.subscription_cancel(
            actor=request.user, customer=self.customer, subscription_id=subscription.pk
        )
        return Response(s.cancellation_body(cancelled))


class MeOrderInvoiceView(MeAPIView):
    @extend_schema(
        operation_id="me_order_invoice",
        tags=["me"],
        summary="An order's invoice",
        responses={200: s.DirectInvoiceSerializer, **ME_ERRORS},
    )
    def get(self, request, tenant_id, order_id):
        order = selectors.admin_order_for(request.user, self.customer, parse_guid(order_id, field="orderId"))
        return Response(s.invoice_body(invoices.order_invoice(order)))
