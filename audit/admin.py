"""Audit records are written by services only: view only for everybody (domain.md §7), a partner global admin
their own partner's records."""

from django.contrib import admin

from audit.admin_mixins import PartnerScopedAdmin, is_operator_request

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(PartnerScopedAdmin):
    partner_lookup = "partner"
    list_display = (
        "operation_date",
        "operation_type",
        "operation_status",
        "resource_type",
        "customer_name",
        "user_principal_name",
        "application_id",
        "partner",
    )
    list_filter = ("operation_type", "operation_status", "resource_type", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("customer_name", "user_principal_name", "application_id", "original_correlation_id", "id")
    list_select_related = ("partner",)
    date_hierarchy = "operation_date"
    raw_id_fields = ("customer",)

    def get_list_filter(self, request):
        if is_operator_request(request):
            return self.list_filter
        return ("operation_type", "operation_status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
