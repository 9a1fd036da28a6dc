"""License assignments in the Django admin: assigned and removed through ``delegation.license_services`` (delegated
roles, seats); operators may also correct the switched-off service plans of an assignment (audited). Registered by
``delegation.admin``; it lives here, not in ``subscriptions``, because its service reads the delegated roles.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import PartnerScopedAdmin, adopt_saved, is_operator_request
from audit.models import OperationType
from subscriptions.models import LicenseAssignment

from .license_services import license_assign, license_unassign


class LicenseAssignmentForm(forms.ModelForm):
    class Meta:
        model = LicenseAssignment
        fields = ("user", "subscription", "disabled_service_plans")


@admin.register(LicenseAssignment)
class LicenseAssignmentAdmin(PartnerScopedAdmin):
    """Assign (add) and remove (delete) through ``license_services``; no change for partners."""

    subscription_lookup = "subscription"
    audit_partner_path = "subscription__partner"
    audit_operation_type = OperationType.UPDATE_CUSTOMER_USER_LICENSES
    form = LicenseAssignmentForm
    list_display = ("user", "subscription", "offer_name", "customer_name", "assigned")
    search_fields = (
        "user__user_principal_name",
        "user__display_name",
        "subscription__id",
        "subscription__customer__company_name",
    )
    list_select_related = ("user", "subscription__offer", "subscription__customer")
    raw_id_fields = ("user", "subscription")
    date_hierarchy = "assigned"

    def get_fields(self, request, obj=None):
        return ("user", "subscription", "disabled_service_plans", "assigned")

    def get_readonly_fields(self, request, obj=None):
        return ("assigned",) if obj is None else ("user", "subscription", "assigned")

    def has_change_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one license at a time, through the service
        return actions

    @admin.display(description=_("offer"), ordering="subscription__offer__name")
    def offer_name(self, obj):
        return obj.subscription.offer.name

    @admin.display(description=_("customer"), ordering="subscription__customer__company_name")
    def customer_name(self, obj):
        return obj.subscription.customer.company_name

    def save_model(self, request, obj, form, change):
        if change:  # operators only (see has_change_permission): a plain, audited correction of the plans
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        adopt_saved(
            obj,
            license_assign(
                actor=request.user,
                subscription=data["subscription"],
                user=data["user"],
                disabled_service_plans=data.get("disabled_service_plans") or [],
            ),
        )

    def delete_model(self, request, obj):
        license_unassign(actor=request.user, assignment=obj)
