"""The customer side in the Django admin (issue 8): what belongs to the customer is not the partner's to change.

It lives in ``delegation`` (registered by ``delegation.admin``): tenant users change through the partner's delegated
roles and the pages count licenses, so it reads ``delegation`` and ``subscriptions``, both above ``customers``.

Partner global admins view customers, relationships and customer admin roles; tenant users change only through
``delegation.tenant_user_services`` (which checks the partner's delegated roles for that customer). Operators edit
everything; their plain edits are audited by ``AuditedAdminMixin``. Nothing of another partner shows.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import (
    LimitedInlineFormSet,
    OperatorViewOnlyMixin,
    PartnerScopedAdmin,
    PartnerScopedInline,
    ViewOnlyMixin,
    adopt_saved,
    is_operator_request,
)
from audit.models import OperationType
from core.scoping import actor_of
from customers.models import (
    Customer,
    CustomerAdminRole,
    CustomerGroupObjectPermission,
    CustomerUserObjectPermission,
    ResellerRelationship,
    TenantUser,
)
from subscriptions.models import LicenseAssignment
from subscriptions.selectors import assignments_visible_to, subscriptions_visible_to

from .tenant_user_services import (
    UPDATABLE_FIELDS,
    foreign_licenses_of,
    tenant_user_create,
    tenant_user_delete,
    tenant_user_update,
)


class OperatorWritesMixin:
    """Partner global admins view; only platform operators add, change and delete (whatever the model perms)."""

    def has_add_permission(self, request, *args):
        return is_operator_request(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_delete_permission(request, obj)


def own_license_count(request, queryset):
    """Annotate ``licenses_shown``: licenses of subscriptions the user may see (never another partner's)."""
    if is_operator_request(request):
        return queryset.annotate(licenses_shown=Count("licenses", distinct=True))
    return queryset.annotate(
        licenses_shown=Count(
            "licenses", filter=Q(licenses__subscription__in=subscriptions_visible_to(request.user)), distinct=True
        )
    )


class RelationshipInline(OperatorWritesMixin, PartnerScopedInline, admin.TabularInline):
    model = ResellerRelationship
    partner_lookup = "partner"
    fields = ("partner", "relationship", "created")
    readonly_fields = ("created",)
    extra = 0


class TenantUserInline(ViewOnlyMixin, PartnerScopedInline, admin.TabularInline):
    """The first rows only: a tenant can have thousands of users (the full list is the Tenant users page)."""

    model = TenantUser
    customer_lookup = "customer"
    formset = LimitedInlineFormSet
    fields = ("user_principal_name", "display_name", "email", "licenses")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return own_license_count(request, super().get_queryset(request))

    @admin.display(description=_("licenses"))
    def licenses(self, obj):
        return getattr(obj, "licenses_shown", "—")


class CustomerAdminRoleInline(OperatorWritesMixin, PartnerScopedInline, admin.TabularInline):
    model = CustomerAdminRole
    customer_lookup = "customer"
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Customer)
class CustomerAdmin(OperatorWritesMixin, PartnerScopedAdmin):
    """A tenant's identity belongs to the customer: partners view it; operators edit it (tenant id on add only)."""

    customer_lookup = "pk"
    operator_only_delete = True
    audit_operation_type = OperationType.UPDATE_CUSTOMER
    list_display = ("company_name", "domain", "country", "segment", "service_health_incident", "created")
    list_filter = ("segment", "country", "service_health_incident")
    search_fields = ("company_name", "domain", "tenant_id")
    inlines = [RelationshipInline, CustomerAdminRoleInline, TenantUserInline]

    def get_readonly_fields(self, request, obj=None):
        return ("created",) if obj is None else ("tenant_id", "created")

    def audit_write(self, request, obj, *, old, new, operation_type=None):
        if operation_type is None and old is None and isinstance(obj, Customer):
            operation_type = OperationType.CREATE_CUSTOMER
        super().audit_write(request, obj, old=old, new=new, operation_type=operation_type)

    def view_on_site(self, obj):
        return reverse("portal:customer_detail", kwargs={"tenant_id": obj.tenant_id})


@admin.register(ResellerRelationship)
class ResellerRelationshipAdmin(OperatorWritesMixin, PartnerScopedAdmin):
    partner_lookup = "partner"
    audit_operation_type = OperationType.UPDATE_RESELLER_RELATIONSHIP
    list_display = ("customer", "partner", "relationship", "created")
    list_filter = ("relationship", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("customer__company_name", "customer__domain", "partner__name", "partner__code")
    list_select_related = ("customer", "partner")
    autocomplete_fields = ("customer", "partner")


@admin.register(CustomerAdminRole)
class CustomerAdminRoleAdmin(OperatorWritesMixin, PartnerScopedAdmin):
    """Customer admin roles are the customer's (they open /v1/me/ and consent): operators only change them."""

    customer_lookup = "customer"
    audit_operation_type = OperationType.UPDATE_CUSTOMER_ADMIN_ROLES
    list_display = ("user", "customer", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "customer__company_name", "customer__domain")
    list_select_related = ("user", "customer")
    autocomplete_fields = ("user", "customer")


class TenantUserLicenseInline(ViewOnlyMixin, PartnerScopedInline, admin.TabularInline):
    """The user's licenses of subscriptions the viewer may see (another partner's never show)."""

    model = LicenseAssignment
    subscription_lookup = "subscription"
    formset = LimitedInlineFormSet
    fields = ("subscription", "disabled_service_plans", "assigned")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("licenses")


@admin.register(TenantUser)
class TenantUserAdmin(PartnerScopedAdmin):
    """Adds, changes and deletes go through ``delegation.tenant_user_services`` (delegated roles, one audit record)."""

    customer_lookup = "customer"
    list_display = ("user_principal_name", "display_name", "email", "customer", "licenses")
    search_fields = ("user_principal_name", "display_name", "email", "object_id", "customer__company_name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    inlines = [TenantUserLicenseInline]

    def get_queryset(self, request):
        return own_license_count(request, super().get_queryset(request))

    @admin.display(description=_("licenses"), ordering="licenses_shown")
    def licenses(self, obj):
        return getattr(obj, "licenses_shown", "—")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("customer", "user_principal_name", "display_name", "email")
        return ("customer", "object_id", "user_principal_name", "display_name", "email")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("customer", "object_id")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one user at a time, through the service
        return actions

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = tenant_user_update(
                actor=request.user,
                tenant_user=obj,
                changes={name: data[name] for name in UPDATABLE_FIELDS if name in form.changed_data},
            )
        else:
            saved = tenant_user_create(
                actor=request.user,
                customer=data["customer"],
                user_principal_name=data["user_principal_name"],
                display_name=data.get("display_name", ""),
                email=data.get("email", ""),
            )
        adopt_saved(obj, saved)

    def delete_model(self, request, obj):
        tenant_user_delete(actor=request.user, tenant_user=obj)

    def get_deleted_objects(self, objs, request):
        """A partner admin's confirmation page lists only what is theirs; licenses of another partner's
        subscriptions block the delete without being named."""
        if is_operator_request(request):
            return super().get_deleted_objects(objs, request)
        shown, protected = [], []
        visible = assignments_visible_to(actor_of(request))
        for obj in objs:
            own = visible.filter(user=obj).select_related("subscription__offer").order_by("subscription__offer__name")
            shown.append(gettext("Tenant user: %(user)s") % {"user": obj})
            shown.append([gettext("License: %(offer)s") % {"offer": row.subscription.offer.name} for row in own])
            if foreign_licenses_of(request.user, obj).exists():
                protected.append(
                    gettext(
                        "%(user)s: licenses of subscriptions your partner did not sell (only the "
                        "customer's administrator can remove this user)"
                    )
                    % {"user": obj}
                )
        model_count = {TenantUser._meta.verbose_name_plural: len(objs)}
        return shown, model_count, set(), protected


class ObjectPermissionAdmin(OperatorViewOnlyMixin, admin.ModelAdmin):
    """guardian grants on customers, written by ``delegation.grants``: operators may inspect them, nobody edits."""

    list_select_related = ("permission", "content_object")
    raw_id_fields = ("content_object",)
    search_fields = ("content_object__company_name", "content_object__domain", "permission__codename")
    list_filter = ("permission__codename",)


@admin.register(CustomerUserObjectPermission)
class CustomerUserObjectPermissionAdmin(ObjectPermissionAdmin):
    list_display = ("content_object", "user", "permission")
    # guardian annotates its own two-item tuple; Django takes any sequence of relations.
    list_select_related = ("permission", "content_object", "user")  # type: ignore[assignment]


@admin.register(CustomerGroupObjectPermission)
class CustomerGroupObjectPermissionAdmin(ObjectPermissionAdmin):
    list_display = ("content_object", "group", "permission")
    # guardian annotates its own two-item tuple; Django takes any sequence of relations.
    list_select_related = ("permission", "content_object", "group")  # type: ignore[assignment]
