"""Transition (Partner Center's shape) of a ``commerce.models.Transition`` row, and the POST body's schema.

Resources: https://learn.microsoft.com/en-us/partner-center/developer/transition-resources (the .NET SDK's
``Transition`` and ``TransitionEvent`` classes name the fields: events carry name, status, timestamp, errors).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import ResourceSerializer


class TransitionRequestSerializer(serializers.Serializer):
    """The POST body (documentation: the service validates it and names every bad field)."""

    fromCatalogItemId = serializers.CharField(required=False, help_text="The source's productId:skuId:availabilityId.")
    toCatalogItemId = serializers.CharField(help_text="The target's productId:skuId:availabilityId.")
    toSubscriptionId = serializers.UUIDField(
        required=False, help_text="An existing subscription of the target to receive the seats (a merge)."
    )
    quantity = serializers.IntegerField(required=False, help_text="Seats to move; default: all (a full transition).")
    termDuration = serializers.ChoiceField(
        ["P1M", "P1Y", "P3Y"], required=False, help_text="Default: the source's; a longer term starts today."
    )
    billingCycle = serializers.ChoiceField(["monthly", "annual", "triennial"], required=False)
    transitionType = serializers.ChoiceField(
        ["transition_only", "transition_with_license_transfer"], required=False, default="transition_only"
    )
    userIds = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text=(
            "Portal extension (license transfer): the users (object ids) whose licenses move, at most `quantity`; "
            "none named: as many users as seats moved, those assigned last."
        ),
    )


class TransitionEventSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Conversion or LicenseReassignment.")
    status = serializers.CharField(help_text="InProgress, Completed or Failed.")
    timestamp = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]


class TransitionSerializer(ResourceSerializer):
    object_type = "Transition"
    id = serializers.CharField()
    fromCatalogItemId = serializers.CharField(source="from_catalog_item_id")
    toCatalogItemId = serializers.CharField(source="to_catalog_item_id")
    fromSubscriptionId = serializers.CharField(source="source_id")
    toSubscriptionId = serializers.CharField(source="target_id")
    quantity = serializers.IntegerField()
    termDuration = serializers.CharField(source="term_duration")
    billingCycle = serializers.CharField(source="billing_cycle")
    transitionType = serializers.CharField(source="transition_type")
    status = serializers.CharField()
    creationDate = serializers.DateTimeField(source="created")
    completedDate = serializers.DateTimeField(source="completed")
    events = TransitionEventSerializer(many=True)
    # portal extensions
    existingTarget = serializers.BooleanField(source="merged")
    licensesMoved = serializers.IntegerField(source="licenses_moved")
    billing = serializers.DictField()
    scheduledNextTermInstructionsRemoved = serializers.SerializerMethodField()
    removedScheduledNextTermInstructions = serializers.JSONField(source="removed_scheduled_changes")

    @extend_schema_field(serializers.BooleanField())
    def get_scheduledNextTermInstructionsRemoved(self, row) -> bool:
        """A mid-term change deletes the source's scheduled changes at renewal (domain.md §8)."""
        return row.removed_scheduled_changes is not None
