"""UpgradeBatch, UpgradeBatchItem and SubscriptionUpgradeEligibility representations (Partner Center style).

Item results and upgrade options are rendered with the API's own ``UpgradeResultSerializer`` and
``UpgradeSerializer``, so a bulk item reads exactly like the answer of the single-subscription endpoints.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
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
from commerce.api.transition_serializers import TransitionSerializer
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


class ProductSerializer(serializers.Serializer):
    productId = serializers.CharField()
    skuId = serializers.CharField()
    availabilityId = serializers.CharField()
    billingCycle = serializers.ChoiceField(["monthly", "annual", "triennial"])
    termDuration = serializers.ChoiceField(["P1M", "P1Y", "P3Y"])


class InstructionsSerializer(serializers.Serializer):
    """Partner Center's ``scheduledNextTermInstructions``."""

    product = ProductSerializer()
    quantity = serializers.IntegerField()
    customTermEndDate = serializers.DateField(required=False, allow_null=True)


class ScheduledChangeResultSerializer(serializers.Serializer):
    """A scheduled change's outcome: the subscription's instructions as stored (dry run: ``isEligible``)."""

    subscriptionId = serializers.CharField()
    scheduledNextTermInstructions = InstructionsSerializer(allow_null=True)
    isEligible = serializers.BooleanField(required=False)


class TransitionCheckSerializer(serializers.Serializer):
    """A transition dry run's outcome: the eligibility of the requested target and type, every error."""

    subscriptionId = serializers.CharField()
    toCatalogItemId = serializers.CharField()
    transitionType = serializers.CharField()
    isEligible = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]


ITEM_RESULT = PolymorphicProxySerializer(
    component_name="UpgradeBatchItemResult",
    serializers=[
        UpgradeResultSerializer,
        TransitionSerializer,
        TransitionCheckSerializer,
        ScheduledChangeResultSerializer,
    ],
    resource_type_field_name=None,
    allow_null=True,
)


class UpgradeBatchItemSerializer(ResourceSerializer):
    object_type = "UpgradeBatchItem"
    position = serializers.IntegerField()
    kind = serializers.CharField(help_text="upgrade (legacy, §5), transition or scheduledChange (new commerce, §8).")
    customerId = serializers.CharField(source="customer_tenant_id")
    subscriptionId = serializers.CharField(source="subscription_id")
    targetOfferId = serializers.CharField(
        source="target_offer_id", help_text="New commerce items: the offer of the target catalog item (empty: unknown)."
    )
    quantity = serializers.IntegerField(allow_null=True)
    upgradeType = serializers.SerializerMethodField()
    toCatalogItemId = serializers.SerializerMethodField()
    toSubscriptionId = serializers.SerializerMethodField()
    termDuration = serializers.SerializerMethodField()
    billingCycle = serializers.SerializerMethodField()
    transitionType = serializers.SerializerMethodField()
    scheduledNextTermInstructions = serializers.SerializerMethodField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    operationId = serializers.CharField(source="operation_id", allow_null=True)
    transitionId = serializers.CharField(source="transition_id", allow_null=True)
    createdDateTime = DateAsDateTimeField(source="created")
    startedDateTime = DateAsDateTimeField(source="started")
    finishedDateTime = DateAsDateTimeField(source="finished")
    result = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_upgradeType(self, item) -> str | None:
        return item.upgrade_type or None

    def _transition_field(self, item, name: str):
        return (item.request or {}).get(name) if item.kind == "transition" else None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Transition items."))
    def get_toCatalogItemId(self, item) -> str | None:
        return self._transition_field(item, "toCatalogItemId")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Transition items (a merge)."))
    def get_toSubscriptionId(self, item) -> str | None:
        return self._transition_field(item, "toSubscriptionId")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Transition items."))
    def get_termDuration(self, item) -> str | None:
        return self._transition_field(item, "termDuration")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Transition items."))
    def get_billingCycle(self, item) -> str | None:
        return self._transition_field(item, "billingCycle")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Transition items."))
    def get_transitionType(self, item) -> str | None:
        return self._transition_field(item, "transitionType")

    @extend_schema_field(InstructionsSerializer(allow_null=True, help_text="Scheduled change items."))
    def get_scheduledNextTermInstructions(self, item) -> dict | None:
        return (item.request or {}).get("scheduledNextTermInstructions") if item.kind == "scheduledChange" else None

    @extend_schema_field(ITEM_RESULT)
    def get_result(self, item) -> dict | None:
        """Upgrade: its UpgradeResult; transition: the Transition (dry run: its eligibility); scheduled change:
        the instructions stored. None before it ran and when it failed outside the rules (see ``error``)."""
        result = item.result or {}
        if item.kind != "upgrade":
            return result if result and "fault" not in result else None
        if "sourceSubscriptionId" not in result:
            return None
        data = dict(UpgradeResultSerializer(UpgradeResult.from_dict(result)).data)
        if "isEligible" in result:  # dry run
            data = {"isEligible": result["isEligible"], **data}
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
    """One item; ``kind`` (default ``upgrade``) says which other fields it takes: an upgrade ``targetOfferId``,
    ``quantity``, ``upgradeType``; a transition the transitions API's fields; a scheduled change
    ``scheduledNextTermInstructions`` (Partner Center's shape)."""

    kind = serializers.ChoiceField(
        choices=["upgrade", "transition", "scheduledChange"], required=False, default="upgrade"
    )
    customerId = serializers.UUIDField()
    subscriptionId = serializers.UUIDField()
    targetOfferId = serializers.CharField(max_length=64, required=False, help_text="Upgrade items (required there).")
    quantity = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2_147_483_647,
        help_text="Upgrade and transition items (default: every seat).",
    )
    upgradeType = serializers.ChoiceField(
        choices=["upgrade_only", "upgrade_with_license_transfer"], required=False, allow_null=True
    )
    toCatalogItemId = serializers.CharField(
        required=False, help_text="Transition items (required there): the target's productId:skuId:availabilityId."
    )
    toSubscriptionId = serializers.UUIDField(
        required=False, allow_null=True, help_text="Transition items: an existing subscription of the target (a merge)."
    )
    termDuration = serializers.ChoiceField(["P1M", "P1Y", "P3Y"], required=False, help_text="Transition items.")
    billingCycle = serializers.ChoiceField(
        ["monthly", "annual", "triennial"], required=False, help_text="Transition items."
    )
    transitionType = serializers.ChoiceField(
        ["transition_only", "transition_with_license_transfer"], required=False, help_text="Transition items."
    )
    scheduledNextTermInstructions = InstructionsSerializer(
        required=False, help_text="Scheduled change items (required there)."
    )


class UpgradeBatchRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=BatchItemRequestSerializer(),
        min_length=1,
        max_length=10_000,
        help_text="1 to 10,000 items (upgrades, transitions, scheduled changes).",
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
