"""Shapes of /v1/me/ seat changes, balance payments, cancellation and an order's invoice (camelCase,
``attributes.objectType`` like every /v1/ resource). Input serializers shape and type-check the body only; the
rules are ``direct.seats``, ``direct.payments`` and ``direct.services``."""

from __future__ import annotations

from rest_framework import serializers

from api.parsers import StrictIntegerField
from api.serializers.common import ResourceAttributesSerializer
from subscriptions.models import PaymentMethod

from .serializers import MeSubscriptionSerializer, subscription_body


def _attrs(object_type: str) -> dict:
    return {"objectType": object_type}


# -- requests ---------------------------------------------------------------------------------------------------


class SeatChangeRequestSerializer(serializers.Serializer):
    quantity = StrictIntegerField(
        min_value=0, help_text="The subscription's new total of licenses (more: buy; fewer: remove)."
    )


class PaymentRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        coerce_to_string=True,
        help_text="When given, must equal the unpaid balance (guards against paying a stale amount).",
    )
    paymentMethod = serializers.ChoiceField(
        choices=[PaymentMethod.CREDIT_CARD, PaymentMethod.INVOICE],
        required=False,
        default="credit_card",
        help_text="A balance is paid by credit card (credit_card); invoice is refused.",
    )


class CancellationRequestSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="Must be true: cancelling ends the subscription.")

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError("set confirm to true to cancel the subscription.")
        return value


# -- bodies -----------------------------------------------------------------------------------------------------


def seat_change_body(quote, entry) -> dict:
    return {
        "subscriptionId": str(quote.subscription.pk),
        "previousQuantity": quote.previous,
        "quantity": quote.quantity,
        "assignedLicenses": quote.assigned,
        "licensesAdded": quote.added,
        "licensesRemoved": quote.removed,
        "unitPrice": str(quote.unit_price),
        "currency": quote.currency,
        "amount": str(quote.amount),
        "kind": entry.kind,
        "periodStartDate": quote.period_start.isoformat(),
        "periodEndDate": quote.period_last_day.isoformat(),
        "coterminousEndDate": quote.coterm_end.isoformat(),
        "attributes": _attrs("SeatChange"),
    }


def payment_body(payment, subscription) -> dict:
    return {
        "id": str(payment.pk),
        "subscriptionId": str(subscription.pk),
        "amount": str(payment.amount),
        "currency": payment.currency,
        "paymentMethod": payment.payment_method,
        "reference": payment.reference,
        "paidDateTime": payment.paid_at.isoformat(),
        "unpaidBalance": str(subscription.unpaid_balance),
        "attributes": _attrs("Payment"),
    }


def cancellation_body(subscription) -> dict:
    return {**subscription_body(subscription), "assignedLicenses": 0}


def _line(line) -> dict:
    return {
        "description": line.description,
        "offerId": line.offer_id,
        "kind": line.kind,
        "quantity": line.quantity,
        "unitPrice": str(line.unit_price) if line.unit_price is not None else None,
        "amount": str(line.amount),
    }


def invoice_body(invoice) -> dict:
    return {
        "id": invoice.number,
        "orderId": str(invoice.order.pk),
        "invoiceDate": invoice.date.isoformat(),
        "soldTo": invoice.sold_to,
        "billedTo": invoice.billed_to,
        "items": [_line(line) for line in invoice.items],
        "currency": invoice.currency,
        "total": str(invoice.total),
        "chargeToday": str(invoice.charge),
        "proratedCredit": str(invoice.credit),
        "forfeited": str(invoice.forfeited),
        "amountDue": str(invoice.amount_due),
        "attributes": _attrs("DirectInvoice"),
    }


# -- response shapes, for the OpenAPI schema ------------------------------------------------------------------------


class SeatChangeSerializer(serializers.Serializer):
    subscriptionId = serializers.UUIDField()
    previousQuantity = serializers.IntegerField()
    quantity = serializers.IntegerField()
    assignedLicenses = serializers.IntegerField()
    licensesAdded = serializers.IntegerField()
    licensesRemoved = serializers.IntegerField()
    unitPrice = serializers.CharField(help_text="A decimal amount as text, per license per billing period.")
    currency = serializers.CharField()
    amount = serializers.CharField(help_text="Prorated: positive is charged today, negative is a credit.")
    kind = serializers.ChoiceField(choices=["charge", "credit"])
    periodStartDate = serializers.DateField()
    periodEndDate = serializers.DateField(help_text="Last day charged or credited (the billing period's last day).")
    coterminousEndDate = serializers.DateField(help_text="The day every license of the subscription ends.")
    attributes = ResourceAttributesSerializer()


class PaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    subscriptionId = serializers.UUIDField()
    amount = serializers.CharField()
    currency = serializers.CharField()
    paymentMethod = serializers.CharField()
    reference = serializers.CharField()
    paidDateTime = serializers.CharField()
    unpaidBalance = serializers.CharField()
    attributes = ResourceAttributesSerializer()


CancelledSubscriptionSerializer = MeSubscriptionSerializer


class _SoldTo(serializers.Serializer):
    companyName = serializers.CharField()
    domain = serializers.CharField(allow_blank=True)
    country = serializers.CharField()
    tenantId = serializers.UUIDField()


class _BilledTo(serializers.Serializer):
    paymentMethod = serializers.CharField()
    paymentMethodName = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)


class _InvoiceLine(serializers.Serializer):
    description = serializers.CharField()
    offerId = serializers.CharField()
    kind = serializers.ChoiceField(choices=["item", "addon_move", "addon_remove"])
    quantity = serializers.IntegerField(allow_null=True)
    unitPrice = serializers.CharField(allow_null=True)
    amount = serializers.CharField(help_text="The item's total; a removed add-on's prorated credit (negative).")


class DirectInvoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    orderId = serializers.UUIDField()
    invoiceDate = serializers.CharField()
    soldTo = _SoldTo()
    billedTo = _BilledTo()
    items = _InvoiceLine(many=True)
    currency = serializers.CharField()
    total = serializers.CharField()
    chargeToday = serializers.CharField(help_text="Prorated charge to the end of the current billing period.")
    proratedCredit = serializers.CharField(help_text="Prorated credit for the unused time of the upgraded plan.")
    forfeited = serializers.CharField()
    amountDue = serializers.CharField()
    attributes = ResourceAttributesSerializer()
