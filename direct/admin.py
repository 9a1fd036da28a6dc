"""Direct orders and the high-volume switch: platform operators only (partner global admins have no access).

Operators view direct orders and decide credit checks through the admin actions (``direct.services``, which
write the audit records); they switch the high-volume condition on and off (a plain, audited edit of the single
row a data migration creates).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin_mixins import AuditedAdminMixin, ServiceErrorsMixin, is_operator_request
from core.history import history_html

from . import services
from .models import DirectOrder, DirectOrderAddon, HighVolumeCondition, OrderStatus, Payment


class OperatorOnlyMixin:
    """Nobody but a platform operator, whatever their model permissions."""

    def has_module_permission(self, request):
        return is_operator_request(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class DirectOrderAddonInline(admin.TabularInline):
    model = DirectOrderAddon
    extra = 0
    can_delete = False
    readonly_fields = ("subscription", "action", "credit")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DirectOrder)
class DirectOrderAdmin(ServiceErrorsMixin, OperatorOnlyMixin, admin.ModelAdmin):
    """View only; the credit-check decision is an action (the order's status is never a form field)."""

    list_display = (
        "id",
        "customer",
        "kind",
        "target_offer",
        "quantity",
        "payment_method",
        "subtotal",
        "status",
        "credit_check",
        "credit_check_deadline",
        "placed_at",
    )
    list_filter = ("status", "credit_check", "kind", "payment_method")
    search_fields = ("customer__company_name", "customer__domain", "=id")
    list_select_related = ("customer", "target_offer")
    inlines = [DirectOrderAddonInline]
    actions = ["approve_credit_check", "decline_credit_check"]
    readonly_fields = [*(f.name for f in DirectOrder._meta.fields), "status_history", "credit_check_history"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status history"))
    def status_history(self, obj):
        return history_html(obj)

    @admin.display(description=_("credit check history"))
    def credit_check_history(self, obj):
        return history_html(obj, "credit_check")

    def has_decide_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Approve the credit check"), permissions=["decide"])
    def approve_credit_check(self, request, queryset):
        self.run_service_action(
            request,
            queryset.filter(status=OrderStatus.AWAITING_CREDIT_CHECK),
            lambda order: services.credit_check_approve(actor=request.user, order_id=order.pk),
            ngettext_lazy("%(count)d order approved.", "%(count)d orders approved.", "count"),
        )

    @admin.action(description=_("Decline the credit check"), permissions=["decide"])
    def decline_credit_check(self, request, queryset):
        self.run_service_action(
            request,
            queryset.filter(status=OrderStatus.AWAITING_CREDIT_CHECK),
            lambda order: services.credit_check_decline(actor=request.user, order_id=order.pk),
            ngettext_lazy("%(count)d order declined.", "%(count)d orders declined.", "count"),
        )


@admin.register(HighVolumeCondition)
class HighVolumeConditionAdmin(ServiceErrorsMixin, AuditedAdminMixin, OperatorOnlyMixin, admin.ModelAdmin):
    """The switch: operators change it (audited as a platform setting); it is never added or deleted here."""

    list_display = ("__str__", "active", "until", "changed")
    list_editable = ("active", "until")
    fields = ("active", "until", "note", "changed")
    readonly_fields = ("changed",)


@admin.register(Payment)
class PaymentAdmin(OperatorOnlyMixin, admin.ModelAdmin):
    """Payments of unpaid balances (``direct.payments.balance_pay``): view only, never changed here."""

    list_display = ("paid_at", "customer", "subscription", "amount", "currency", "payment_method", "reference")
    list_filter = ("payment_method", "currency")
    search_fields = ("customer__company_name", "customer__domain", "=reference")
    list_select_related = ("customer", "subscription__offer")
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False


from . import e4_admin  # noqa: E402,F401 - retired CSP plans (Office 365 E4): the replacement action
