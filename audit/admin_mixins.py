"""The admin's base mixins, shared by every app's admin (they sit in ``audit``, low in the layering, because they
write audit records and every app above may use them; they import no app above ``audit``).

Who may use the admin:

- platform operators (``core.scoping.is_operator``) see and edit everything, every partner;
- a staff user who holds the partner ``global_admin`` role (``partners.services.partner_user_sync_admin_access``
  gives them ``is_staff`` and the "Partner global admins" group) sees and edits ONLY their own partner's
  objects (``request.actor.admin_partner_id``, the role predicate ``partners.roles.admin_partner_id``); customer
  data is read through the scoping registry (``core.scoping.visible_to``), the same scopes the portal and the
  API use;
- anybody else sees nothing (Django itself keeps non-staff users out).

Every scoped admin declares how its rows reach the partner, with at most one of:

- ``partner_lookup``: a path to ``partners.Partner`` (``"partner"``, ``"user__partner"``, ``"pk"`` for Partner);
- ``customer_lookup``: a path to ``customers.Customer``; rows are limited to the registry's ``Customer`` scope;
- ``subscription_lookup``: a path to ``subscriptions.Subscription``; limited to the ``Subscription`` scope;
- none of them: the model's own registered scope (``core.scoping.register``).

Foreign-key and many-to-many choices are limited through the *target* model's registered admin, so a partner
admin can neither pick nor create anything that points to another partner. After a save the object must still
be inside the editor's scope (checked inside the admin's transaction), otherwise the change is refused.

The catalog (service families and plans, offers, prices, the upgrade matrix, the E4 options) is shared by all
partners, so it is edited by platform operators only (``OperatorEditableAdmin``); partner global admins may view
it. This narrows domain.md §2 ("catalog and upgrade matrix: global_admin") as the issue asks: one partner must
not change the catalog every other partner sells from.

Auditing (issue 8): the admin is a way in like any other, so every add, change, delete and action writes one audit
record. Admins whose writes go through a service override ``save_model`` / ``delete_model`` (and call the service
from typing import Any
from their actions); the service writes the record. Plain edits with no service (operators' catalog and
platform edits) are recorded by ``AuditedAdminMixin``. A ``DomainError`` raised by a service inside the admin's
transaction rolls the whole save back and is shown as an error message (``ServiceErrorsMixin``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.scoping import actor_of, is_operator, is_registered, visible_to

from .models import AuditRecord, OperationType
from .services import audit_record_build, audit_record_create


def is_operator_request(request) -> bool:
    """The request's actor is a platform operator (``core.scoping.is_operator``)."""
    return is_operator(actor_of(request))


class OperatorViewOnlyMixin:
    """An admin only a platform operator sees, and only to look: nobody adds, changes or deletes here (records
    written by the services: grants, idempotency records, retired plans)."""

    def has_module_permission(self, request):
        return is_operator_request(request)

    def has_view_permission(self, request, obj=None):
        return is_operator_request(request)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def request_admin_partner_id(request) -> int | None:
    """The partner the request's (non-operator) actor may administer in the Django admin, or None (no access)."""
    return getattr(actor_of(request), "admin_partner_id", None)


def may_use_admin(request) -> bool:
    return is_operator_request(request) or request_admin_partner_id(request) is not None


def scoped_model(label: str):
    """A registered model by label (``"customers.Customer"``): the apps above ``audit`` are not imported."""
    return apps.get_model(label)


class _ScopingMixin:
    """Shared by ``PartnerScopedAdmin`` (ModelAdmin) and ``PartnerScopedInline``."""

    partner_lookup: str | None = None
    customer_lookup: str | None = None
    subscription_lookup: str | None = None
    admin_site: admin.AdminSite  # set by ModelAdmin / InlineModelAdmin

    def scope_queryset(self, request, queryset: QuerySet) -> QuerySet:
        """``queryset`` limited to what the request's actor may administer (the registry's scopes)."""
        if is_operator_request(request):
            return queryset
        partner_id = request_admin_partner_id(request)
        if partner_id is None:
            return queryset.none()
        actor = actor_of(request)
        if self.partner_lookup:
            return queryset.filter(**{self.partner_lookup: partner_id})
        if self.customer_lookup:
            customers = visible_to(scoped_model("customers.Customer"), actor)
            return queryset.filter(**{f"{self.customer_lookup}__in": customers})
        if self.subscription_lookup:
            subscriptions = visible_to(scoped_model("subscriptions.Subscription"), actor)
            return queryset.filter(**{f"{self.subscription_lookup}__in": subscriptions})
        if is_registered(queryset.model):
            return visible_to(queryset, actor)
        raise ImproperlyConfigured(
            f"{type(self).__name__} needs partner_lookup, customer_lookup, subscription_lookup or a registered scope"
        )

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _related_choices(self, request, model) -> QuerySet | None:
        """Choices for a relation to ``model``: scoped by that model's admin when it is a scoped one."""
        if is_operator_request(request):
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


# ------------------------------------------------------------------------------------------------ auditing
# Secrets never go into an audit record (password hashes, token hashes).
SECRET_FIELDS = frozenset({"password", "key_hash"})


def object_snapshot(obj: Model) -> dict:
    """JSON-safe values of ``obj``'s concrete fields (and many-to-many pks), for an audit record."""
    values = {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.attname not in SECRET_FIELDS
    }
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True))
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def drop_deleted_references(record: AuditRecord) -> AuditRecord:
    """After a delete: a record keeps the customer's name but no foreign key to a partner or customer that the
    delete removed (the object itself, or by cascade)."""
    for name in ("partner", "customer"):
        target = getattr(record, name)
        if target is not None and (
            target.pk is None or not type(target)._default_manager.filter(pk=target.pk).exists()
        ):
            setattr(record, name, None)
    return record


def follow_path(obj: Model, path: str | None):
    """``obj`` followed along a lookup path such as ``"subscription__customer"`` (``"pk"`` is ``obj`` itself)."""
    if not path:
        return None
    if path == "pk":
        return obj
    current: Any = obj
    for name in path.split("__"):
        current = getattr(current, name, None)
        if current is None:
            return None
    return current


class AuditedAdminMixin:
    """One audit record per plain admin add, change and delete (inline rows included).

    ``audit_operation_type`` names the operation; ``audit_partner_path`` / ``audit_customer_path`` lead from the
    object to the partner and customer the record belongs to (defaults: the admin's scoping lookups). Admins
    that save through a service override ``save_model``/``delete_model``/``delete_queryset`` without calling
    these, so nothing is recorded twice.
    """

    audit_operation_type: str = OperationType.UPDATE_PLATFORM_SETTING
    audit_partner_path: str | None = None
    audit_customer_path: str | None = None

    def audit_context(self, obj: Model) -> dict:
        partner_path = self.audit_partner_path or getattr(self, "partner_lookup", None)
        customer_path = self.audit_customer_path or getattr(self, "customer_lookup", None)
        subscription_lookup = getattr(self, "subscription_lookup", None)
        if customer_path is None and subscription_lookup:
            customer_path = f"{subscription_lookup}__customer".removeprefix("pk__")
        partner = follow_path(obj, partner_path)
        customer = follow_path(obj, customer_path)
        return {
            "partner": partner if partner is not None and partner._meta.label == "partners.Partner" else None,
            "customer": customer if customer is not None and customer._meta.label == "customers.Customer" else None,
        }

    def audit_write(
        self, request, obj: Model, *, old: dict | None, new: dict | None, operation_type: str | None = None
    ) -> None:
        audit_record_create(
            actor=request.user,
            operation_type=operation_type or self.audit_operation_type,
            resource_type=obj._meta.label,
            old=old,
            new=new,
            **self.audit_context(obj),
        )

    def save_model(self, request, obj, form, change):
        previous = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk is not None else None
        obj._audit_old = object_snapshot(previous) if previous is not None else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if hasattr(obj, "_audit_old"):
            self.audit_write(request, obj, old=obj._audit_old, new=object_snapshot(obj))

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.audit_write(request, obj, old=None, new=object_snapshot(obj))
        for obj, changed in formset.changed_objects:
            self.audit_write(request, obj, old={"changed_fields": list(changed)}, new=object_snapshot(obj))
        for obj in formset.deleted_objects:
            self.audit_write(
                request, obj, old=object_snapshot(obj), new=None, operation_type=OperationType.DELETE_RECORD
            )

    def delete_model(self, request, obj):
        record = audit_record_build(
            actor=request.user,
            operation_type=OperationType.DELETE_RECORD,
            resource_type=obj._meta.label,
            old=object_snapshot(obj),
            new=None,
            **self.audit_context(obj),
        )
        super().delete_model(request, obj)
        drop_deleted_references(record).save(force_insert=True)

    def delete_queryset(self, request, queryset):
        records = [
            audit_record_build(
                actor=request.user,
                operation_type=OperationType.DELETE_RECORD,
                resource_type=obj._meta.label,
                old=object_snapshot(obj),
                new=None,
                **self.audit_context(obj),
            )
            for obj in queryset
        ]
        super().delete_queryset(request, queryset)
        AuditRecord.objects.bulk_create([drop_deleted_references(record) for record in records])


# ------------------------------------------------------------------------------------------------ services
class ServiceErrorsMixin:
    """Turns a ``DomainError`` raised by a service during an admin save or delete into an error message.

    The admin runs the save in a transaction, so the refused change leaves nothing behind; the user is sent
    back to the page they came from with the service's message (which names the field at fault).
    """

    message_user: Callable[..., None]  # ModelAdmin.message_user (the admin this mixes into)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            return self.refused(request, exc)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            return self.refused(request, exc)

    def changelist_view(self, request, extra_context=None):
        """A POST (an action, a list edit) runs in one transaction: a service refusal undoes all of it."""
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        except DomainError as exc:
            return self.refused(request, exc)

    def refused(self, request, exc: DomainError):
        message = f"{exc.field}: {exc}" if getattr(exc, "field", None) else str(exc)
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def run_service_action(
        self, request, objects: Iterable[Model], call: Callable[[Model], object], done_message: str | Promise
    ) -> int:
        """Call ``call(obj)`` (a service) for each object; report refusals one by one. Returns the count done."""
        done = 0
        for obj in objects:
            try:
                call(obj)
                done += 1
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, f"{obj}: {exc}", messages.WARNING)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        return done


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Told to the creator."),
    )


def run_reason_action(
    model_admin,
    request,
    queryset: QuerySet,
    call: Callable[[Model, str], object],
    *,
    done_message: str | Promise,
    title: str,
):
    """An action that needs a reason (a rejection): first an intermediate page asking it (like Django's delete
    confirmation; it lists only the selected objects of ``queryset``, i.e. of the editor's scope), then
    ``call(obj, reason)`` for each object with ``run_service_action``'s per-object messages."""
    form = ReasonForm(request.POST if "reason" in request.POST else None)
    if form.is_bound and form.is_valid():
        model_admin.run_service_action(
            request, queryset, lambda obj: call(obj, form.cleaned_data["reason"]), done_message
        )
        return None
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "objects": list(queryset),
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": opts,
        "app_label": opts.app_label,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/reason_action.html", context)


class ApprovalActionsMixin:
    """Four-eyes approval's admin actions (domain.md §9), for a ``PartnerScopedAdmin`` of jobs that may wait for
    approval. The admin names its services and messages and declares its two actions (their descriptions):
    ``approve_selected`` runs ``approve_service(actor, obj)`` for each object, ``reject_selected`` asks a reason
    first (``run_reason_action``) and runs ``reject_service(actor, obj, reason)``; a refusal (403, 409) is
    reported per object. Who may approve is the service's check; the actions need the view permission."""

    approve_service: Callable[[Any, Any], object]  # staticmethod
    reject_service: Callable[[Any, Any, str], object]  # staticmethod
    approved_message: str | Promise  # "%(count)d ... approved."
    rejected_message: str | Promise  # "%(count)d ... rejected."
    reject_title: str | Promise
    has_view_permission: Callable[..., bool]
    run_service_action: Callable[..., int]

    def has_approve_permission(self, request):
        return self.has_view_permission(request)

    def approve_selected(self, request, queryset):
        self.run_service_action(
            request, queryset, lambda obj: self.approve_service(request.user, obj), self.approved_message
        )

    def reject_selected(self, request, queryset):
        return run_reason_action(
            self,
            request,
            queryset,
            lambda obj, reason: self.reject_service(request.user, obj, reason),
            done_message=self.rejected_message,
            title=self.reject_title,
        )


def adopt_saved(obj: Model, saved: Model) -> Model:
    """Copy what a service saved into the admin's unsaved form instance (so the admin's redirect and messages
    after ``save_model`` see the real row)."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db
    return obj


class PartnerScopedAdmin(ServiceErrorsMixin, AuditedAdminMixin, _ScopingMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows, choices and saves are limited to the editor's partner."""

    operator_only_delete = False  # True when a delete would reach other partners' data (e.g. a shared tenant)

    def response_delete(self, request, obj_display, obj_id):
        """Back to the list after a delete whenever the editor may view it (Django asks for change rights)."""
        response = super().response_delete(request, obj_display, obj_id)
        if isinstance(response, HttpResponseRedirect) and self.has_view_permission(request):
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name)
            )
        return response

    def get_object(self, request, object_id, from_field=None):
        """The object in the editor's scope, else 404 (Django's own redirect would echo the id back)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("There is nothing with this id that you can see."))
        return obj

    def has_delete_permission(self, request, obj=None):
        if self.operator_only_delete and not is_operator_request(request):
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.ensure_in_scope(request, form.instance)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """On an object's history page a partner admin sees only the entries of their own partner's users (the
        other partner of a shared customer does not show there either)."""
        if queryset.model is LogEntry and not is_operator_request(request):
            queryset = queryset.filter(user__partner_id=request_admin_partner_id(request))
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def ensure_in_scope(self, request, obj) -> None:
        """Refuse (and roll back: the admin wraps the save in a transaction) a save that leaves the scope."""
        if is_operator_request(request):
            return
        if not self.scope_queryset(request, type(obj)._default_manager.filter(pk=obj.pk)).exists():
            raise PermissionDenied(_("You can only save objects that belong to your own partner."))


class ViewOnlyMixin:
    """Rows are shown, never added, changed or deleted here (they change through their services elsewhere).

    Mix in before ``PartnerScopedAdmin`` / ``PartnerScopedInline``."""

    can_delete = False

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
        return is_operator_request(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_operator_request(request) and super().has_delete_permission(request, obj)


class OperatorEditableAdmin(ServiceErrorsMixin, AuditedAdminMixin, OperatorEditableMixin, admin.ModelAdmin):
    """A catalog ModelAdmin: operators' edits are audited as catalog updates."""

    audit_operation_type = OperationType.UPDATE_CATALOG
