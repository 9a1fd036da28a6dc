"""Partner user management pages (/partner/users/): global admins and user management admins only."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, Forbidden, NotFound

from . import user_services
from .forms import PartnerUserInviteForm, PartnerUserRolesForm
from .roles import Capability, require

FIELDS = {"username": "username", "email": "email", "roles": "roles", "groups": "groups"}


def user_manager_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require(request.user, Capability.MANAGE_PARTNER_USERS)
        if not request.user.partner_id:
            raise PermissionDenied(_("Partner users are managed by their own partner's admins."))
        return view(request, *args, **kwargs)  # NotFound / Forbidden: the 404 / 403 page (core.middleware)

    return wrapper


@user_manager_required
def user_list(request):
    users = list(user_services.partner_users_visible_to(request.user).order_by("username")[:1000])
    return render(request, "partners/user_list.html", {"users": users})


@user_manager_required
def user_invite(request):
    form = PartnerUserInviteForm(request.POST or None, partner_id=request.user.partner_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, path = user_services.partner_user_invite(
                actor=request.user,
                username=data["username"],
                email=data["email"],
                roles=data["roles"],
                group_ids=[g.pk for g in data["groups"]],
                first_name=data["first_name"],
                last_name=data["last_name"],
                link_base=request.build_absolute_uri("/")[:-1],
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            form.add_error(FIELDS.get(exc.field or ""), exc.message)
        else:
            messages.success(
                request,
                _("%(user)s was invited. Set-password link (also e-mailed): %(link)s")
                % {"user": user.username, "link": request.build_absolute_uri(path)},
            )
            return redirect("partners:user_detail", user_id=user.pk)
    return render(request, "partners/user_form.html", {"form": form})


@user_manager_required
def user_detail(request, user_id):
    target = user_services.partner_user_for(request.user, user_id=user_id)
    initial = {"roles": sorted(target.role_codes), "groups": list(target.security_groups.all())}
    form = PartnerUserRolesForm(request.POST or None, partner_id=request.user.partner_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_services.partner_user_update(
                actor=request.user,
                user_id=target.pk,
                roles=form.cleaned_data["roles"],
                group_ids=[g.pk for g in form.cleaned_data["groups"]],
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            form.add_error(FIELDS.get(exc.field or ""), exc.message)
        else:
            messages.success(request, _("Roles and groups saved."))
            return redirect("partners:user_detail", user_id=target.pk)
    return render(request, "partners/user_detail.html", {"target": target, "form": form})


@require_POST
@user_manager_required
def user_deactivate(request, user_id):
    try:
        user = user_services.partner_user_deactivate(actor=request.user, user_id=user_id)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(user)s was deactivated; their API tokens are revoked.") % {"user": user.username}
        )
    return redirect("partners:user_detail", user_id=user_id)


@require_POST
@user_manager_required
def user_reactivate(request, user_id):
    user = user_services.partner_user_reactivate(actor=request.user, user_id=user_id)
    messages.success(request, _("%(user)s was reactivated.") % {"user": user.username})
    return redirect("partners:user_detail", user_id=user_id)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation link: the new user chooses a password (validated by AUTH_PASSWORD_VALIDATORS)."""

    template_name = "partners/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False
