from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, ngettext

from partners.admin_scoping import PartnerScopedAdmin, PartnerScopedInline, admin_partner_id, is_operator
from partners.models import PartnerRoleAssignment
from partners.services import partner_user_sync_admin_access

from .mfa_admin import reset_mfa
from .models import ApiToken, User


class PortalUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "partner")


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class PartnerRoleInline(PartnerScopedInline, admin.TabularInline):
    model = PartnerRoleAssignment
    partner_lookup = "user__partner"
    extra = 0


# Fields a partner global admin may not touch: they would grant platform-wide power.
OPERATOR_ONLY_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(PartnerScopedAdmin, DjangoUserAdmin):
    partner_lookup = "partner"
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ("username", "email", "first_name", "last_name", "partner", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser", ("partner", admin.RelatedOnlyFieldListFilter),
                   "partner_roles__role")
    search_fields = ("username", "email", "first_name", "last_name")
    list_select_related = ("partner",)
    inlines = [PartnerRoleInline]
    actions = [reset_mfa]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Partner"), {"fields": ("partner",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "partner", "password1", "password2")}),
    )

    def scope_queryset(self, request, queryset):
        queryset = super().scope_queryset(request, queryset)
        return queryset if is_operator(request) else queryset.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_operator(request):
            return fieldsets
        return [(name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in OPERATOR_ONLY_FIELDS)})
                for name, opts in fieldsets]

    def get_list_filter(self, request):
        if is_operator(request):
            return self.list_filter
        return tuple(f for f in self.list_filter if f not in ("is_staff", "is_superuser"))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        partner_id = admin_partner_id(request.user)
        if partner_id is not None and "partner" in form.base_fields:
            form.base_fields["partner"].required = True
            form.base_fields["partner"].initial = partner_id
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        partner_user_sync_admin_access(form.instance)


@admin.register(ApiToken)
class ApiTokenAdmin(PartnerScopedAdmin):
    """Tokens are issued by ``manage.py createapitoken`` (the raw secret is shown once); here they are revoked."""

    list_display = ("prefix", "name", "user", "partner", "application_id", "created", "last_used", "revoked")
    list_filter = ("revoked", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("prefix", "name", "user__username", "partner__name", "application_id")
    list_select_related = ("user", "partner")
    readonly_fields = ("prefix", "user", "partner", "application_id", "created", "last_used")
    fields = ("name", "prefix", "user", "partner", "application_id", "created", "last_used", "revoked")
    actions = ["revoke"]

    def scope_queryset(self, request, queryset):
        if is_operator(request):
            return queryset
        partner_id = admin_partner_id(request.user)
        if partner_id is None:
            return queryset.none()
        return queryset.filter(Q(user__partner_id=partner_id) | Q(partner_id=partner_id))

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked=False).update(revoked=True)
        self.message_user(request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
                          % {"count": count}, messages.SUCCESS)
