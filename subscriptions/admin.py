"""Subscriptions and licenses in the Django admin (issue 8): a thin adapter over the services.

A subscription changes only through ``subscriptions.services.subscription_update`` (the API's PATCH: same
validation, role check and audit record): seats, friendly name and auto-renew on the form; suspend and reactivate
as actions. Its channel, partner, status and the rest are never form fields, for operators either; nor are the
new commerce fields (commerce type, term, cancellation window, refundable seats, scheduled changes: domain.md §8),
shown read-only and changed only by the commerce services. The license
assignments admin lives in ``delegation.license_admin`` (its service checks delegated roles).
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin_mixins import (
    LimitedInlineFormSet,
    PartnerScopedAdmin,
    PartnerScopedInline,
    ViewOnlyMixin,
    adopt_saved,
)

from .models import LicenseAssignment, Subscription, SubscriptionStatus
from .services import subscription_update

EDITABLE = ("friendly_name", "quantity", "auto_renew")


class SubscriptionAdminForm(forms.ModelForm):
    """``quantity`` is checked by the service only (the offer's limits, as in the API), not by the model field."""

    quantity = forms.IntegerField(label=_("seats"), min_value=0)

    class Meta:
        model = Subscription
        fields = EDITABLE
        exclude = ("quantity",)  # noqa: DJ006 - the declared form field replaces the model field (the service checks it)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.initial.setdefault("quantity", self.instance.quantity)


class LicenseAssignmentInline(ViewOnlyMixin, PartnerScopedInline, admin.TabularInline):
    """The first ``LimitedInlineFormSet.limit`` assignments, read-only; licenses change on their own page."""

    model = LicenseAssignment
    subscription_lookup = "subscription"
    formset = LimitedInlineFormSet
    fields = ("user", "disabled_service_plans", "assigned")
    readonly_fields = fields
    extra = 0


@admin.register(Subscription)
class SubscriptionAdmin(PartnerScopedAdmin):
    subscription_lookup = "pk"
    form = SubscriptionAdminForm
    list_display = (
        "id",
        "offer",
        "customer",
        "quantity",
        "assigned",
        "status",
        "channel",
        "partner",
        "billing_cycle",
        "commerce",
        "term_duration",
        "commitment_end_date",
    )
    list_filter = (
        "status",
        "channel",
        "commerce",
        "term_duration",
        "billing_cycle",
        "provisioning_state",
        "prepaid",
        "is_trial",
        ("partner", admin.RelatedOnlyFieldListFilter),
        "offer__market",
    )
    search_fields = (
        "id",
        "friendly_name",
        "offer__id",
        "offer__name",
        "customer__company_name",
        "customer__domain",
        "channel_partner_name",
    )
    list_select_related = ("offer", "customer", "partner")
    date_hierarchy = "created"
    inlines = [LicenseAssignmentInline]
    actions = ["suspend", "reactivate"]
    fieldsets = (
        (None, {"fields": ("id", "customer", "offer", *EDITABLE, "assignments_link")}),
        (
            _("Lifecycle (changed by actions and orders)"),
            {
                "fields": (
                    "status",
                    "provisioning_state",
                    "channel",
                    "partner",
                    "channel_partner_name",
                    "payment_method",
                    "billing_cycle",
                    "term_start_date",
                    "commitment_end_date",
                    "is_trial",
                    "prepaid",
                    "unpaid_balance",
                    "parent",
                    "suspended_at",
                    "created",
                    "updated",
                )
            },
        ),
        (
            _("New commerce (changed by transitions, renewals and scheduled changes)"),
            {
                "fields": (
                    "commerce",
                    "term_duration",
                    "cancellation_allowed_until",
                    "refundable_quantity",
                    "scheduled_changes",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"] if name not in EDITABLE]

    def has_add_permission(self, request):
        return False  # subscriptions are bought (orders, imports), never typed in

    def has_delete_permission(self, request, obj=None):
        return False  # cancelling is a lifecycle operation, not a delete

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

    @admin.display(description=_("scheduled changes at renewal"))
    def scheduled_changes(self, obj):
        """``scheduled_next_term_instructions`` in words: catalog item, term, billing cycle and seats."""
        instructions = obj.scheduled_next_term_instructions
        if not instructions:
            return "—"
        product = instructions.get("product", {})
        item = ":".join(str(product.get(key, "?")) for key in ("productId", "skuId", "availabilityId"))
        return _("%(item)s, %(term)s billed %(cycle)s, %(quantity)s seats") % {
            "item": item,
            "term": product.get("termDuration", "?"),
            "cycle": product.get("billingCycle", "?"),
            "quantity": instructions.get("quantity", "?"),
        }

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in EDITABLE if name in form.changed_data}
        adopt_saved(obj, subscription_update(actor=request.user, subscription=obj, changes=changes))

    def _set_status(self, request, queryset, status, done_message):
        self.run_service_action(
            request,
            queryset,
            lambda subscription: subscription_update(
                actor=request.user, subscription=subscription, changes={"status": status}
            ),
            done_message,
        )

    @admin.action(description=_("Suspend the selected subscriptions"), permissions=["change"])
    def suspend(self, request, queryset):
        self._set_status(
            request,
            queryset,
            SubscriptionStatus.SUSPENDED,
            ngettext_lazy("%(count)d subscription suspended.", "%(count)d subscriptions suspended.", "count"),
        )

    @admin.action(description=_("Reactivate the selected subscriptions"), permissions=["change"])
    def reactivate(self, request, queryset):
        self._set_status(
            request,
            queryset,
            SubscriptionStatus.ACTIVE,
            ngettext_lazy("%(count)d subscription reactivated.", "%(count)d subscriptions reactivated.", "count"),
        )
