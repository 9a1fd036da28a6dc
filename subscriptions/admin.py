from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partners.admin_scoping import LimitedInlineFormSet, PartnerScopedAdmin, PartnerScopedInline

from .models import LicenseAssignment, Subscription


class LicenseAssignmentInline(PartnerScopedInline, admin.TabularInline):
    """The first ``LimitedInlineFormSet.limit`` assignments; the full list is linked from the subscription."""

    model = LicenseAssignment
    subscription_lookup = "subscription"
    formset = LimitedInlineFormSet
    fields = ("user", "disabled_service_plans", "assigned")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Subscription)
class SubscriptionAdmin(PartnerScopedAdmin):
    subscription_lookup = "pk"
    list_display = ("id", "offer", "customer", "quantity", "assigned", "status", "channel", "partner",
                    "billing_cycle", "commitment_end_date")
    list_filter = ("status", "channel", "billing_cycle", "provisioning_state", "prepaid", "is_trial",
                   ("partner", admin.RelatedOnlyFieldListFilter), "offer__market")
    search_fields = ("id", "friendly_name", "offer__id", "offer__name", "customer__company_name",
                     "customer__domain", "channel_partner_name")
    list_select_related = ("offer", "customer", "partner")
    autocomplete_fields = ("customer", "offer", "partner")
    raw_id_fields = ("parent",)
    readonly_fields = ("id", "assignments_link", "created", "updated")
    date_hierarchy = "created"
    inlines = [LicenseAssignmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(assigned_count=Count("assignments"))

    @admin.display(description=_("assigned"), ordering="assigned_count")
    def assigned(self, obj):
        return obj.assigned_count

    @admin.display(description=_("license assignments"))
    def assignments_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:subscriptions_licenseassignment_changelist") + f"?subscription__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("All license assignments of this subscription"))


@admin.register(LicenseAssignment)
class LicenseAssignmentAdmin(PartnerScopedAdmin):
    subscription_lookup = "subscription"
    list_display = ("user", "subscription", "offer_name", "customer_name", "assigned")
    search_fields = ("user__user_principal_name", "user__display_name", "subscription__id",
                     "subscription__customer__company_name")
    list_select_related = ("user", "subscription__offer", "subscription__customer")
    raw_id_fields = ("user", "subscription")
    date_hierarchy = "assigned"

    @admin.display(description=_("offer"), ordering="subscription__offer__name")
    def offer_name(self, obj):
        return obj.subscription.offer.name

    @admin.display(description=_("customer"), ordering="subscription__customer__company_name")
    def customer_name(self, obj):
        return obj.subscription.customer.company_name
