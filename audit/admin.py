from django.contrib import admin

from partners.admin_scoping import PartnerScopedAdmin, is_operator

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(PartnerScopedAdmin):
    """Audit records are written by services only: read-only here; operators may delete old ones (§7)."""

    partner_lookup = "partner"
    list_display = ("operation_date", "operation_type", "operation_status", "resource_type", "customer_name",
                    "user_principal_name", "application_id", "partner")
    list_filter = ("operation_type", "operation_status", "resource_type",
                   ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("customer_name", "user_principal_name", "application_id", "original_correlation_id", "id")
    list_select_related = ("partner",)
    date_hierarchy = "operation_date"
    raw_id_fields = ("customer",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_operator(request) and super().has_delete_permission(request, obj)
