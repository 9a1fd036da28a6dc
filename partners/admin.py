"""Django admin of partners, their security groups and role assignments (issue 8: a thin adapter).

- Partner: a partner global admin views their own partner; operators edit any (audited as UPDATE_PARTNER).
- SecurityGroup: created, renamed, given members and deleted through ``partners.group_services`` (own partner
  only, members of that partner only; one audit record each).
- PartnerRoleAssignment: view only for everybody; roles change on the user (``partner_user_update``).
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import PartnerScopedAdmin, PartnerScopedInline, ViewOnlyMixin, is_operator_request
from audit.models import OperationType

from . import group_services
from .models import Partner, PartnerRoleAssignment, SecurityGroup


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

    # Partner global admins: view only (their permissions say so); operators: full.
    def has_add_permission(self, request):
        return is_operator_request(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_change_permission(request, obj)

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
