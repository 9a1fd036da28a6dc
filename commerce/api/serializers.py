"""TransitionEligibility (Partner Center's shape) from the plain dataclasses of ``commerce.types``.

Resource shapes: https://learn.microsoft.com/en-us/partner-center/developer/transition-resources
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import ResourceSerializer


class TransitionErrorSerializer(serializers.Serializer):
    """``{code, description}`` as Partner Center prints it, plus the portal's ``errorName`` and details."""

    code = serializers.SerializerMethodField()
    errorName = serializers.SerializerMethodField()
    description = serializers.CharField()
    additionalDetails = serializers.CharField(source="additional_details")

    @extend_schema_field(serializers.IntegerField())
    def get_code(self, error) -> int:
        return int(error.code)

    @extend_schema_field(serializers.CharField())
    def get_errorName(self, error) -> str:
        return error.error_name


class TransitionEligibilityDetailSerializer(ResourceSerializer):
    object_type = "TransitionEligibilityDetail"
    transitionType = serializers.CharField(source="transition_type")
    isEligible = serializers.BooleanField(source="is_eligible")
    # A field named like Serializer.errors: DRF's metaclass moves declared fields off the class (not shadowed).
    errors = TransitionErrorSerializer(many=True)  # type: ignore[assignment]


class TargetSubscriptionEligibilitySerializer(ResourceSerializer):
    object_type = "TargetSubscriptionEligibilityDetail"
    isEligible = serializers.BooleanField(source="is_eligible")
    subscriptionId = serializers.CharField(source="subscription.id")
    subscriptionFriendlyName = serializers.CharField(source="subscription.friendly_name")
    subscriptionTermDuration = serializers.CharField(source="subscription.term_duration")
    subscriptionBillingCycle = serializers.CharField(source="subscription.billing_cycle")
    errors = TransitionErrorSerializer(many=True)  # type: ignore[assignment]


class TransitionEligibilitySerializer(ResourceSerializer):
    """One target catalog item: both transition types, and the existing subscriptions that could receive the
    seats (``immediate`` only). ``offerId`` is the portal's extension (the catalog offer behind the item)."""

    object_type = "TransitionEligibility"
    catalogItemId = serializers.CharField(source="target.catalog_item_id")
    offerId = serializers.CharField(source="target.offer_id")
    title = serializers.CharField(source="target.title")
    description = serializers.CharField(source="target.description")
    quantity = serializers.IntegerField()
    eligibilities = TransitionEligibilityDetailSerializer(many=True)
    subscriptionEligibilities = TargetSubscriptionEligibilitySerializer(source="subscription_eligibilities", many=True)
