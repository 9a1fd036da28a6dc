"""Representations of the subscriptions /v1/ resources (and a tenant user's licenses)."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.parsers import StrictIntegerField
from api.serializers.common import DateAsDateTimeField, ResourceSerializer
from subscriptions.models import SubscriptionStatus
from subscriptions.window import window_is_open


class RefundableQuantityDetailSerializer(serializers.Serializer):
    quantity = serializers.IntegerField()
    allowedUntilDateTime = serializers.CharField()


class RefundableQuantitySerializer(serializers.Serializer):
    totalQuantity = serializers.IntegerField()
    details = RefundableQuantityDetailSerializer(many=True)


class SubscriptionSerializer(ResourceSerializer):
    """A subscription (``select_related("offer", "partner", "offer__commerce")``)."""

    object_type = "Subscription"
    id = serializers.UUIDField()
    offerId = serializers.CharField(source="offer_id")
    offerName = serializers.CharField(source="offer.name")
    friendlyName = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()
    unitType = serializers.CharField(source="offer.unit")
    parentSubscriptionId = serializers.UUIDField(source="parent_id", allow_null=True)
    creationDate = DateAsDateTimeField(source="created")
    effectiveStartDate = DateAsDateTimeField(source="term_start_date")
    commitmentEndDate = DateAsDateTimeField(source="commitment_end_date")
    status = serializers.CharField()
    autoRenewEnabled = serializers.BooleanField(source="auto_renew")
    isTrial = serializers.BooleanField(source="is_trial")
    billingType = serializers.SerializerMethodField()
    billingCycle = serializers.CharField(source="billing_cycle")
    partnerId = serializers.SerializerMethodField()
    contractType = serializers.SerializerMethodField()
    # new commerce (§8): present on every subscription, null on a legacy one (Partner Center documents them
    # as "not applicable for legacy offers"); ``commerceType`` is the portal's own: legacy | new.
    commerceType = serializers.CharField(source="commerce")
    catalogItemId = serializers.SerializerMethodField()
    termDuration = serializers.SerializerMethodField()
    cancellationAllowedUntilDate = serializers.SerializerMethodField()
    refundableQuantity = serializers.SerializerMethodField()
    scheduledNextTermInstructions = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_friendlyName(self, subscription) -> str:
        return subscription.friendly_name or subscription.offer.name

    @extend_schema_field(serializers.CharField())
    def get_billingType(self, subscription) -> str:
        return "license"

    @extend_schema_field(serializers.CharField())
    def get_contractType(self, subscription) -> str:
        return "subscription"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_catalogItemId(self, subscription) -> str | None:
        if not subscription.is_new_commerce:
            return None
        try:
            return subscription.offer.commerce.catalog_item_id
        except ObjectDoesNotExist:
            return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_termDuration(self, subscription) -> str | None:
        return subscription.term_duration if subscription.is_new_commerce else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cancellationAllowedUntilDate(self, subscription) -> str | None:
        if not subscription.is_new_commerce:
            return None
        return DateAsDateTimeField().to_representation(subscription.cancellation_allowed_until)

    @extend_schema_field(RefundableQuantitySerializer(allow_null=True))
    def get_refundableQuantity(self, subscription) -> dict | None:
        """Partner Center's ``RefundableQuantity``: the seats that can still be removed with a refund, with the
        end of their window (none once it has closed)."""
        if not subscription.is_new_commerce:
            return None
        until = subscription.cancellation_allowed_until
        if not subscription.refundable_quantity or not window_is_open(allowed_until=until, now=timezone.now()):
            return {"totalQuantity": 0, "details": []}
        detail = {
            "quantity": subscription.refundable_quantity,
            "allowedUntilDateTime": DateAsDateTimeField().to_representation(until),
        }
        return {"totalQuantity": subscription.refundable_quantity, "details": [detail]}

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_scheduledNextTermInstructions(self, subscription) -> dict | None:
        return subscription.scheduled_next_term_instructions if subscription.is_new_commerce else None

    @extend_schema_field(serializers.CharField())
    def get_partnerId(self, subscription) -> str:
        if subscription.partner_id:
            return subscription.partner.mpn_id or subscription.partner.code
        return subscription.channel_partner_name or ""


class SubscriptionPatchSerializer(serializers.Serializer):
    """PATCH body: only these fields are read; any other field of a full Subscription is ignored
    (Partner Center clients send back the whole object). Types only: the rules live in the service."""

    quantity = StrictIntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=SubscriptionStatus.values, required=False)
    friendlyName = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=True)
    autoRenewEnabled = serializers.BooleanField(required=False)
    scheduledNextTermInstructions = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text=_(
            "New commerce: changes at renewal, Partner Center's shape {product: {productId, skuId, availabilityId, "
            "billingCycle, termDuration}, quantity, customTermEndDate}; null clears them."
        ),
    )

    FIELD_MAP = {
        "quantity": "quantity",
        "status": "status",
        "friendlyName": "friendly_name",
        "autoRenewEnabled": "auto_renew",
        "scheduledNextTermInstructions": "scheduled_next_term_instructions",
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"body": [_("Expected a JSON object (a Subscription).")]})
        return super().to_internal_value(data)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                {
                    "body": [
                        _(
                            "Give at least one of quantity, status, friendlyName, autoRenewEnabled, "
                            "scheduledNextTermInstructions."
                        )
                    ]
                }
            )
        return attrs

    def changes(self, subscription) -> dict:
        changes = {self.FIELD_MAP[name]: value for name, value in self.validated_data.items()}
        if not subscription.friendly_name and changes.get("friendly_name") == subscription.offer.name:
            del changes["friendly_name"]  # the offer name we display in place of an empty friendly name
        return changes


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()
    scheduledNextTermInstructions = serializers.JSONField(required=False)


class SubscriptionPatchResultSerializer(SubscriptionSerializer):
    """The PATCH answer: the subscription, and ``warnings`` (a list, empty when there is nothing to say)."""

    warnings = serializers.SerializerMethodField()

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, subscription) -> list[dict]:
        return self.context.get("warnings", [])


class ServicePlanLicenseSerializer(serializers.Serializer):
    displayName = serializers.CharField()
    serviceName = serializers.CharField()
    id = serializers.CharField(allow_null=True)
    capabilityStatus = serializers.CharField()
    targetType = serializers.CharField()


class ProductSkuSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    skuPartNumber = serializers.CharField()
    targetType = serializers.CharField()


class LicenseSerializer(ResourceSerializer):
    """One license assignment of a tenant user (``select_related("subscription__offer")`` + plans prefetched)."""

    object_type = "License"
    productSku = serializers.SerializerMethodField()
    servicePlans = serializers.SerializerMethodField()
    subscriptionId = serializers.UUIDField(source="subscription_id")
    assignedDate = DateAsDateTimeField(source="assigned")

    @extend_schema_field(ProductSkuSerializer)
    def get_productSku(self, assignment) -> dict:
        offer = assignment.subscription.offer
        return {
            "id": str(offer.sku_id) if offer.sku_id else None,
            "name": offer.name,
            "skuPartNumber": offer.sku_part_number,
            "targetType": "User",
        }

    @extend_schema_field(ServicePlanLicenseSerializer(many=True))
    def get_servicePlans(self, assignment) -> list[dict]:
        disabled = set(assignment.disabled_service_plans or [])
        return [
            {
                "displayName": plan.name,
                "serviceName": plan.code,
                "id": str(plan.plan_id) if plan.plan_id else None,
                "capabilityStatus": "Suspended" if plan.code in disabled else "Enabled",
                "targetType": "User",
            }
            for plan in assignment.subscription.offer.service_plans.all()
        ]
