"""Django admin of partners, their security groups and role assignments (issue 8: a thin adapter).

- Partner: a partner global admin views their own partner and sets its approval threshold (through
  ``partners.approval_services``); operators edit any (audited as UPDATE_PARTNER).
- SecurityGroup: created, renamed, given members and deleted through ``partners.group_services`` (own partner
  only, members of that partner only; one audit record each).
- PartnerRoleAssignment: view only for everybody; roles change on the user (``partner_user_update``).
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import PartnerScopedAdmin, PartnerScopedInline, ViewOnlyMixin, adopt_saved, is_operator_request
from audit.models import OperationType

from . import group_services
from .approval_services import approval_threshold_update
from .models import Partner, PartnerRoleAssignment, SecurityGroup
from .roles import admin_partner_id


class SecurityGroupInline(ViewOnlyMixin, PartnerScopedInline, admin.TabularInline):
    """The partner's groups, listed; they are edited on their own page (through the group service)."""

    model = SecurityGroup
    partner_lookup = "partner"
    fields = ("name",)
    extra = 0
    show_change_link = True


@admin.register(Partner)
class PartnerAdmin(PartnerScopedAdmin):
    partner_lookup = "pk"
    audit_operation_type = OperationType.UPDATE_PARTNER
    list_display = ("name", "code", "mpn_id", "tenant_id", "created")
    search_fields = ("name", "code", "mpn_id", "tenant_id")
    readonly_fields = ("created",)
    inlines = [SecurityGroupInline]
    APPROVAL_FIELDS = ("approval_items", "approval_seats", "approval_monthly_value")
    fieldsets = (
        (None, {"fields": ("code", "name", "mpn_id", "tenant_id", "created")}),
        (
            _("Four-eyes approval"),
            {
                "fields": APPROVAL_FIELDS,
                "description": _(
                    "A batch or an upgrade above any of these waits for a second user's approval (empty: no limit)."
                ),
            },
        ),
    )

    # Partner global admins: their partner's approval threshold only; operators: full.
    def has_add_permission(self, request):
        return is_operator_request(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if is_operator_request(request):
            return super().has_change_permission(request, obj)
        own = admin_partner_id(request.user)
        return own is not None and (obj is None or obj.pk == own)

    def get_readonly_fields(self, request, obj=None):
        if is_operator_request(request):
            return self.readonly_fields
        return ("code", "name", "mpn_id", "tenant_id", "created")

    def save_model(self, request, obj, form, change):
        """The threshold goes through its service (one rule, one audit record); an operator's other fields are
        saved (and audited) as usual, when one of them changed."""
        values = {name: form.cleaned_data.get(name) for name in self.APPROVAL_FIELDS}
        if not change:
            super().save_model(request, obj, form, change)
        elif is_operator_request(request) and set(form.changed_data) - set(self.APPROVAL_FIELDS):
            for name in self.APPROVAL_FIELDS:  # the service stores (and audits) these below
                setattr(obj, name, form.initial.get(name))
            super().save_model(request, obj, form, change)
        adopt_saved(
            obj,
            approval_threshold_update(
                actor=request.user,
                partner=obj,
                items=values["approval_items"],
                seats=values["approval_seats"],
                monthly_value=values["approval_monthly_value"],
            ),
        )

    def has_delete_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_delete_permission(request, obj)


class SecurityGroupForm(forms.ModelForm):
    class Meta:
        model = SecurityGroup
        fields = ("partner", "name", "members")

    def validate_unique(self):
        """The service checks the name (and names the field); the partner may not be on the form."""


@admin.register(SecurityGroup)
class SecurityGroupAdmin(PartnerScopedAdmin):
    """Every write goes through ``partners.group_services`` (which writes the audit record)."""

    partner_lookup = "partner"
    ordering = ("partner__name", "name")
    form = SecurityGroupForm
    list_display = ("name", "partner", "member_count")
    list_filter = (("partner", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "partner__name", "partner__code")
    list_select_related = ("partner",)
    autocomplete_fields = ("members",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    def get_list_filter(self, request):
        return self.list_filter if is_operator_request(request) else ()

    def get_fields(self, request, obj=None):
        # A partner global admin's groups are always their own partner's; an operator picks it once, on add.
        if is_operator_request(request) and obj is None:
            return ("partner", "name", "members")
        return ("name", "members")

    def get_readonly_fields(self, request, obj=None):
        return ("partner",) if is_operator_request(request) and obj is not None else ()

    def get_fieldsets(self, request, obj=None):
        fields = list(self.get_fields(request, obj))
        if is_operator_request(request) and obj is not None:
            fields.insert(0, "partner")
        return [(None, {"fields": fields})]

    def save_model(self, request, obj, form, change):
        member_ids = [user.pk for user in form.cleaned_data.get("members", [])]
        if change:
            group = group_services.security_group_update(
                actor=request.user, group_id=obj.pk, name=form.cleaned_data["name"], member_ids=member_ids
            )
        else:
            group = group_services.security_group_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                member_ids=member_ids,
                partner=form.cleaned_data.get("partner"),
            )
            obj.pk = group.pk
            obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Members were set by the service."""
        self.ensure_in_scope(request, form.instance)

    def delete_model(self, request, obj):
        group_services.security_group_delete(actor=request.user, group_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for group in queryset:
            group_services.security_group_delete(actor=request.user, group_id=group.pk)


@admin.register(PartnerRoleAssignment)
class PartnerRoleAssignmentAdmin(ViewOnlyMixin, PartnerScopedAdmin):
    """View only: a user's roles change on the user (``partners.user_services.partner_user_update``)."""

    partner_lookup = "user__partner"
    list_display = ("user", "role", "partner_name")
    list_filter = ("role", ("user__partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email")
    list_select_related = ("user__partner",)

    @admin.display(description=_("partner"), ordering="user__partner__name")
    def partner_name(self, obj):
        return obj.user.partner

    def get_list_filter(self, request):
        return self.list_filter if is_operator_request(request) else ("role",)
