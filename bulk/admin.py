"""Django admin for upgrade batches: view only; the action *Cancel* calls ``bulk.services.upgrade_batch_cancel``
(which writes the audit record); *Approve* and *Reject* (a reason asked on an intermediate page) call
``bulk.approval_services`` (four-eyes approval, domain.md §9; a refusal is reported per batch: 403, 409).

Operators see every batch, a partner global admin only their own partner's. The change page lists the first
items (``LimitedInlineFormSet``); the item list has every item, searchable by subscription id.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin_mixins import (
    ApprovalActionsMixin,
    LimitedInlineFormSet,
    PartnerScopedAdmin,
    PartnerScopedInline,
    ViewOnlyMixin,
    is_operator_request,
)
from core.history import history_html

from .approval_services import upgrade_batch_approve, upgrade_batch_reject
from .models import UpgradeBatch, UpgradeBatchItem
from .services import upgrade_batch_cancel

ITEM_FIELDS = (
    "position",
    "kind",
    "customer_tenant_id",
    "subscription_id",
    "target_offer_id",
    "quantity",
    "upgrade_type",
    "status",
    "attempts",
    "operation",
    "transition",
    "started",
    "finished",
    "request",
    "result",
)


class BatchItemFormSet(LimitedInlineFormSet):
    limit = 50


class UpgradeBatchItemInline(PartnerScopedInline, admin.TabularInline):
    model = UpgradeBatchItem
    formset = BatchItemFormSet
    partner_lookup = "batch__partner"
    extra = 0
    can_delete = False
    fields = ITEM_FIELDS
    readonly_fields = ITEM_FIELDS
    show_change_link = True
    verbose_name_plural = _("items (the first 50; see Upgrade batch items for all)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ViewOnlyMixin, PartnerScopedAdmin):
    """Batches and their items change only through the bulk services."""


@admin.register(UpgradeBatch)
class UpgradeBatchAdmin(ApprovalActionsMixin, ReadOnlyAdmin):
    approve_service = staticmethod(lambda actor, batch: upgrade_batch_approve(actor=actor, batch=batch))
    reject_service = staticmethod(
        lambda actor, batch, reason: upgrade_batch_reject(actor=actor, batch=batch, reason=reason)
    )
    approved_message = ngettext_lazy("%(count)d batch approved.", "%(count)d batches approved.", "count")
    rejected_message = ngettext_lazy("%(count)d batch rejected.", "%(count)d batches rejected.", "count")
    reject_title = _("Reject the batches")
    partner_lookup = "partner"
    list_display = (
        "id",
        "created",
        "partner",
        "created_by_user",
        "created_by_application_id",
        "dry_run",
        "status",
        "total_items",
        "finished",
    )
    list_filter = ("status", "dry_run", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("id", "correlation_id", "request_id", "created_by_user__username")
    date_hierarchy = "created"
    list_select_related = ("partner", "created_by_user")
    readonly_fields = (
        "id",
        "partner",
        "created_by_user",
        "created_by_application_id",
        "dry_run",
        "status",
        "total_items",
        "correlation_id",
        "request_id",
        "created",
        "started",
        "finished",
        "approval_required",
        "approval_size",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "status_history",
    )
    inlines = [UpgradeBatchItemInline]
    actions = ["cancel_batches", "approve_batches", "reject_batches"]

    @admin.display(description=_("status history"))
    def status_history(self, obj):
        return history_html(obj)

    def get_list_filter(self, request):
        return self.list_filter if is_operator_request(request) else ("status", "dry_run")

    def has_cancel_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Cancel the items that have not started"), permissions=["cancel"])
    def cancel_batches(self, request, queryset):
        self.run_service_action(
            request,
            queryset,
            lambda batch: upgrade_batch_cancel(actor=request.user, batch=batch),
            _("%(count)d batch(es) cancelled."),
        )

    @admin.action(description=_("Approve the batches waiting for approval"), permissions=["approve"])
    def approve_batches(self, request, queryset):
        self.approve_selected(request, queryset)

    @admin.action(description=_("Reject the batches waiting for approval (asks a reason)"), permissions=["approve"])
    def reject_batches(self, request, queryset):
        return self.reject_selected(request, queryset)


@admin.register(UpgradeBatchItem)
class UpgradeBatchItemAdmin(ReadOnlyAdmin):
    partner_lookup = "batch__partner"
    list_display = ("batch", "position", "kind", "subscription_id", "target_offer_id", "status", "attempts", "finished")
    list_filter = ("status", "kind")
    search_fields = ("=batch__id", "=subscription_id", "=customer_tenant_id", "target_offer_id")
    list_select_related = ("batch",)  # the item's kind and request are read-only like every field
    readonly_fields = ("batch", *ITEM_FIELDS, "created")
