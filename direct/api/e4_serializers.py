"""Shapes of ``/v1/customers/{id}/subscriptions/{id}/e4Replacement`` (camelCase, ``attributes.objectType``).

The body is only shaped and type-checked here; the rules (which offers replace the E4, the minimum seats) are
``direct.partner_e4``'s.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.parsers import INT32_MAX, StrictIntegerField
from api.serializers.common import ResourceSerializer
from upgrades.api.serializers import LicenseErrorSerializer, TargetOfferRefSerializer


class ReplacementRefusalSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The input the refusal is about (camelCase).")
    description = serializers.CharField()


class ReplacementTargetSerializer(ResourceSerializer):
    object_type = "E4ReplacementTarget"
    offerId = serializers.CharField(source="offer.pk")
    offerName = serializers.CharField(source="offer.name")
    kind = serializers.ChoiceField(
        choices=["upgrade", "change"],
        help_text="`upgrade`: keeps every service of the E4; `change`: a plan change to fewer services.",
    )
    unitPrice = serializers.DecimalField(
        source="unit_price", max_digits=12, decimal_places=2, allow_null=True, help_text="Per license, E4's cycle."
    )


class E4ReplacementOptionsSerializer(ResourceSerializer):
    object_type = "E4ReplacementOptions"
    subscriptionId = serializers.CharField(source="source.pk")
    offerId = serializers.CharField(source="source.offer_id")
    isEligible = serializers.BooleanField(source="is_eligible")
    refusals = serializers.SerializerMethodField()
    minimumQuantity = serializers.IntegerField(source="minimum_quantity")
    assignedLicenses = serializers.IntegerField(source="assigned")
    billingCycle = serializers.CharField(source="source.billing_cycle")
    deprovisionDate = serializers.DateField(
        source="deprovision_on", help_text="The day the suspended E4 is deprovisioned if it is replaced today."
    )
    targets = ReplacementTargetSerializer(many=True)

    @staticmethod
    def camel(field: str) -> str:
        head, *rest = field.split("_")
        return head + "".join(part.title() for part in rest)

    @extend_schema_field(ReplacementRefusalSerializer(many=True))
    def get_refusals(self, options) -> list[dict]:
        refusals = [{"field": self.camel(r.field), "description": str(r.message)} for r in options.refusals]
        return list(ReplacementRefusalSerializer(refusals, many=True).data)


class E4ReplacementRequestSerializer(serializers.Serializer):
    """POST body: the replacement offer and, optionally, the seats (default and minimum: the E4's)."""

    targetOffer = TargetOfferRefSerializer()
    quantity = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=INT32_MAX)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"body": ["Expected a JSON object."]})
        return super().to_internal_value(data)


class SubscriptionRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    offerId = serializers.CharField(source="offer_id")
    quantity = serializers.IntegerField()
    status = serializers.CharField()


class E4ReplacementResultSerializer(ResourceSerializer):
    object_type = "E4Replacement"
    sourceSubscription = SubscriptionRefSerializer(source="source")
    targetSubscription = SubscriptionRefSerializer(source="target")
    licensesMoved = serializers.IntegerField(source="licenses_moved")
    licenseErrors = serializers.SerializerMethodField()
    suspendedAt = serializers.DateTimeField(source="source.suspended_at")
    deprovisionDate = serializers.SerializerMethodField()

    @extend_schema_field(LicenseErrorSerializer(many=True))
    def get_licenseErrors(self, result) -> list[dict]:
        return list(LicenseErrorSerializer(result.license_errors, many=True).data)

    @extend_schema_field(serializers.DateField())
    def get_deprovisionDate(self, result) -> str:
        return self.context["deprovision_on"].isoformat()
