"""Representations of the customers /v1/ resources."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import ResourceSerializer


class CompanyProfileSerializer(ResourceSerializer):
    object_type = "CustomerCompanyProfile"
    tenantId = serializers.UUIDField(source="tenant_id")
    domain = serializers.CharField()
    companyName = serializers.CharField(source="company_name")


class AddressSerializer(serializers.Serializer):
    country = serializers.CharField()


class BillingProfileSerializer(ResourceSerializer):
    object_type = "CustomerBillingProfile"
    companyName = serializers.CharField(source="company_name")
    defaultAddress = AddressSerializer(source="*")


class CustomerSerializer(ResourceSerializer):
    """``context["delegated"]``: customer pk → ``delegation.selectors.DelegatedAccess`` (one query per page)."""

    object_type = "Customer"
    id = serializers.UUIDField(source="tenant_id")
    companyProfile = CompanyProfileSerializer(source="*")
    billingProfile = BillingProfileSerializer(source="*")
    relationshipToPartner = serializers.CharField(source="relationship_to_partner", default="none")
    allowDelegatedAccess = serializers.SerializerMethodField()
    segment = serializers.CharField()

    @extend_schema_field(serializers.BooleanField())
    def get_allowDelegatedAccess(self, customer) -> bool:
        access = self.context.get("delegated", {}).get(customer.pk)
        return bool(access and access.has_active_relationship)


class CustomerUserSerializer(ResourceSerializer):
    object_type = "CustomerUser"
    id = serializers.UUIDField(source="object_id")
    userPrincipalName = serializers.CharField(source="user_principal_name")
    displayName = serializers.CharField(source="display_name")
    email = serializers.CharField()
    usageLocation = serializers.CharField(source="customer.country")
    state = serializers.CharField(default="active")
