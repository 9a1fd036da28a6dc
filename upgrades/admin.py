"""Django admin for upgrade operations (read-mostly: operations change only through the services)."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partners.admin_scoping import PartnerScopedAdmin

from .models import BillingEntry, UpgradeOperation, UpgradeStatusChange


class UpgradeStatusChangeInline(admin.TabularInline):
    model = UpgradeStatusChange
    extra = 0
    can_delete = False
    fields = ("changed", "from_status", "to_status", "note")
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def has_add_permission(self, request, obj=None):
        return False


class BillingEntryInline(admin.TabularInline):
    model = BillingEntry
    extra = 0
    can_delete = False
    fields = ("booked", "kind", "subscription", "amount", "currency", "period_start", "period_end", "description")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UpgradeOperation)
class UpgradeOperationAdmin(PartnerScopedAdmin):
    """Operators see every operation; a partner global admin only their own partner's (read-only)."""

    partner_lookup = "partner"
    list_display = ("id", "created", "customer", "partner", "source", "target_offer", "upgrade_type", "quantity",
                    "billing_cycle", "status", "flow", "actor_upn")
    list_filter = ("status", "flow", "upgrade_type", "billing_cycle", ("partner", admin.RelatedOnlyFieldListFilter),
                   "target_offer")
    search_fields = ("id", "customer__company_name", "customer__domain", "actor_upn", "correlation_id",
                     "source__id", "target__id")
    date_hierarchy = "created"
    list_select_related = ("customer", "partner", "source__offer", "target_offer")
    raw_id_fields = ("source", "target", "customer", "actor_user")
    readonly_fields = ("id", "flow", "source", "target", "target_offer", "customer", "partner", "actor_user",
                       "actor_upn", "actor_application_id", "upgrade_type", "quantity", "billing_cycle", "status",
                       "errors", "result", "correlation_id", "request_id", "created", "updated", "completed")
    inlines = [UpgradeStatusChangeInline, BillingEntryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BillingEntry)
class BillingEntryAdmin(PartnerScopedAdmin):
    subscription_lookup = "subscription"
    list_display = ("booked", "kind", "subscription", "amount", "currency", "period_start", "period_end", "operation")
    list_filter = ("kind", "currency", "booked")
    search_fields = ("subscription__id", "operation__id", "description")
    list_select_related = ("subscription__offer", "operation")
    raw_id_fields = ("subscription", "operation")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
