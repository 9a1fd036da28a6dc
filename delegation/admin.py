"""Delegated admin in the Django admin (issue 8): consent is the customer's, every transition is a service.

- DAP grants: view only, for operators too (the customer switches DAP off on its own pages).
- GDAP relationships: a partner requests one (add → ``relationship_request_create``) and asks for its termination
  (action → ``relationship_termination_request``); nothing is editable and nobody approves here.
- Access assignments: add, change of roles and delete through ``access_assignment_create/update/delete``; the
  status is never a form field.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin_mixins import PartnerScopedAdmin, PartnerScopedInline, ViewOnlyMixin, adopt_saved, is_operator_request
from core.history import history_html

from . import customer_admin, license_admin  # noqa: F401  (they register the customer side and the licenses)
from .forms import AUTO_EXTEND_FORM_CHOICES
from .models import DapGrant, GdapAccessAssignment, GdapRelationship, UnifiedRole
from .services import (
    access_assignment_create,
    access_assignment_delete,
    access_assignment_update,
    relationship_request_create,
    relationship_termination_request,
)


@admin.register(DapGrant)
class DapGrantAdmin(ViewOnlyMixin, PartnerScopedAdmin):
    """Consent is the customer's: its global administrator switches DAP off (``dap_set``); nobody edits it here."""

    partner_lookup = "partner"
    list_display = ("customer", "partner", "enabled", "changed")
    list_filter = ("enabled", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("customer__company_name", "customer__domain", "partner__name")
    list_select_related = ("customer", "partner")


class AccessAssignmentInline(ViewOnlyMixin, PartnerScopedInline, admin.TabularInline):
    model = GdapAccessAssignment
    partner_lookup = "relationship__partner"
    fields = ("group", "unified_roles", "status", "created_date_time")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class RelationshipRequestAdminForm(forms.ModelForm):
    """A GDAP request: the service checks every rule (customer in scope, roles, duration, auto-extension)."""

    request_roles = forms.MultipleChoiceField(
        label=_("Microsoft Entra roles"), choices=UnifiedRole.choices, widget=forms.CheckboxSelectMultiple
    )
    duration_days = forms.IntegerField(label=_("Duration (days)"), min_value=1, max_value=730, initial=730)
    auto_extend = forms.ChoiceField(label=_("Automatic extension"), choices=AUTO_EXTEND_FORM_CHOICES, initial="PT0S")

    class Meta:
        model = GdapRelationship
        fields = ("customer", "display_name")


@admin.register(GdapRelationship)
class GdapRelationshipAdmin(PartnerScopedAdmin):
    partner_lookup = "partner"
    list_display = ("display_name", "customer", "partner", "status", "activated_date_time", "end_date_time")
    list_filter = ("status", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("display_name", "customer__company_name", "customer__domain", "partner__name", "id")
    list_select_related = ("customer", "partner")
    autocomplete_fields = ("customer",)
    date_hierarchy = "created_date_time"
    inlines = [AccessAssignmentInline]
    actions = ["request_termination"]
    shown_fields = (
        "id",
        "display_name",
        "customer",
        "partner",
        "status",
        "unified_roles",
        "duration",
        "auto_extend_duration",
        "created_date_time",
        "activated_date_time",
        "end_date_time",
        "last_modified_date_time",
        "status_history",
    )

    @admin.display(description=_("status history"))
    def status_history(self, obj):
        return history_html(obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RelationshipRequestAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("customer", "display_name", "request_roles", "duration_days", "auto_extend")
        return self.shown_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.shown_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_add_permission(self, request, *args):
        """A request is the partner's (operators act for no partner); ``relationship_request_create`` checks the
        role and that the customer is the partner's."""
        return not is_operator_request(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return False  # nothing is editable: status moves by the customer's approval and by actions

    def has_delete_permission(self, request, obj=None):
        return False  # a relationship is terminated, never deleted

    def has_terminate_permission(self, request):
        return self.has_view_permission(request)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        adopt_saved(
            obj,
            relationship_request_create(
                actor=request.user,
                customer=data["customer"],
                display_name=data["display_name"],
                unified_roles=data["request_roles"],
                duration=timedelta(days=data["duration_days"]),
                auto_extend_duration=data["auto_extend"],
            ),
        )

    @admin.action(description=_("Request termination of the selected relationships"), permissions=["terminate"])
    def request_termination(self, request, queryset):
        self.run_service_action(
            request,
            queryset,
            lambda relationship: relationship_termination_request(actor=request.user, relationship_id=relationship.pk),
            ngettext_lazy(
                "Termination requested for %(count)d relationship.",
                "Termination requested for %(count)d relationships.",
                "count",
            ),
        )


class AccessAssignmentAdminForm(forms.ModelForm):
    """Roles as a list of choices; the service checks they are a subset of the relationship's."""

    assigned_roles = forms.MultipleChoiceField(
        label=_("Roles (a subset of the relationship's roles)"),
        choices=UnifiedRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = GdapAccessAssignment
        fields = ("relationship", "group")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.initial.setdefault("assigned_roles", list(self.instance.unified_roles or []))

    def validate_unique(self):
        """The service decides (a deleted assignment of the same group may be given again)."""


@admin.register(GdapAccessAssignment)
class GdapAccessAssignmentAdmin(PartnerScopedAdmin):
    partner_lookup = "relationship__partner"
    form = AccessAssignmentAdminForm
    list_display = ("id", "relationship", "group", "status", "created_date_time")
    list_filter = ("status",)
    search_fields = ("relationship__display_name", "group__name", "relationship__customer__company_name")
    list_select_related = ("relationship", "group__partner")
    autocomplete_fields = ("relationship", "group")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("relationship", "group", "assigned_roles")
        return (
            "id",
            "relationship",
            "group",
            "assigned_roles",
            "status",
            "created_date_time",
            "last_modified_date_time",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("id", "relationship", "group", "status", "created_date_time", "last_modified_date_time")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one assignment at a time, through the service
        return actions

    def save_model(self, request, obj, form, change):
        roles = form.cleaned_data["assigned_roles"]
        if change:
            saved = access_assignment_update(actor=request.user, assignment_id=obj.pk, unified_roles=roles)
        else:
            saved = access_assignment_create(
                actor=request.user, relationship_id=obj.relationship_id, group=obj.group, unified_roles=roles
            )
        adopt_saved(obj, saved)

    def delete_model(self, request, obj):
        access_assignment_delete(actor=request.user, assignment_id=obj.pk)
