"""Audit records shaped like Partner Center's (domain.md §7). Kept until an operator deletes them."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OperationType(models.TextChoices):
    CREATE_ORDER = "create_order", _("Create order")
    UPDATE_SUBSCRIPTION = "update_subscription", _("Update subscription")
    UPGRADE_SUBSCRIPTION = "upgrade_subscription", _("Upgrade subscription")
    UPDATE_CUSTOMER_USER_LICENSES = "update_customer_user_licenses", _("Update customer user licenses")
    CREATE_CUSTOMER = "create_customer", _("Create customer")
    UPDATE_CUSTOMER = "update_customer", _("Update customer")
    CREATE_DELEGATED_ADMIN_RELATIONSHIP = (
        "create_delegated_admin_relationship",
        _("Create delegated admin relationship"),
    )
    UPDATE_DELEGATED_ADMIN_RELATIONSHIP = (
        "update_delegated_admin_relationship",
        _("Update delegated admin relationship"),
    )
    UPDATE_PARTNER_USER = "update_partner_user", _("Update partner user")
    IMPORT_TENANTS = "import_tenants", _("Import tenants")
    DELETE_CUSTOMER = "delete_customer", _("Delete customer")
    CREATE_CUSTOMER_USER = "create_customer_user", _("Create customer user")
    UPDATE_CUSTOMER_USER = "update_customer_user", _("Update customer user")
    DELETE_CUSTOMER_USER = "delete_customer_user", _("Delete customer user")
    UPDATE_CUSTOMER_ADMIN_ROLES = "update_customer_admin_roles", _("Update customer admin roles")
    UPDATE_RESELLER_RELATIONSHIP = "update_reseller_relationship", _("Update reseller relationship")
    UPDATE_PARTNER = "update_partner", _("Update partner")
    UPDATE_SECURITY_GROUP = "update_security_group", _("Update security group")
    UPDATE_API_TOKEN = "update_api_token", _("Update API token")
    UPDATE_CATALOG = "update_catalog", _("Update catalog")
    UPDATE_PLATFORM_SETTING = "update_platform_setting", _("Update platform setting")
    DELETE_RECORD = "delete_record", _("Delete record")


class OperationStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    PROGRESSING = "progressing", _("Progressing")
    DECLINED = "declined", _("Declined")


class AuditRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_records"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_records"
    )
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    user_principal_name = models.CharField(_("user principal name"), max_length=320, blank=True)
    application_id = models.CharField(_("application id"), max_length=64, blank=True)
    resource_type = models.CharField(_("resource type"), max_length=64)
    resource_old_value = models.JSONField(_("old value"), null=True, blank=True)
    resource_new_value = models.JSONField(_("new value"), null=True, blank=True)
    operation_type = models.CharField(_("operation type"), max_length=64, choices=OperationType.choices)
    operation_status = models.CharField(
        _("operation status"), max_length=16, choices=OperationStatus.choices, default=OperationStatus.SUCCEEDED
    )
    operation_date = models.DateTimeField(_("operation date"), default=timezone.now, db_index=True)
    original_correlation_id = models.CharField(_("correlation id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-operation_date"]
        indexes = [
            models.Index(fields=["partner", "operation_date"]),
            models.Index(fields=["customer", "operation_date"]),
        ]

    def __str__(self):
        return f"{self.operation_type} {self.resource_type} {self.operation_date:%Y-%m-%d %H:%M}"
