"""Retired CSP plans (Office 365 E4) in the Django admin: operators replace them (``direct.partner_e4``).

The action asks the replacement offer on an intermediate page (the catalog's options of the E4, as the portal
and the API list them), then calls ``csp_e4_replace`` for each selected E4 with its own seats; the service
refuses what it refuses (per object) and writes the audit record. Read-only otherwise; partner users replace
their E4s in the portal.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin_mixins import OperatorViewOnlyMixin, ServiceErrorsMixin, is_operator_request
from catalog.models import DirectOption

from .e4_models import RetiredCspSubscription
from .partner_e4 import csp_e4_replace, deprovision_date


class ReplacementForm(forms.Form):
    target_offer = forms.ChoiceField(label=_("Replacement offer"))

    def __init__(self, *args, offer_ids, **kwargs):
        super().__init__(*args, **kwargs)
        rows = (
            DirectOption.objects.filter(source_id__in=offer_ids).select_related("target").order_by("-kind", "position")
        )
        choices = dict.fromkeys((row.target_id, row.target.name) for row in rows)
        self.fields["target_offer"].choices = list(choices)


@admin.register(RetiredCspSubscription)
class RetiredCspSubscriptionAdmin(OperatorViewOnlyMixin, ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("id", "offer", "customer", "partner", "quantity", "status", "suspended_at", "deprovision_on")
    list_filter = ("status",)
    search_fields = ("id", "customer__company_name", "customer__domain")
    list_select_related = ("offer", "customer", "partner")
    actions = ["replace_e4"]
    fields = list_display

    def get_readonly_fields(self, request, obj=None):
        return self.list_display

    def has_replace_permission(self, request):
        return is_operator_request(request)

    @admin.display(description=_("deprovisioned on"))
    def deprovision_on(self, obj):
        return deprovision_date(obj.suspended_at) if obj.suspended_at else "—"

    @admin.action(description=_("Replace the selected E4s (buy, reassign, suspend)"), permissions=["replace"])
    def replace_e4(self, request, queryset):
        objects = list(queryset)
        form = ReplacementForm(
            request.POST if "target_offer" in request.POST else None, offer_ids={s.offer_id for s in objects}
        )
        if form.is_bound and form.is_valid():
            target = form.cleaned_data["target_offer"]
            self.run_service_action(
                request,
                objects,
                lambda s: csp_e4_replace(actor=request.user, subscription_id=s.pk, target_offer_id=target),
                ngettext_lazy("%(count)d E4 replaced.", "%(count)d E4s replaced.", "count"),
            )
            return None
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Replace Office 365 E4"),
            "objects": objects,
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": opts,
            "app_label": opts.app_label,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/reason_action.html", context)
