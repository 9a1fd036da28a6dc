"""Paying a subscription's unpaid balance (Microsoft admin center "Pay your bill"), simulated.

The payment provider is pluggable (``settings.PAYMENTS_BACKEND``, like the credit-check backend): a backend's
``charge(...)`` returns a :class:`PaymentResult`; it takes no decision about the portal's data.
``balance_pay`` records the payment, clears the balance (so the Upgrade tab's "unpaid balance" reason is gone)
and writes the audit record; a declined payment changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record_create
from core.errors import Conflict, InvalidInput
from core.scoping import principal_of
from customers.models import Customer
from subscriptions.models import PaymentMethod, Subscription

from .models import Payment
from .permissions import AdminAction, admin_require
from .services import locked_admin_subscription

ACCEPTED_METHODS = (PaymentMethod.CREDIT_CARD.value,)


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
    reference: str = ""
    note: str = ""


class RecordingPaymentBackend:
    """The default and the base class of a payment provider (a real one overrides ``charge``): no provider; every
    payment is accepted and recorded with a simulated reference."""

    def charge(
        self, *, subscription: Subscription, amount: Decimal, currency: str, payment_method: str
    ) -> PaymentResult:
        return PaymentResult(True, reference=f"SIM-{uuid.uuid4().hex[:12].upper()}")


class DecliningPaymentBackend(RecordingPaymentBackend):
    """Demo / test backend: every payment is declined."""

    def charge(self, *, subscription, amount, currency, payment_method) -> PaymentResult:
        return PaymentResult(False, note=str(_("The card was declined.")))


def payments_backend() -> RecordingPaymentBackend:
    return import_string(settings.PAYMENTS_BACKEND)()


def _clean_amount(amount, balance: Decimal) -> Decimal:
    if amount in (None, ""):
        return balance
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Amount must be a number."), field="amount") from None
    if value != balance:
        raise InvalidInput(_("Amount must be the unpaid balance, %(balance)s.") % {"balance": balance}, field="amount")
    return balance


def balance_pay(
    *,
    actor,
    customer: Customer,
    subscription_id,
    amount=None,
    payment_method: str = "credit_card",
    now: datetime | None = None,
) -> Payment:
    """Pay the subscription's whole unpaid balance (``amount``, when given, must equal it). Buying roles only."""
    admin_require(actor, customer, AdminAction.PURCHASE)
    with transaction.atomic():
        customer, subscription = locked_admin_subscription(actor, customer, subscription_id)
        if subscription.channel != "direct":
            raise InvalidInput(
                _("Only subscriptions bought directly are paid here; your partner bills the others."),
                field="subscription_id",
            )
        balance = subscription.unpaid_balance
        if balance <= 0:
            raise Conflict(_("There's no unpaid balance on this subscription."), field="subscription_id")
        if payment_method not in ACCEPTED_METHODS:
            raise InvalidInput(_("Pay with a credit card (credit_card)."), field="payment_method")
        value = _clean_amount(amount, balance)
        backend = payments_backend()
        result = backend.charge(
            subscription=subscription, amount=value, currency=subscription.offer.currency, payment_method=payment_method
        )
        if not result.approved:
            raise Conflict(
                _("The payment was declined: %(note)s") % {"note": result.note},
                field="payment_method",
                error_name="payment_declined",
            )
        payment = Payment.objects.create(
            customer=customer,
            subscription=subscription,
            paid_by=principal_of(actor),
            amount=value,
            currency=subscription.offer.currency,
            payment_method=payment_method,
            backend=f"{type(backend).__module__}.{type(backend).__qualname__}",
            reference=result.reference[:100],
            paid_at=now or timezone.now(),
        )
        subscription.unpaid_balance = Decimal("0.00")
        subscription.save(update_fields=["unpaid_balance", "updated"])
        audit_record_create(
            actor=actor,
            operation_type="create_payment",
            resource_type="payment",
            customer=customer,
            old={"subscriptionId": str(subscription.pk), "unpaidBalance": str(balance)},
            new={
                "id": str(payment.pk),
                "subscriptionId": str(subscription.pk),
                "amount": str(value),
                "currency": payment.currency,
                "reference": payment.reference,
                "unpaidBalance": "0.00",
            },
        )
    return payment
