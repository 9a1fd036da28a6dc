from django.contrib import admin

from partners.admin_scoping import PartnerScopedAdmin, PartnerScopedInline

from .models import DapGrant, GdapAccessAssignment, GdapRelationship


@admin.register(DapGrant)
class DapGrantAdmin(PartnerScopedAdmin):
    partner_lookup = "partner"
    list_display = ("customer", "partner", "enabled", "changed")
    list_filter = ("enabled", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("customer__company_name", "customer__domain", "partner__name")
    list_select_related = ("customer", "partner")
    autocomplete_fields = ("customer", "partner")


class AccessAssignmentInline(PartnerScopedInline, admin.TabularInline):
    model = GdapAccessAssignment
    partner_lookup = "relationship__partner"
    fields = ("group", "unified_roles", "status", "created_date_time")
    readonly_fields = ("created_date_time",)
    extra = 0


@admin.register(GdapRelationship)
class GdapRelationshipAdmin(PartnerScopedAdmin):
    partner_lookup = "partner"
    list_display = ("display_name", "customer", "partner", "status", "activated_date_time", "end_date_time")
    list_filter = ("status", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("display_name", "customer__company_name", "customer__domain", "partner__name", "id")
    list_select_related = ("customer", "partner")
    autocomplete_fields = ("customer", "partner")
    readonly_fields = ("id", "last_modified_date_time")
    date_hierarchy = "created_date_time"
    inlines = [AccessAssignmentInline]


@admin.register(GdapAccessAssignment)
class GdapAccessAssignmentAdmin(PartnerScopedAdmin):
    partner_lookup = "relationship__partner"
    list_display = ("id", "relationship", "group", "status", "created_date_time")
    list_filter = ("status",)
    search_fields = ("relationship__display_name", "group__name", "relationship__customer__company_name")
    list_select_related = ("relationship", "group__partner")
    autocomplete_fields = ("relationship", "group")
    readonly_fields = ("id", "last_modified_date_time")
