"""Microsoft Graph ``delegatedAdminRelationship`` / ``delegatedAdminAccessAssignment`` shapes."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import ResourceSerializer
from core.durations import format_iso_duration


class UnifiedRoleSerializer(serializers.Serializer):
    roleDefinitionId = serializers.CharField(required=False, allow_blank=True)
    displayName = serializers.CharField()


class AccessDetailsSerializer(serializers.Serializer):
    unifiedRoles = UnifiedRoleSerializer(many=True)


class RelationshipCustomerSerializer(serializers.Serializer):
    tenantId = serializers.UUIDField()
    displayName = serializers.CharField(required=False, allow_blank=True)


def _roles(names) -> list[dict]:
    return [{"displayName": name} for name in names]


class DelegatedAdminRelationshipSerializer(ResourceSerializer):
    object_type = "DelegatedAdminRelationship"

    id = serializers.UUIDField(read_only=True)
    displayName = serializers.CharField(source="display_name")
    customer = serializers.SerializerMethodField()
    accessDetails = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField()
    autoExtendDuration = serializers.SerializerMethodField()
    status = serializers.CharField()
    createdDateTime = serializers.DateTimeField(source="created_date_time", read_only=True)
    activatedDateTime = serializers.DateTimeField(source="activated_date_time", read_only=True)
    endDateTime = serializers.DateTimeField(source="end_date_time", read_only=True)
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_date_time", read_only=True)

    def get_customer(self, obj) -> dict:
        return {"tenantId": str(obj.customer.tenant_id), "displayName": obj.customer.company_name}

    def get_accessDetails(self, obj) -> dict:
        return {"unifiedRoles": _roles(obj.unified_roles)}

    def get_duration(self, obj) -> str:
        return format_iso_duration(obj.duration)

    def get_autoExtendDuration(self, obj) -> str:
        return format_iso_duration(obj.auto_extend_duration)


class RelationshipCreateSerializer(serializers.Serializer):
    """Input only: shape and types. The rules (lengths, role names, ranges, uniqueness) are the service's."""

    displayName = serializers.CharField(allow_blank=True, trim_whitespace=False)
    customer = RelationshipCustomerSerializer()
    accessDetails = AccessDetailsSerializer()
    duration = serializers.CharField(required=False, default="P730D")
    autoExtendDuration = serializers.CharField(required=False, default="PT0S")


class RelationshipRequestActionSerializer(serializers.Serializer):
    """``POST .../{id}/requests`` as in Graph; the partner can only ``terminate``."""

    action = serializers.ChoiceField(choices=["terminate"])


class AccessContainerSerializer(serializers.Serializer):
    accessContainerId = serializers.CharField()
    accessContainerType = serializers.ChoiceField(choices=["securityGroup"], required=False, default="securityGroup")


class AccessAssignmentSerializer(ResourceSerializer):
    object_type = "DelegatedAdminAccessAssignment"

    id = serializers.UUIDField(read_only=True)
    accessContainer = serializers.SerializerMethodField()
    accessDetails = serializers.SerializerMethodField()
    status = serializers.CharField()
    createdDateTime = serializers.DateTimeField(source="created_date_time", read_only=True)
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_date_time", read_only=True)

    def get_accessContainer(self, obj) -> dict:
        return {
            "accessContainerId": str(obj.group_id),
            "displayName": obj.group.name,
            "accessContainerType": "securityGroup",
        }

    def get_accessDetails(self, obj) -> dict:
        return {"unifiedRoles": _roles(obj.unified_roles)}


class AccessAssignmentWriteSerializer(serializers.Serializer):
    accessContainer = AccessContainerSerializer(required=False)
    accessDetails = AccessDetailsSerializer()
