"""Per-partner scoping for the Django admin (issue 4 item 5).

Who may use the admin:

- platform operators (superusers) see and edit everything, every partner;
- a staff user who holds the partner ``global_admin`` role (``partners.services.partner_user_sync_admin_access``
  gives them ``is_staff`` and the "Partner global admins" group) sees and edits ONLY their own partner's
  objects; customer data is read through ``customers_visible_to`` / ``subscriptions_visible_to``, the same
  scoping functions the portal and the API use;
- anybody else sees nothing (Django itself keeps non-staff users out).

Every scoped admin declares how its rows reach the partner, with exactly one of:

- ``partner_lookup``: a path to ``partners.Partner`` (``"partner"``, ``"user__partner"``, ``"pk"`` for Partner);
- ``customer_lookup``: a path to ``customers.Customer``; rows are limited to ``customers_visible_to(user)``;
- ``subscription_lookup``: a path to ``subscriptions.Subscription``; limited to ``subscriptions_visible_to(user)``.

Foreign-key and many-to-many choices are limited through the *target* model's registered admin, so a partner
admin can neither pick nor create anything that points to another partner. After a save the object must still
be inside the editor's scope (checked inside the admin's transaction), otherwise the change is refused.

The catalog (service families and plans, offers, prices, the upgrade matrix, the E4 options) is shared by all
partners, so it is edited by platform operators only (``OperatorEditableAdmin``); partner global admins may view
it. This narrows domain.md §2 ("catalog and upgrade matrix: global_admin") as the issue asks: one partner must
not change the catalog every other partner sells from.
"""
from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from customers.selectors import customers_visible_to
from subscriptions.selectors import subscriptions_visible_to

from .models import PartnerRole


def admin_partner_id(user) -> int | None:
    """The partner a non-superuser may administer in the Django admin, or None (no access)."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return None
    if getattr(user, "is_superuser", False) or not getattr(user, "partner_id", None):
        return None
    return user.partner_id if PartnerRole.GLOBAL_ADMIN in user.role_codes else None


def is_operator(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def may_use_admin(request) -> bool:
    return is_operator(request) or admin_partner_id(request.user) is not None


class _ScopingMixin:
    """Shared by ``PartnerScopedAdmin`` (ModelAdmin) and ``PartnerScopedInline``."""

    partner_lookup: str | None = None
    customer_lookup: str | None = None
    subscription_lookup: str | None = None

    def scope_queryset(self, request, queryset: QuerySet) -> QuerySet:
        """``queryset`` limited to what ``request.user`` may administer."""
        if is_operator(request):
            return queryset
        partner_id = admin_partner_id(request.user)
        if partner_id is None:
            return queryset.none()
        if self.partner_lookup:
            return queryset.filter(**{self.partner_lookup: partner_id})
        if self.customer_lookup:
            return queryset.filter(**{f"{self.customer_lookup}__in": customers_visible_to(request.user)})
        if self.subscription_lookup:
            return queryset.filter(**{f"{self.subscription_lookup}__in": subscriptions_visible_to(request.user)})
        raise ImproperlyConfigured(f"{type(self).__name__} needs partner_lookup, customer_lookup or "
                                   "subscription_lookup")

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _related_choices(self, request, model) -> QuerySet | None:
        """Choices for a relation to ``model``: scoped by that model's admin when it is a scoped one."""
        if is_operator(request):
            return None
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, _ScopingMixin):
            return related_admin.scope_queryset(request, model._default_manager.all())
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self._related_choices(request, db_field.remote_field.model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self._related_choices(request, db_field.remote_field.model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Permissions: Django's model permissions, and never without a partner to administer.
    def has_module_permission(self, request):
        return may_use_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return may_use_admin(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return may_use_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_use_admin(request) and super().has_delete_permission(request, obj)


class PartnerScopedAdmin(_ScopingMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows, choices and saves are limited to the editor's partner."""

    operator_only_delete = False  # True when a delete would reach other partners' data (e.g. a shared tenant)

    def has_delete_permission(self, request, obj=None):
        if self.operator_only_delete and not is_operator(request):
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.ensure_in_scope(request, form.instance)

    def ensure_in_scope(self, request, obj) -> None:
        """Refuse (and roll back: the admin wraps the save in a transaction) a save that leaves the scope."""
        if is_operator(request):
            return
        if not self.scope_queryset(request, type(obj)._default_manager.filter(pk=obj.pk)).exists():
            raise PermissionDenied(_("You can only save objects that belong to your own partner."))


class LimitedInlineFormSet(BaseInlineFormSet):
    """Shows at most ``limit`` existing rows (big relations such as a subscription's license assignments)."""

    limit = 25

    def get_queryset(self):
        if not hasattr(self, "_limited_queryset"):
            self._limited_queryset = super().get_queryset()[: self.limit]
        return self._limited_queryset


class PartnerScopedInline(_ScopingMixin):
    """Mixin for Tabular/Stacked inlines: rows and choices scoped like ``PartnerScopedAdmin``."""


class OperatorEditableMixin:
    """Shared platform data (the catalog): operators edit, partner global admins view read-only.

    Mix into a ModelAdmin (``OperatorEditableAdmin``) or an inline.
    """

    def has_module_permission(self, request):
        return may_use_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_operator(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_operator(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request) and super().has_delete_permission(request, obj)


class OperatorEditableAdmin(OperatorEditableMixin, admin.ModelAdmin):
    """A catalog ModelAdmin."""
