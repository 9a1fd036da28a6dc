from django.contrib import admin
from django.urls import reverse

from partners.admin_scoping import LimitedInlineFormSet, PartnerScopedAdmin, PartnerScopedInline, is_operator

from .models import (
    Customer,
    CustomerAdminRole,
    CustomerGroupObjectPermission,
    CustomerUserObjectPermission,
    ResellerRelationship,
    TenantUser,
)


class RelationshipInline(PartnerScopedInline, admin.TabularInline):
    model = ResellerRelationship
    partner_lookup = "partner"
    fields = ("partner", "relationship", "created")
    readonly_fields = ("created",)
    extra = 0


class TenantUserInline(PartnerScopedInline, admin.TabularInline):
    """The first rows only: a tenant can have thousands of users (the full list is the Tenant users page)."""

    model = TenantUser
    customer_lookup = "customer"
    formset = LimitedInlineFormSet
    fields = ("user_principal_name", "display_name", "email", "object_id")
    extra = 0
    show_change_link = True


class CustomerAdminRoleInline(PartnerScopedInline, admin.TabularInline):
    model = CustomerAdminRole
    customer_lookup = "customer"
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Customer)
class CustomerAdmin(PartnerScopedAdmin):
    """A customer tenant is shared by every partner it works with: only operators delete one."""

    customer_lookup = "pk"
    operator_only_delete = True
    list_display = ("company_name", "domain", "country", "segment", "service_health_incident", "created")
    list_filter = ("segment", "country", "service_health_incident")
    search_fields = ("company_name", "domain", "tenant_id")
    readonly_fields = ("created",)
    inlines = [RelationshipInline, CustomerAdminRoleInline, TenantUserInline]

    def view_on_site(self, obj):
        return reverse("portal:customer_detail", kwargs={"tenant_id": obj.tenant_id})


@admin.register(ResellerRelationship)
class ResellerRelationshipAdmin(PartnerScopedAdmin):
    partner_lookup = "partner"
    list_display = ("customer", "partner", "relationship", "created")
    list_filter = ("relationship", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("customer__company_name", "customer__domain", "partner__name", "partner__code")
    list_select_related = ("customer", "partner")
    autocomplete_fields = ("customer", "partner")


@admin.register(CustomerAdminRole)
class CustomerAdminRoleAdmin(PartnerScopedAdmin):
    customer_lookup = "customer"
    list_display = ("user", "customer", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "customer__company_name", "customer__domain")
    list_select_related = ("user", "customer")
    autocomplete_fields = ("user", "customer")


@admin.register(TenantUser)
class TenantUserAdmin(PartnerScopedAdmin):
    customer_lookup = "customer"
    list_display = ("user_principal_name", "display_name", "email", "customer", "object_id")
    search_fields = ("user_principal_name", "display_name", "email", "object_id", "customer__company_name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)


class ObjectPermissionAdmin(admin.ModelAdmin):
    """guardian grants on customers, written by ``delegation.grants``: operators may inspect them, nobody edits."""

    list_select_related = ("permission", "content_object")
    raw_id_fields = ("content_object",)
    search_fields = ("content_object__company_name", "content_object__domain", "permission__codename")
    list_filter = ("permission__codename",)

    def has_module_permission(self, request):
        return is_operator(request)

    def has_view_permission(self, request, obj=None):
        return is_operator(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CustomerUserObjectPermission)
class CustomerUserObjectPermissionAdmin(ObjectPermissionAdmin):
    list_display = ("content_object", "user", "permission")
    list_select_related = ("permission", "content_object", "user")


@admin.register(CustomerGroupObjectPermission)
class CustomerGroupObjectPermissionAdmin(ObjectPermissionAdmin):
    list_display = ("content_object", "group", "permission")
    list_select_related = ("permission", "content_object", "group")
