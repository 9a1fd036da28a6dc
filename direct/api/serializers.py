"""Shapes of /v1/me/ (camelCase, ``attributes.objectType`` like every /v1/ resource).

Input serializers only shape and type-check the body; the rules (minimum quantity, invoice minimum, forfeit
confirmation, eligibility) are enforced by ``direct.cart`` and ``direct.services``.
"""

from __future__ import annotations

from rest_framework import serializers

from api.parsers import INT32_MAX, StrictIntegerField
from api.serializers.common import CollectionLinksSerializer, ResourceAttributesSerializer
from catalog.models import BillingCycle
from subscriptions.models import PaymentMethod


def _attrs(object_type: str) -> dict:
    return {"objectType": object_type}


def reason_body(reason) -> dict:
    data = reason if isinstance(reason, dict) else reason.as_dict()
    return {"code": data["code"], "description": data["message"], "whatToDo": data["action"]}


def customer_body(customer) -> dict:
    return {
        "id": str(customer.tenant_id),
        "companyName": customer.company_name,
        "domain": customer.domain,
        "country": customer.country,
        "attributes": _attrs("Customer"),
    }


def subscription_body(s) -> dict:
    return {
        "id": str(s.pk),
        "offerId": s.offer_id,
        "offerName": s.offer.name,
        "quantity": s.quantity,
        "assignedLicenses": getattr(s, "assigned_count", None),
        "status": s.status,
        "provisioningState": s.provisioning_state,
        "channel": s.channel,
        "paymentMethod": s.payment_method,
        "billingCycle": s.billing_cycle,
        "prepaid": s.prepaid,
        "parentSubscriptionId": str(s.parent_id) if s.parent_id else None,
        "attributes": _attrs("Subscription"),
    }


def price_body(price) -> dict | None:
    """A price per license for one billing period, or None when the offer has none in its currency."""
    if price is None:
        return None
    return {"unitPrice": str(price.unit_price), "currency": price.currency, "billingCycle": price.billing_cycle}


def verdict_body(verdict, price=None) -> dict:
    return {
        "targetOffer": {"id": verdict.target.id, "name": verdict.target.name},
        "kind": verdict.kind,
        "isEligible": verdict.is_eligible,
        "lostServices": list(verdict.lost_services),
        "reasons": [reason_body(r) for r in verdict.reasons],
        "price": price_body(price),
        "attributes": _attrs("DirectUpgradeOption"),
    }


def upgrade_tab_body(subscription, tab, prices: dict) -> dict:
    """The Upgrade tab; ``prices``: offer id -> ``OfferPrice`` in the subscription's billing cycle
    (``direct.selectors.upgrade_tab_prices``)."""
    return {
        "subscriptionId": str(subscription.pk),
        "canUpgrade": tab.can_upgrade,
        "reasons": [reason_body(r) for r in tab.reasons],
        "currentPrice": price_body(prices.get(subscription.offer_id)),
        "upgrades": [verdict_body(v, prices.get(v.target.id)) for v in tab.upgrades],
        "planChanges": [verdict_body(v, prices.get(v.target.id)) for v in tab.plan_changes],
        "attributes": _attrs("DirectUpgradeOptions"),
    }


def _money(value) -> str:
    return str(value)


def quote_body(quote) -> dict:
    return {
        "soldTo": customer_body(quote.customer),
        "targetOffer": {"id": quote.target.id, "name": quote.target.name},
        "sourceSubscriptionId": str(quote.source.pk) if quote.source else None,
        "quantity": quote.quantity,
        "billingCycle": quote.billing_cycle,
        "currency": quote.currency,
        "unitPrice": _money(quote.unit_price),
        "total": _money(quote.subtotal),
        "chargeToday": _money(quote.charge),
        "proratedCredit": _money(quote.credit),
        "forfeited": _money(quote.forfeited),
        "requiresForfeitConfirmation": quote.requires_forfeit_confirmation,
        "amountDue": _money(quote.amount_due),
        "paymentMethods": [
            {"paymentMethod": m, "creditCheckRequired": quote.credit_check_required(m)} for m in quote.payment_methods
        ],
        "addOns": [
            {
                "subscriptionId": str(a.subscription.pk),
                "offerId": a.subscription.offer_id,
                "name": a.name,
                "action": a.action,
                "reason": a.reason,
                "credit": _money(a.credit),
            }
            for a in quote.addons
        ],
        "attributes": _attrs("DirectQuote"),
    }


def order_body(order, steps=None) -> dict:
    body = {
        "id": str(order.pk),
        "kind": order.kind,
        "status": order.status,
        "creditCheck": order.credit_check,
        "creditCheckDeadline": order.credit_check_deadline.isoformat() if order.credit_check_deadline else None,
        "creditCheckNote": order.credit_check_note,
        "sourceSubscriptionId": str(order.source_id) if order.source_id else None,
        "targetOfferId": order.target_offer_id,
        "targetSubscriptionId": str(order.target_subscription_id) if order.target_subscription_id else None,
        "quantity": order.quantity,
        "billingCycle": order.billing_cycle,
        "paymentMethod": order.payment_method,
        "currency": order.currency,
        "total": _money(order.subtotal),
        "chargeToday": _money(order.charge),
        "proratedCredit": _money(order.credit),
        "forfeited": _money(order.forfeited),
        "amountDue": _money(order.amount_due),
        "placedDateTime": order.placed_at.isoformat(),
        "completedDateTime": order.completed_at.isoformat() if order.completed_at else None,
        "notice": order.completed_notice,
        "attributes": _attrs("DirectOrder"),
    }
    if steps is not None:
        body["steps"] = [
            {"description": str(s["label"]), "dateTime": s["time"].isoformat(), "note": str(s["note"])} for s in steps
        ]
    return body


class QuoteRequestSerializer(serializers.Serializer):
    targetOfferId = serializers.CharField(max_length=64)
    quantity = StrictIntegerField(required=False, min_value=1, max_value=INT32_MAX)
    billingCycle = serializers.ChoiceField(choices=BillingCycle.values, required=False)


class UpgradeOrderRequestSerializer(QuoteRequestSerializer):
    paymentMethod = serializers.ChoiceField(choices=[PaymentMethod.CREDIT_CARD, PaymentMethod.INVOICE])
    confirmForfeit = serializers.BooleanField(required=False, default=False)


class PurchaseRequestSerializer(serializers.Serializer):
    offerId = serializers.CharField(max_length=64)
    quantity = StrictIntegerField(min_value=1, max_value=INT32_MAX)
    billingCycle = serializers.ChoiceField(choices=BillingCycle.values, required=False, default="monthly")
    paymentMethod = serializers.ChoiceField(choices=[PaymentMethod.CREDIT_CARD, PaymentMethod.INVOICE])


class LicenseMoveRequestSerializer(serializers.Serializer):
    sourceSubscriptionId = serializers.UUIDField()
    targetSubscriptionId = serializers.UUIDField()
    userIds = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_empty=False, min_length=1, max_length=300_000
    )
    allUsers = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("allUsers") and not attrs.get("userIds"):
            raise serializers.ValidationError({"userIds": "give userIds or allUsers=true."})
        return attrs


# -- response shapes, for the OpenAPI schema (the bodies are built by the ``*_body`` functions above) -------------


class _Attributes(serializers.Serializer):
    objectType = serializers.CharField()


class _Ref(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class MeCustomerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    companyName = serializers.CharField()
    domain = serializers.CharField(allow_blank=True)
    country = serializers.CharField()
    attributes = _Attributes()


class MeSubscriptionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    offerId = serializers.CharField()
    offerName = serializers.CharField()
    quantity = serializers.IntegerField()
    assignedLicenses = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    provisioningState = serializers.CharField(allow_blank=True)
    channel = serializers.CharField()
    paymentMethod = serializers.CharField(allow_blank=True, allow_null=True)
    billingCycle = serializers.CharField(allow_blank=True, allow_null=True)
    prepaid = serializers.BooleanField()
    parentSubscriptionId = serializers.UUIDField(allow_null=True)
    attributes = _Attributes()


def _collection(name: str, item) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "totalCount": serializers.IntegerField(),
            "items": item(many=True),
            "links": CollectionLinksSerializer(),
            "attributes": ResourceAttributesSerializer(),
            "__module__": __name__,
        },
    )


MeCustomerCollectionSerializer = _collection("MeCustomerCollectionSerializer", MeCustomerSerializer)
MeSubscriptionCollectionSerializer = _collection("MeSubscriptionCollectionSerializer", MeSubscriptionSerializer)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()
    whatToDo = serializers.CharField(allow_blank=True)


class _Price(serializers.Serializer):
    unitPrice = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()
    billingCycle = serializers.ChoiceField(choices=["monthly", "annual"])


class DirectUpgradeOptionSerializer(serializers.Serializer):
    targetOffer = _Ref()
    kind = serializers.CharField()
    isEligible = serializers.BooleanField()
    lostServices = serializers.ListField(child=serializers.CharField())
    reasons = ReasonSerializer(many=True)
    price = _Price(allow_null=True, help_text="Price per license for the subscription's billing period.")
    attributes = _Attributes()


class DirectUpgradeOptionsSerializer(serializers.Serializer):
    subscriptionId = serializers.UUIDField()
    canUpgrade = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    currentPrice = _Price(allow_null=True)
    upgrades = DirectUpgradeOptionSerializer(many=True)
    planChanges = DirectUpgradeOptionSerializer(many=True)
    attributes = _Attributes()


class _PaymentOption(serializers.Serializer):
    paymentMethod = serializers.CharField()
    creditCheckRequired = serializers.BooleanField()


class _AddOn(serializers.Serializer):
    subscriptionId = serializers.UUIDField()
    offerId = serializers.CharField()
    name = serializers.CharField()
    action = serializers.ChoiceField(choices=["move", "remove", "excluded"])
    reason = serializers.CharField(
        help_text="Why the add-on is removed (included in, or not allowed with, the target); empty when it moves."
    )
    credit = serializers.CharField()


class DirectQuoteSerializer(serializers.Serializer):
    soldTo = MeCustomerSerializer()
    targetOffer = _Ref()
    sourceSubscriptionId = serializers.UUIDField(allow_null=True)
    quantity = serializers.IntegerField()
    billingCycle = serializers.CharField()
    currency = serializers.CharField()
    unitPrice = serializers.CharField(help_text="A decimal amount as text, e.g. 36.00.")
    total = serializers.CharField()
    chargeToday = serializers.CharField()
    proratedCredit = serializers.CharField()
    forfeited = serializers.CharField()
    requiresForfeitConfirmation = serializers.BooleanField()
    amountDue = serializers.CharField()
    paymentMethods = _PaymentOption(many=True)
    addOns = _AddOn(many=True)
    attributes = _Attributes()


class _OrderStep(serializers.Serializer):
    description = serializers.CharField()
    dateTime = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class DirectOrderSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    creditCheck = serializers.CharField(allow_blank=True, allow_null=True)
    creditCheckDeadline = serializers.CharField(allow_null=True)
    creditCheckNote = serializers.CharField(allow_blank=True)
    sourceSubscriptionId = serializers.UUIDField(allow_null=True)
    targetOfferId = serializers.CharField()
    targetSubscriptionId = serializers.UUIDField(allow_null=True)
    quantity = serializers.IntegerField()
    billingCycle = serializers.CharField()
    paymentMethod = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.CharField()
    chargeToday = serializers.CharField()
    proratedCredit = serializers.CharField()
    forfeited = serializers.CharField()
    amountDue = serializers.CharField()
    placedDateTime = serializers.CharField()
    completedDateTime = serializers.CharField(allow_null=True)
    notice = serializers.CharField(allow_blank=True)
    steps = _OrderStep(many=True, required=False, help_text="Only on GET of one order.")
    attributes = _Attributes()


class LicenseMoveResultSerializer(serializers.Serializer):
    moved = serializers.IntegerField()
    alreadyInTarget = serializers.IntegerField()
    attributes = _Attributes()
