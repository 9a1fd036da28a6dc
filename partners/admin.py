from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .admin_scoping import PartnerScopedAdmin, PartnerScopedInline, is_operator
from .models import Partner, PartnerRoleAssignment, SecurityGroup
from .services import partner_user_sync_admin_access


class SecurityGroupInline(PartnerScopedInline, admin.TabularInline):
    model = SecurityGroup
    partner_lookup = "partner"
    fields = ("name",)
    extra = 0
    show_change_link = True


@admin.register(Partner)
class PartnerAdmin(PartnerScopedAdmin):
    partner_lookup = "pk"
    list_display = ("name", "code", "mpn_id", "tenant_id", "created")
    search_fields = ("name", "code", "mpn_id", "tenant_id")
    readonly_fields = ("created",)
    inlines = [SecurityGroupInline]

    def get_readonly_fields(self, request, obj=None):
        if is_operator(request):
            return self.readonly_fields
        return (*self.readonly_fields, "code", "tenant_id")  # identity of the partner: operators only

    def has_add_permission(self, request):
        return is_operator(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request) and super().has_delete_permission(request, obj)


@admin.register(SecurityGroup)
class SecurityGroupAdmin(PartnerScopedAdmin):
    partner_lookup = "partner"
    list_display = ("name", "partner", "member_count")
    list_filter = (("partner", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "partner__name", "partner__code")
    list_select_related = ("partner",)
    autocomplete_fields = ("members",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total


@admin.register(PartnerRoleAssignment)
class PartnerRoleAssignmentAdmin(PartnerScopedAdmin):
    partner_lookup = "user__partner"
    list_display = ("user", "role", "partner_name")
    list_filter = ("role", ("user__partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email")
    list_select_related = ("user__partner",)
    autocomplete_fields = ("user",)

    @admin.display(description=_("partner"), ordering="user__partner__name")
    def partner_name(self, obj):
        return obj.user.partner

    def save_model(self, request, obj, form, change):
        previous_user = None
        if change:
            previous_user = type(obj).objects.get(pk=obj.pk).user
        super().save_model(request, obj, form, change)
        partner_user_sync_admin_access(obj.user)
        if previous_user is not None and previous_user.pk != obj.user_id:
            partner_user_sync_admin_access(previous_user)

    def delete_model(self, request, obj):
        user = obj.user
        super().delete_model(request, obj)
        partner_user_sync_admin_access(user)

    def delete_queryset(self, request, queryset):
        users = list({assignment.user for assignment in queryset.select_related("user")})
        super().delete_queryset(request, queryset)
        for user in users:
            partner_user_sync_admin_access(user)
