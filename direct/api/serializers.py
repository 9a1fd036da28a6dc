"""Shapes of /v1/me/ (camelCase, ``attributes.objectType`` like every /v1/ resource).

Input serializers only shape and type-check the body; the rules (minimum quantity, invoice minimum, forfeit
confirmation, eligibility) are enforced by ``direct.cart`` and ``direct.services``.
"""
from __future__ import annotations

from rest_framework import serializers

from api.parsers import INT32_MAX, StrictIntegerField
from catalog.models import BillingCycle
from subscriptions.models import PaymentMethod


def _attrs(object_type: str) -> dict:
    return {"objectType": object_type}


def reason_body(reason) -> dict:
    data = reason if isinstance(reason, dict) else reason.as_dict()
    return {"code": data["code"], "description": data["message"], "whatToDo": data["action"]}


def customer_body(customer) -> dict:
    return {"id": str(customer.tenant_id), "companyName": customer.company_name, "domain": customer.domain,
            "country": customer.country, "attributes": _attrs("Customer")}


def subscription_body(s) -> dict:
    return {"id": str(s.pk), "offerId": s.offer_id, "offerName": s.offer.name, "quantity": s.quantity,
            "assignedLicenses": getattr(s, "assigned_count", None), "status": s.status,
            "provisioningState": s.provisioning_state, "channel": s.channel, "paymentMethod": s.payment_method,
            "billingCycle": s.billing_cycle, "prepaid": s.prepaid,
            "parentSubscriptionId": str(s.parent_id) if s.parent_id else None, "attributes": _attrs("Subscription")}


def verdict_body(verdict) -> dict:
    return {"targetOffer": {"id": verdict.target.id, "name": verdict.target.name}, "kind": verdict.kind,
            "isEligible": verdict.is_eligible, "lostServices": list(verdict.lost_services),
            "reasons": [reason_body(r) for r in verdict.reasons], "attributes": _attrs("DirectUpgradeOption")}


def upgrade_tab_body(subscription, tab) -> dict:
    return {"subscriptionId": str(subscription.pk), "canUpgrade": tab.can_upgrade,
            "reasons": [reason_body(r) for r in tab.reasons],
            "upgrades": [verdict_body(v) for v in tab.upgrades],
            "planChanges": [verdict_body(v) for v in tab.plan_changes],
            "attributes": _attrs("DirectUpgradeOptions")}


def _money(value) -> str:
    return str(value)


def quote_body(quote) -> dict:
    return {
        "soldTo": customer_body(quote.customer),
        "targetOffer": {"id": quote.target.id, "name": quote.target.name},
        "sourceSubscriptionId": str(quote.source.pk) if quote.source else None,
        "quantity": quote.quantity, "billingCycle": quote.billing_cycle, "currency": quote.currency,
        "unitPrice": _money(quote.unit_price), "total": _money(quote.subtotal), "chargeToday": _money(quote.charge),
        "proratedCredit": _money(quote.credit), "forfeited": _money(quote.forfeited),
        "requiresForfeitConfirmation": quote.requires_forfeit_confirmation, "amountDue": _money(quote.amount_due),
        "paymentMethods": [{"paymentMethod": m, "creditCheckRequired": quote.credit_check_required(m)}
                           for m in quote.payment_methods],
        "addOns": [{"subscriptionId": str(a.subscription.pk), "offerId": a.subscription.offer_id, "name": a.name,
                    "action": a.action, "credit": _money(a.credit)} for a in quote.addons],
        "attributes": _attrs("DirectQuote"),
    }


def order_body(order, steps=None) -> dict:
    body = {
        "id": str(order.pk), "kind": order.kind, "status": order.status, "creditCheck": order.credit_check,
        "creditCheckDeadline": order.credit_check_deadline.isoformat() if order.credit_check_deadline else None,
        "creditCheckNote": order.credit_check_note,
        "sourceSubscriptionId": str(order.source_id) if order.source_id else None,
        "targetOfferId": order.target_offer_id,
        "targetSubscriptionId": str(order.target_subscription_id) if order.target_subscription_id else None,
        "quantity": order.quantity, "billingCycle": order.billing_cycle, "paymentMethod": order.payment_method,
        "currency": order.currency, "total": _money(order.subtotal), "chargeToday": _money(order.charge),
        "proratedCredit": _money(order.credit), "forfeited": _money(order.forfeited),
        "amountDue": _money(order.amount_due), "placedDateTime": order.placed_at.isoformat(),
        "completedDateTime": order.completed_at.isoformat() if order.completed_at else None,
        "notice": order.completed_notice, "attributes": _attrs("DirectOrder"),
    }
    if steps is not None:
        body["steps"] = [{"description": str(s["label"]), "dateTime": s["time"].isoformat(), "note": str(s["note"])}
                         for s in steps]
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
    userIds = serializers.ListField(child=serializers.UUIDField(), required=False, allow_empty=False,
                                    max_length=300_000)
    allUsers = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("allUsers") and not attrs.get("userIds"):
            raise serializers.ValidationError({"userIds": "give userIds or allUsers=true."})
        return attrs
