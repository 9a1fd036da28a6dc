"""Django admin of users and API tokens (issue 8: the admin as a thin adapter).

Partner users change through ``partners.user_services``, like on the portal's user pages:

- add → ``partner_user_invite`` (roles validated, a set-password link instead of a typed password);
- roles and security groups → ``partner_user_update`` (e.g. the partner's last global admin keeps the role);
- actions *Deactivate* / *Reactivate* → ``partner_user_deactivate`` / ``partner_user_reactivate``.

A partner global admin sees their own partner's users only, never deletes one, and never sees the fields that
grant platform power (``is_staff``, ``is_superuser``, ``partner``, permissions and auth groups). Platform
operators edit every field; a partner user's roles still go through the service (one audit record holds both the
account fields and the roles), other users' edits and every delete are recorded by ``AuditedAdminMixin``.

API tokens: view (own partner's) and the action *Revoke* (``accounts.services.api_token_revoke``).
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import password_validation
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin_mixins import (
    AuditedAdminMixin,
    PartnerScopedAdmin,
    ViewOnlyMixin,
    is_operator_request,
    object_snapshot,
    request_admin_partner_id,
)
from audit.models import OperationType
from audit.services import audit_record_create
from core.scoping import actor_of, visible_to
from partners.models import PartnerRole, SecurityGroup
from partners.user_services import (
    partner_user_deactivate,
    partner_user_invite,
    partner_user_reactivate,
    partner_user_update,
)

from .mfa_admin import reset_mfa as reset_mfa_of
from .models import ApiToken, User
from .services import api_token_revoke

ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "language", "is_active", "is_staff", "is_superuser")


class RolesAndGroupsForm(forms.ModelForm):
    """A partner user's roles and security groups (not model fields: the service sets them)."""

    roles = forms.MultipleChoiceField(
        label=_("Partner roles"), choices=PartnerRole.choices, widget=forms.CheckboxSelectMultiple
    )
    security_groups = forms.ModelMultipleChoiceField(
        label=_("Security groups"),
        queryset=SecurityGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    group_partner_id: int | None = None  # set per request by ``UserAdmin.get_form``: whose groups are choices
    service_backed = True  # saved through ``partners.user_services`` (see ``UserAdmin.save_model``)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partner_id = self.group_partner_id or self.instance.partner_id
        groups = SecurityGroup.objects.select_related("partner").order_by("partner__code", "name")
        self.fields["security_groups"].queryset = groups.filter(partner_id=partner_id) if partner_id else groups
        if self.instance.pk:
            self.initial.setdefault("roles", sorted(self.instance.role_codes))
            self.initial.setdefault("security_groups", list(self.instance.security_groups.values_list("pk", flat=True)))

    def group_ids(self) -> list[int]:
        return [group.pk for group in self.cleaned_data.get("security_groups") or []]


class PartnerUserInviteForm(RolesAndGroupsForm):
    """A partner global admin invites a user of their own partner."""

    email = forms.EmailField(label=_("E-mail"))

    class Meta:
        model = User
        fields = ("username", "email", "first_name", "last_name")


class PartnerUserRolesForm(RolesAndGroupsForm):
    """A partner global admin changes a user's roles and security groups (nothing else)."""

    class Meta:
        model = User
        fields = ()


class OperatorUserAddForm(PartnerUserInviteForm):
    """An operator adds a partner user (invited: roles required, no password) or another user (a password)."""

    roles = forms.MultipleChoiceField(
        label=_("Partner roles"),
        choices=PartnerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Partner users only (at least one)."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    password1 = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_(
            "Users without a partner only: partner users choose their own password through the set-password link."
        ),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"), required=False, strip=False, widget=forms.PasswordInput
    )

    class Meta:
        model = User
        fields = ("username", "email", "first_name", "last_name", "partner")

    def clean(self):
        data = super().clean()
        if data.get("partner"):
            if not data.get("roles"):
                self.add_error("roles", _("A partner user needs at least one role."))
            if not data.get("email"):
                self.add_error("email", _("A partner user needs an e-mail address for the set-password link."))
            if data.get("password1") or data.get("password2"):
                self.add_error("password1", _("Partner users choose their own password through the link."))
        else:
            if data.get("roles") or data.get("security_groups"):
                self.add_error("partner", _("Roles and security groups need a partner."))
            if not data.get("password1"):
                self.add_error("password1", _("Give a password."))
            elif data.get("password1") != data.get("password2"):
                self.add_error("password2", _("The two password fields didn't match."))
            else:
                try:
                    password_validation.validate_password(data["password1"], self.instance)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return data

    @property
    def service_backed(self):
        return bool(self.cleaned_data.get("partner"))


class OperatorPartnerUserChangeForm(RolesAndGroupsForm, UserChangeForm):
    """An operator edits a partner user: account fields here, roles and groups through the service."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"  # noqa: DJ007 - Django's UserChangeForm; the admin's fieldsets choose what shows


class OperatorUserChangeForm(UserChangeForm):
    """An operator edits a user without a partner (operator, customer tenant admin): a plain, audited edit."""

    service_backed = False

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


def account_snapshot(user: User) -> dict:
    values = object_snapshot(user)
    return {name: values[name] for name in (*ACCOUNT_FIELDS, "groups", "user_permissions") if name in values}


@admin.register(User)
class UserAdmin(PartnerScopedAdmin, DjangoUserAdmin):
    partner_lookup = "partner"
    audit_operation_type = OperationType.UPDATE_PARTNER_USER
    list_display = ("username", "email", "first_name", "last_name", "partner", "is_active", "is_staff")
    list_filter = (
        "is_active",
        "is_staff",
        "is_superuser",
        ("partner", admin.RelatedOnlyFieldListFilter),
        "partner_roles__role",
    )
    search_fields = ("username", "email", "first_name", "last_name")
    list_select_related = ("partner",)
    inlines = []
    actions = ["deactivate_users", "reactivate_users", "reset_mfa"]

    PARTNER_FIELDSET = (_("Partner"), {"fields": ("partner", "roles", "security_groups")})
    DATES_FIELDSET = (_("Important dates"), {"fields": ("last_login", "date_joined")})

    def scope_queryset(self, request, queryset):
        queryset = super().scope_queryset(request, queryset)
        return queryset if is_operator_request(request) else queryset.filter(is_superuser=False)

    # -- forms ------------------------------------------------------------------------------------------------
    def form_class(self, request, obj):
        if not is_operator_request(request):
            return PartnerUserRolesForm if obj is not None else PartnerUserInviteForm
        if obj is None:
            return OperatorUserAddForm
        return OperatorPartnerUserChangeForm if obj.partner_id else OperatorUserChangeForm

    def get_fieldsets(self, request, obj=None):
        if not is_operator_request(request):
            if obj is None:
                return [
                    (None, {"fields": ("username", "email", "first_name", "last_name")}),
                    (_("Partner"), {"fields": ("roles", "security_groups")}),
                ]
            return [
                (None, {"fields": ("username", "first_name", "last_name", "email")}),
                (_("Partner"), {"fields": ("roles", "security_groups")}),
                (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
            ]
        if obj is None:
            return [
                (None, {"fields": ("username", "email", "first_name", "last_name")}),
                self.PARTNER_FIELDSET,
                (_("Password (users without a partner)"), {"fields": ("password1", "password2")}),
            ]
        permissions = (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        )
        partner = self.PARTNER_FIELDSET if obj.partner_id else (_("Partner"), {"fields": ("partner",)})
        return [
            (None, {"fields": ("username", "password")}),
            (_("Personal info"), {"fields": ("first_name", "last_name", "email", "language")}),
            partner,
            permissions,
            self.DATES_FIELDSET,
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not is_operator_request(request):
            return ("username", "first_name", "last_name", "email", "is_active", "last_login", "date_joined")
        # The partner is chosen once; a partner user's active flag changes through the actions.
        return ("partner", "last_login", "date_joined", *(("is_active",) if obj.partner_id else ()))

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = self.form_class(request, obj)
        form = super(DjangoUserAdmin, self).get_form(request, obj, **kwargs)
        form.group_partner_id = request_admin_partner_id(request)
        return form

    def get_list_filter(self, request):
        if is_operator_request(request):
            return self.list_filter
        return ("is_active", "partner_roles__role")

    # -- saving -----------------------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        if not form.service_backed:  # an operator's plain edit of a user without a partner: audited by the mixin
            if not change:
                obj.set_password(form.cleaned_data["password1"])
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        if not change:
            user, path = partner_user_invite(
                actor=request.user,
                username=data["username"],
                email=data["email"],
                roles=data["roles"],
                group_ids=form.group_ids(),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                link_base=request.build_absolute_uri("/")[:-1],
                partner=data.get("partner"),
            )
            obj.pk = user.pk
            obj._state.adding = False
            obj.refresh_from_db()
            self.message_user(
                request,
                _("%(user)s was invited. Set-password link (also e-mailed): %(link)s")
                % {"user": user.username, "link": request.build_absolute_uri(path)},
            )
        elif is_operator_request(request):  # account fields now, roles and groups with them in ``save_related``
            obj._account_old = account_snapshot(type(obj).objects.get(pk=obj.pk))
            obj.save()

    def save_related(self, request, form, formsets, change):
        if not form.service_backed:
            return super().save_related(request, form, formsets, change)
        obj = form.instance
        if change:
            account_changes = None
            if hasattr(obj, "_account_old"):
                form.save_m2m()
                account_changes = (obj._account_old, account_snapshot(obj))
            partner_user_update(
                actor=request.user,
                user_id=obj.pk,
                roles=form.cleaned_data["roles"],
                group_ids=form.group_ids(),
                account_changes=account_changes,
            )
        self.ensure_in_scope(request, obj)

    # -- actions ----------------------------------------------------------------------------------------------
    @admin.action(description=_("Deactivate the selected users (API tokens revoked)"), permissions=["change"])
    def deactivate_users(self, request, queryset):
        self.run_service_action(
            request,
            queryset,
            lambda user: partner_user_deactivate(actor=request.user, user_id=user.pk),
            ngettext_lazy("%(count)d user deactivated.", "%(count)d users deactivated.", "count"),
        )

    @admin.action(description=_("Reactivate the selected users"), permissions=["change"])
    def reactivate_users(self, request, queryset):
        self.run_service_action(
            request,
            queryset,
            lambda user: partner_user_reactivate(actor=request.user, user_id=user.pk),
            ngettext_lazy("%(count)d user reactivated.", "%(count)d users reactivated.", "count"),
        )

    @admin.action(description=_("Reset multi-factor sign-in of the selected users"), permissions=["mfa_reset"])
    def reset_mfa(self, request, queryset):
        reset_mfa_of(self, request, queryset)

    def has_mfa_reset_permission(self, request) -> bool:
        """Only operators reset a user's device (``accounts.mfa.user_mfa_reset`` refuses anybody else too)."""
        return is_operator_request(request)

    # -- passwords --------------------------------------------------------------------------------------------
    def user_change_password(self, request, id, form_url=""):
        """Operators only (audited); partner users choose their own password through the set-password link."""
        if not is_operator_request(request):
            if self.get_object(request, unquote(id)) is None:
                raise Http404(_("User not found."))
            raise PermissionDenied
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if (
                request.method == "POST"
                and response.status_code == 302
                and response["Location"] != request.get_full_path()
            ):
                user = User.objects.select_related("partner").get(pk=self.get_object(request, id).pk)
                audit_record_create(
                    actor=request.user,
                    operation_type=OperationType.UPDATE_PARTNER_USER,
                    resource_type=User._meta.label,
                    partner=user.partner,
                    old={"username": user.username},
                    new={"username": user.username, "password": "changed"},
                )
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(ViewOnlyMixin, PartnerScopedAdmin):
    """Tokens are issued by ``manage.py createapitoken`` (the raw secret is shown once); here they are revoked."""

    list_display = ("prefix", "name", "user", "partner", "application_id", "created", "last_used", "revoked")
    list_filter = ("revoked", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("prefix", "name", "user__username", "partner__name", "application_id")
    list_select_related = ("user", "partner")
    fields = ("name", "prefix", "user", "partner", "application_id", "created", "last_used", "revoked")
    readonly_fields = fields
    actions = ["revoke"]

    def scope_queryset(self, request, queryset):
        """Operators: every token; a partner global admin: their partner's (the registry's ``ApiToken`` scope)."""
        if is_operator_request(request):
            return queryset
        if request_admin_partner_id(request) is None:
            return queryset.none()
        return visible_to(queryset, actor_of(request))

    def get_list_filter(self, request):
        return self.list_filter if is_operator_request(request) else ("revoked",)

    def has_revoke_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        self.run_service_action(
            request,
            queryset.filter(revoked=False),
            lambda token: api_token_revoke(actor=request.user, token=token),
            ngettext_lazy("%(count)d token revoked.", "%(count)d tokens revoked.", "count"),
        )


# ------------------------------------------------------------------------------------------------ platform admins
class AuditedGroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    """Django's permission groups (the partner global admins' group among them): every operator edit audited."""

    audit_operation_type = OperationType.UPDATE_PLATFORM_SETTING


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Sign-in lockouts, without django-axes' "clean up expired attempts" action (it fails on this axes
    version; the lockout's cool-off already expires attempts)."""

    actions: list = []


for model_class, admin_class in ((Group, AuditedGroupAdmin), (AccessAttempt, AccessAttemptAdmin)):
    if admin.site.is_registered(model_class):
        admin.site.unregister(model_class)
    admin.site.register(model_class, admin_class)
