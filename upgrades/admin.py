"""Django admin for upgrade operations and billing entries: view only for everybody (they change only through
the upgrade services). Operators see every partner's, a partner global admin only their own partner's. An
operation waiting for approval (domain.md §9) is approved or rejected (a reason asked on an intermediate page)
with the actions, through ``upgrades.approval_services``; a refusal is reported per operation (403, 409)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin_mixins import (
    ApprovalActionsMixin,
    PartnerScopedAdmin,
    PartnerScopedInline,
    ViewOnlyMixin,
    is_operator_request,
)
from core.history import history_html

from .approval_services import upgrade_operation_approve, upgrade_operation_reject
from .models import BillingEntry, UpgradeOperation


class BillingEntryInline(ViewOnlyMixin, PartnerScopedInline, admin.TabularInline):
    model = BillingEntry
    subscription_lookup = "subscription"
    extra = 0
    fields = ("booked", "kind", "subscription", "amount", "currency", "period_start", "period_end", "description")
    readonly_fields = fields


@admin.register(UpgradeOperation)
class UpgradeOperationAdmin(ApprovalActionsMixin, ViewOnlyMixin, PartnerScopedAdmin):
    approve_service = staticmethod(lambda actor, operation: upgrade_operation_approve(actor=actor, operation=operation))
    reject_service = staticmethod(
        lambda actor, operation, reason: upgrade_operation_reject(actor=actor, operation=operation, reason=reason)
    )
    approved_message = ngettext_lazy("%(count)d upgrade approved.", "%(count)d upgrades approved.", "count")
    rejected_message = ngettext_lazy("%(count)d upgrade rejected.", "%(count)d upgrades rejected.", "count")
    reject_title = _("Reject the upgrades")
    partner_lookup = "partner"
    list_display = (
        "id",
        "created",
        "customer",
        "partner",
        "source",
        "target_offer",
        "upgrade_type",
        "quantity",
        "billing_cycle",
        "status",
        "flow",
        "actor_upn",
    )
    list_filter = (
        "status",
        "flow",
        "upgrade_type",
        "billing_cycle",
        ("partner", admin.RelatedOnlyFieldListFilter),
        "target_offer",
    )
    search_fields = (
        "id",
        "customer__company_name",
        "customer__domain",
        "actor_upn",
        "correlation_id",
        "source__id",
        "target__id",
    )
    date_hierarchy = "created"
    list_select_related = ("customer", "partner", "source__offer", "target_offer")
    raw_id_fields = ("source", "target", "customer", "actor_user")
    readonly_fields = (
        "id",
        "flow",
        "source",
        "target",
        "target_offer",
        "customer",
        "partner",
        "actor_user",
        "actor_upn",
        "actor_application_id",
        "upgrade_type",
        "quantity",
        "billing_cycle",
        "status",
        "errors",
        "result",
        "correlation_id",
        "request_id",
        "created",
        "updated",
        "completed",
        "approval_required",
        "approval_size",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "status_history",
    )
    inlines = [BillingEntryInline]
    actions = ["approve_operations", "reject_operations"]

    @admin.action(description=_("Approve the upgrades waiting for approval"), permissions=["approve"])
    def approve_operations(self, request, queryset):
        self.approve_selected(request, queryset)

    @admin.action(description=_("Reject the upgrades waiting for approval (asks a reason)"), permissions=["approve"])
    def reject_operations(self, request, queryset):
        return self.reject_selected(request, queryset)

    @admin.display(description=_("status history"))
    def status_history(self, obj):
        return history_html(obj)

    def get_list_filter(self, request):
        if is_operator_request(request):
            return self.list_filter
        return ("status", "flow", "upgrade_type", "billing_cycle")


@admin.register(BillingEntry)
class BillingEntryAdmin(ViewOnlyMixin, PartnerScopedAdmin):
    subscription_lookup = "subscription"
    list_display = ("booked", "kind", "subscription", "amount", "currency", "period_start", "period_end", "operation")
    list_filter = ("kind", "currency", "booked")
    search_fields = ("subscription__id", "operation__id", "description")
    list_select_related = ("subscription__offer", "operation")
    raw_id_fields = ("subscription", "operation")
