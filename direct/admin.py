"""Operators decide credit checks (admin actions) and switch the high-volume condition on and off."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _, ngettext

from partnercenter.errors import DomainError

from . import services
from .models import DirectOrder, DirectOrderAddon, HighVolumeCondition


class DirectOrderAddonInline(admin.TabularInline):
    model = DirectOrderAddon
    extra = 0
    can_delete = False
    readonly_fields = ("subscription", "action", "credit")


@admin.register(DirectOrder)
class DirectOrderAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "kind", "target_offer", "quantity", "payment_method", "subtotal", "status",
                    "credit_check", "credit_check_deadline", "placed_at")
    list_filter = ("status", "credit_check", "kind", "payment_method")
    search_fields = ("customer__company_name", "customer__domain", "=id")
    list_select_related = ("customer", "target_offer")
    inlines = [DirectOrderAddonInline]
    actions = ["approve_credit_check", "decline_credit_check"]
    readonly_fields = [f.name for f in DirectOrder._meta.fields]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for order in queryset.filter(status="awaiting_credit_check"):
            try:
                decide(actor=request.user, order_id=order.pk)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{order.pk}: {exc.message}", messages.ERROR)
        self.message_user(request, ngettext(done_message[0], done_message[1], done) % {"count": done},
                          messages.SUCCESS)

    @admin.action(description=_("Approve the credit check"))
    def approve_credit_check(self, request, queryset):
        self._decide(request, queryset, services.credit_check_approve,
                     ("%(count)d order approved.", "%(count)d orders approved."))

    @admin.action(description=_("Decline the credit check"))
    def decline_credit_check(self, request, queryset):
        self._decide(request, queryset, services.credit_check_decline,
                     ("%(count)d order declined.", "%(count)d orders declined."))


@admin.register(HighVolumeCondition)
class HighVolumeConditionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "active", "until", "changed")
    list_editable = ("active", "until")
