"""UpgradeBatch, UpgradeBatchItem and SubscriptionUpgradeEligibility representations (Partner Center style).

Item results and upgrade options are rendered with the API's own ``UpgradeResultSerializer`` and
``UpgradeSerializer``, so a bulk item reads exactly like the answer of the single-subscription endpoints.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.errors import fault_body
from api.pagination import collection_body
from api.serializers.common import (
    DateAsDateTimeField,
    LinkSerializer,
    ResourceSerializer,
    ServiceFaultSerializer,
    collection_of,
)
from upgrades.api.serializers import (
    ApprovalSerializer,
    UpgradeResultSerializer,
    UpgradeSerializer,
    approval_of,
)
from upgrades.results import UpgradeResult


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    running = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class BatchLinksSerializer(serializers.Serializer):
    self = LinkSerializer()
    items = LinkSerializer()


class UpgradeBatchSerializer(ResourceSerializer):
    """A batch with ``.progress`` set by ``bulk.selectors``."""

    object_type = "UpgradeBatch"
    id = serializers.CharField()
    status = serializers.CharField(
        help_text=(
            "awaiting_approval (above the partner's approval threshold: nothing runs until approved), queued, "
            "running; succeeded, partially_succeeded, failed, cancelled, rejected (ended)."
        )
    )
    dryRun = serializers.BooleanField(source="dry_run")
    createdDateTime = DateAsDateTimeField(source="created")
    startedDateTime = DateAsDateTimeField(source="started")
    finishedDateTime = DateAsDateTimeField(source="finished")
    progress = ProgressSerializer()
    approval = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(ApprovalSerializer(allow_null=True))
    def get_approval(self, batch) -> dict | None:
        return approval_of(batch)

    @extend_schema_field(BatchLinksSerializer)
    def get_links(self, batch) -> dict:
        return {
            "self": {"uri": reverse("api:upgradebatch-detail", kwargs={"batch_id": batch.pk}), "method": "GET"},
            "items": {"uri": reverse("api:upgradebatch-items", kwargs={"batch_id": batch.pk}), "method": "GET"},
        }


def _fault(data: dict | None) -> dict | None:
    if not data:
        return None
    return fault_body(
        code=data.get("code", 0),
        description=data.get("description", ""),
        error_name=data.get("errorName", "other"),
        data=data.get("data"),
    )


class UpgradeBatchItemSerializer(ResourceSerializer):
    object_type = "UpgradeBatchItem"
    position = serializers.IntegerField()
    customerId = serializers.CharField(source="customer_tenant_id")
    subscriptionId = serializers.CharField(source="subscription_id")
    targetOfferId = serializers.CharField(source="target_offer_id")
    quantity = serializers.IntegerField(allow_null=True)
    upgradeType = serializers.SerializerMethodField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    operationId = serializers.CharField(source="operation_id", allow_null=True)
    createdDateTime = DateAsDateTimeField(source="created")
    startedDateTime = DateAsDateTimeField(source="started")
    finishedDateTime = DateAsDateTimeField(source="finished")
    result = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_upgradeType(self, item) -> str | None:
        return item.upgrade_type or None

    @extend_schema_field(UpgradeResultSerializer(allow_null=True))
    def get_result(self, item) -> dict | None:
        if not item.result or "sourceSubscriptionId" not in item.result:
            return None
        data = dict(UpgradeResultSerializer(UpgradeResult.from_dict(item.result)).data)
        if "isEligible" in item.result:  # dry run
            data = {"isEligible": item.result["isEligible"], **data}
        return data

    @extend_schema_field(ServiceFaultSerializer(allow_null=True))
    def get_error(self, item) -> dict | None:
        return _fault((item.result or {}).get("fault"))


class SubscriptionEligibilitySerializer(ResourceSerializer):
    """One requested subscription: its Upgrade collection, or a ServiceFault (``error``)."""

    object_type = "SubscriptionUpgradeEligibility"
    customerId = serializers.CharField(source="customer_tenant_id")
    subscriptionId = serializers.CharField(source="subscription_id")
    upgrades = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    @extend_schema_field(collection_of(UpgradeSerializer)(allow_null=True))
    def get_upgrades(self, entry) -> dict | None:
        if entry.error is not None:
            return None
        return collection_body(list(UpgradeSerializer(entry.options, many=True, context=self.context).data))

    @extend_schema_field(ServiceFaultSerializer(allow_null=True))
    def get_error(self, entry) -> dict | None:
        exc = entry.error
        if exc is None:
            return None
        data = list(exc.data or []) or ([f"{exc.field}: {exc.message}"] if exc.field else [])
        return fault_body(
            code=exc.code or exc.http_status, description=exc.message, error_name=exc.error_name, data=data
        )


# -- request bodies, for the OpenAPI schema (the bodies are checked by ``bulk.api.parsing``) -----------------


class BatchItemRequestSerializer(serializers.Serializer):
    customerId = serializers.UUIDField()
    subscriptionId = serializers.UUIDField()
    targetOfferId = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2_147_483_647)
    upgradeType = serializers.ChoiceField(
        choices=["upgrade_only", "upgrade_with_license_transfer"], required=False, allow_null=True
    )


class UpgradeBatchRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=BatchItemRequestSerializer(), min_length=1, max_length=10_000, help_text="1 to 10,000 upgrades."
    )
    dryRun = serializers.BooleanField(
        required=False, default=False, help_text="Evaluate eligibility only; nothing is changed."
    )


class SubscriptionRefSerializer(serializers.Serializer):
    customerId = serializers.UUIDField()
    subscriptionId = serializers.UUIDField()


class UpgradeEligibilityRequestSerializer(serializers.Serializer):
    subscriptions = serializers.ListField(
        child=SubscriptionRefSerializer(), min_length=1, max_length=500, help_text="1 to 500 subscriptions."
    )
    billingCycle = serializers.ChoiceField(choices=["monthly", "annual"], required=False, allow_null=True)
