from rest_framework import serializers

from .common import DateAsDateTimeField, ResourceSerializer


class AuditRecordSerializer(ResourceSerializer):
    """An audit record (``select_related("partner", "customer")``), field names of Partner Center's."""

    object_type = "AuditRecord"
    id = serializers.UUIDField()
    partnerId = serializers.SerializerMethodField()
    customerId = serializers.SerializerMethodField()
    customerName = serializers.CharField(source="customer_name")
    userPrincipalName = serializers.CharField(source="user_principal_name")
    applicationId = serializers.CharField(source="application_id")
    resourceType = serializers.CharField(source="resource_type")
    resourceOldValue = serializers.JSONField(source="resource_old_value")
    resourceNewValue = serializers.JSONField(source="resource_new_value")
    operationType = serializers.CharField(source="operation_type")
    operationStatus = serializers.CharField(source="operation_status")
    operationDate = DateAsDateTimeField(source="operation_date")
    originalCorrelationId = serializers.CharField(source="original_correlation_id")

    def get_partnerId(self, record) -> str | None:
        if record.partner_id is None:
            return None
        return str(record.partner.tenant_id) if record.partner.tenant_id else record.partner.code

    def get_customerId(self, record) -> str | None:
        return str(record.customer.tenant_id) if record.customer_id else None
