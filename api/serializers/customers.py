from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .common import DateAsDateTimeField, ResourceSerializer


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
