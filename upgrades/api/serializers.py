"""Upgrade, UpgradeError, UpgradeResult (reading the upgrades engine's plain dataclasses) and the POST body."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.parsers import StrictIntegerField, parse_ascii_int
from api.serializers.common import LinkSerializer, ResourceSerializer
from catalog.api.serializers import OfferSerializer

# Partner Center's UpgradeType enum: the integer form is accepted on POST.
UPGRADE_TYPES = ("none", "upgrade_only", "upgrade_with_license_transfer")
MAX_QUANTITY = 2_147_483_647


class UpgradeErrorSerializer(ResourceSerializer):
    object_type = "UpgradeError"
    code = serializers.SerializerMethodField()
    errorName = serializers.SerializerMethodField()
    description = serializers.CharField()
    additionalDetails = serializers.CharField(source="additional_details")

    @extend_schema_field(serializers.IntegerField())
    def get_code(self, error) -> int:
        return int(error.code)

    @extend_schema_field(serializers.CharField())
    def get_errorName(self, error) -> str:
        return getattr(error.code, "error_name", "") or ""


OFFER_RENDERS = "upgrade_offer_renders"  # the context key of the offers rendered so far (per response)


class UpgradeSerializer(ResourceSerializer):
    """One ``UpgradeOption``; ``context["offers"]`` holds the prefetched target offers by id.

    Each distinct target offer is rendered once per response (its rendering depends on the offer and the
    context's ``country`` only): the many options of a bulk answer share a few offers. The renders are kept in
    ``context[OFFER_RENDERS]``; every option gets its own (shallow) copy.
    """

    object_type = "Upgrade"
    targetOffer = serializers.SerializerMethodField()
    upgradeType = serializers.CharField(source="upgrade_type")
    isEligible = serializers.BooleanField(source="is_eligible")
    quantity = serializers.IntegerField()
    upgradeErrors = UpgradeErrorSerializer(source="errors", many=True)

    @extend_schema_field(OfferSerializer)
    def get_targetOffer(self, option) -> dict | None:
        if option.target_offer is None:
            return None
        renders = self.context.setdefault(OFFER_RENDERS, {}) if isinstance(self.context, dict) else {}
        key = (option.target_offer.pk, self.context.get("country"))
        rendered = renders.get(key)
        if rendered is None:
            offer = self.context.get("offers", {}).get(option.target_offer.pk, option.target_offer)
            rendered = renders[key] = dict(OfferSerializer(offer, context=self.context).data)
        return dict(rendered)


class ServiceFaultLineSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    description = serializers.CharField()


class LicenseErrorSerializer(ResourceSerializer):
    """A user whose license could not be moved (the engine gives dicts, camelCase or snake_case keys)."""

    object_type = "UserLicenseError"
    userObjectId = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    # A field named like Serializer.errors: DRF's metaclass moves declared fields off the class (not shadowed).
    errors = ServiceFaultLineSerializer(many=True)  # type: ignore[assignment]

    def to_representation(self, instance):
        def pick(*names, default=""):
            for name in names:
                value = instance.get(name) if isinstance(instance, dict) else getattr(instance, name, None)
                if value is not None:
                    return value
            return default

        return super().to_representation(
            {
                "userObjectId": str(pick("userObjectId", "user_object_id")),
                "name": pick("name", "displayName"),
                "email": pick("email"),
                "errors": pick("errors", default=[]),
            }
        )


class UpgradeResultSerializer(ResourceSerializer):
    object_type = "UpgradeResult"
    sourceSubscriptionId = serializers.CharField(source="source_subscription_id")
    targetSubscriptionId = serializers.CharField(source="target_subscription_id", allow_null=True)
    upgradeType = serializers.CharField(source="upgrade_type", allow_null=True)
    upgradeErrors = UpgradeErrorSerializer(source="upgrade_errors", many=True)
    licenseErrors = LicenseErrorSerializer(source="license_errors", many=True)
    affectedAccounts = serializers.JSONField(source="affected_accounts", required=False)
    operationId = serializers.CharField(source="operation_id", allow_null=True, required=False)
    billing = serializers.JSONField(required=False)
    status = serializers.CharField(required=False)


@extend_schema_field(
    {"oneOf": [{"type": "string", "enum": list(UPGRADE_TYPES)}, {"type": "integer", "enum": [0, 1, 2]}]}
)
class UpgradeTypeField(serializers.Field):
    """``"upgrade_only"`` or its Partner Center integer (0 none, 1 upgrade_only, 2 upgrade_with_license_transfer)."""

    default_error_messages = {
        # DRF fills ``self.fail`` messages with str.format: ``{name}`` placeholders.
        "invalid": _("Must be one of {choices} or the integers 0, 1, 2; got {value}."),
    }

    def to_internal_value(self, data):
        number = parse_ascii_int(data, max_digits=1)
        if number is not None and 0 <= number < len(UPGRADE_TYPES):
            return UPGRADE_TYPES[number]
        if isinstance(data, str) and len(data) <= 64:
            compact = {name.replace("_", ""): name for name in UPGRADE_TYPES}
            key = data.strip().lower().replace("_", "").replace("-", "")  # also .NET style "UpgradeOnly"
            if key in compact:
                return compact[key]
        shown = repr(data) if len(repr(data)) <= 40 else repr(data)[:37] + "..."
        self.fail("invalid", choices=", ".join(UPGRADE_TYPES), value=shown)

    def to_representation(self, value):
        return value


class TargetOfferRefSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64)


class UpgradeRequestSerializer(serializers.Serializer):
    """POST body: one Upgrade as returned by the GET (extra fields such as ``isEligible`` are ignored)."""

    targetOffer = TargetOfferRefSerializer()
    upgradeType = UpgradeTypeField(required=False, allow_null=True)
    quantity = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_QUANTITY)
    billingCycle = serializers.ChoiceField(choices=("monthly", "annual"), required=False, allow_null=True)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"body": [_("Expected a JSON object (an Upgrade).")]})
        return super().to_internal_value(data)


class UpgradeOperationLinksSerializer(serializers.Serializer):
    self = LinkSerializer()


class ApprovalSizeSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    seats = serializers.IntegerField()
    monthlyValue = serializers.CharField(help_text="Seats × the target offer's monthly price per seat.")


class ApprovalSerializer(serializers.Serializer):
    """Four-eyes approval of a job above its partner's threshold (null when it needed none)."""

    thresholdsExceeded = serializers.ListField(
        child=serializers.ChoiceField(choices=["items", "seats", "monthlyValue"]),
        source="approval_required",
        help_text="The thresholds the job exceeded.",
    )
    size = serializers.SerializerMethodField()
    decidedBy = serializers.SerializerMethodField()
    decidedDateTime = serializers.DateTimeField(source="decided_at", allow_null=True)
    rejectionReason = serializers.CharField(source="rejection_reason", allow_blank=True)

    @extend_schema_field(ApprovalSizeSerializer(allow_null=True))
    def get_size(self, job) -> dict | None:
        size = job.approval_size or {}
        if not {"items", "seats", "monthlyValue"} <= set(size):
            return None  # not measured (a job recorded without its size)
        return dict(ApprovalSizeSerializer(size).data)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decidedBy(self, job) -> str | None:
        return job.decided_by.get_username() if job.decided_by_id is not None else None


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why the job is rejected (required; told to its creator)."
    )


def approval_of(job) -> dict | None:
    """The ``approval`` object of a batch or an operation (None when it needed no approval)."""
    if not job.approval_required:
        return None
    return dict(ApprovalSerializer(job).data)


class UpgradeOperationSerializer(ResourceSerializer):
    """An upgrade operation (the 202 answer to ``Prefer: respond-async`` and the body of its GET).

    ``result`` is the ``UpgradeResult`` once the operation ended (succeeded or failed), null while it runs.
    The view passes ``self_uri`` (the operation's URL) in the context.
    """

    object_type = "UpgradeOperation"
    id = serializers.CharField()
    status = serializers.CharField(
        help_text=(
            "awaiting_approval (above the partner's approval threshold), pending, awaiting_credit_check, "
            "in_progress (still open); succeeded, failed, declined, rejected (ended)."
        )
    )
    sourceSubscriptionId = serializers.CharField(source="source_id")
    targetOfferId = serializers.CharField(source="target_offer_id")
    targetSubscriptionId = serializers.CharField(source="target_id", allow_null=True)
    upgradeType = serializers.CharField(source="upgrade_type")
    quantity = serializers.IntegerField()
    billingCycle = serializers.CharField(source="billing_cycle")
    createdDateTime = serializers.DateTimeField(source="created")
    lastModifiedDateTime = serializers.DateTimeField(source="updated")
    completedDateTime = serializers.DateTimeField(source="completed", allow_null=True)
    result = serializers.SerializerMethodField()
    approval = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(ApprovalSerializer(allow_null=True))
    def get_approval(self, operation) -> dict | None:
        return approval_of(operation)

    @extend_schema_field(UpgradeResultSerializer(allow_null=True))
    def get_result(self, operation) -> dict | None:
        from upgrades.results import UpgradeResult  # the engine, imported when a request arrives (as the views do)

        if operation.is_open or not operation.result:
            return None
        return UpgradeResultSerializer(UpgradeResult.from_dict(operation.result)).data

    @extend_schema_field(UpgradeOperationLinksSerializer)
    def get_links(self, operation) -> dict:
        return {"self": {"uri": self.context["self_uri"], "method": "GET"}}
