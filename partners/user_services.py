"""Partner user management (domain.md §2: global admins and user management admins).

Invite (create) a user of the actor's own partner with a set-password link, set roles and security groups,
deactivate (never delete; API tokens revoked). Only users of the actor's partner are in reach (others: 404);
a platform operator (superuser, no partner) reaches every partner's users (the Django admin) and names the
partner when inviting.
After every change ``partners.services.partner_user_sync_admin_access(user)`` grants or removes Django admin
access, and ``partners.signals.partner_user_changed`` tells the apps above (``delegation`` mirrors the user's
groups for the guardian grants). The user model is reached through ``get_user_model()``: ``accounts`` sits above
``partners``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.scoping import visible_to

from .models import PartnerRole, PartnerRoleAssignment, SecurityGroup
from .roles import Capability, is_global_admin, is_operator, require
from .services import partner_user_sync_admin_access
from .signals import partner_user_changed

if TYPE_CHECKING:  # annotations only; at run time the model comes from get_user_model()
    from accounts.models import User

RESOURCE = "PartnerUser"


def partner_users_visible_to(actor) -> QuerySet[User]:
    """Users of the actor's own partner (for user managers); nobody else's. Operators: every partner user.
    (The registry's ``User`` scope, ``accounts.selectors``.)"""
    return visible_to(get_user_model(), actor).prefetch_related("partner_roles", "security_groups")


def partner_user_for(actor, *, user_id) -> User:
    require(actor, Capability.MANAGE_PARTNER_USERS)
    try:
        return partner_users_visible_to(actor).get(pk=user_id)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise NotFound(_("User not found."), field="user") from None


def set_password_path(user: User) -> str:
    """A one-time link (Django's PasswordResetTokenGenerator) for the user to choose a password."""
    return reverse(
        "partners:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "isActive": user.is_active,
        "roles": sorted(user.partner_roles.values_list("role", flat=True)),
        "groups": sorted(user.security_groups.values_list("name", flat=True)),
    }


def _sync_access(user: User) -> None:
    """Django admin access (portal engineer), then the apps above follow (``partner_user_changed``)."""
    if hasattr(user, "_role_codes"):
        del user._role_codes
    partner_user_sync_admin_access(user)
    partner_user_changed.send(sender=type(user), user=user)


def _clean_roles(actor, roles) -> set[str]:
    roles = set(roles or [])
    unknown = roles - set(PartnerRole.values)
    if unknown:
        raise InvalidInput(
            ngettext("roles: unknown role %(roles)s.", "roles: unknown roles %(roles)s.", len(unknown))
            % {"roles": ", ".join(sorted(unknown))},
            field="roles",
        )
    if not roles:
        raise InvalidInput(_("roles: choose at least one role."), field="roles")
    return roles


def _guard_global_admin(actor, *, granting: bool, target: User | None) -> None:
    """Only a global admin may give the global admin role or change a global admin (Partner Center rule)."""
    if is_operator(actor) or is_global_admin(actor):
        return
    if granting or (target is not None and is_global_admin(target)):
        raise Forbidden(_("Only a global admin can give the global admin role or change a global admin."))


def _groups(partner_id, group_ids) -> list[SecurityGroup]:
    try:
        group_ids = {int(pk) for pk in (group_ids or [])}
    except (TypeError, ValueError):
        raise InvalidInput(
            _("groups: every group must be one of your partner's security groups."), field="groups"
        ) from None
    groups = list(SecurityGroup.objects.filter(partner_id=partner_id, pk__in=group_ids))
    if len(groups) != len(group_ids):
        raise InvalidInput(_("groups: every group must be one of your partner's security groups."), field="groups")
    return groups


def _audit(actor, user, old, new):
    """One record per service call (``UPDATE_PARTNER_USER``)."""
    audit_record_create(
        actor=actor,
        operation_type=OperationType.UPDATE_PARTNER_USER,
        resource_type=RESOURCE,
        partner=user.partner,
        old=old,
        new=new,
    )


def partner_user_invite(
    *,
    actor,
    username: str,
    email: str,
    roles,
    group_ids=(),
    first_name: str = "",
    last_name: str = "",
    link_base: str = "",
    partner=None,
) -> tuple[User, str]:
    """Create a user of the actor's partner with no usable password; e-mail them a set-password link.

    ``partner`` is for platform operators only (who have no partner of their own); a partner user always invites
    into their own partner. Returns the user and the link's path (the page shows it too, for when mail is not
    set up)."""
    require(actor, Capability.MANAGE_PARTNER_USERS)
    if actor.partner_id:
        partner_id = actor.partner_id
    elif is_operator(actor):
        if partner is None:
            raise InvalidInput(_("partner: choose the partner the user works for."), field="partner")
        partner_id = getattr(partner, "pk", partner)
    else:
        raise Forbidden(_("Only partner users manage partner users."))
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise InvalidInput(_("username: give 1 to 150 characters."), field="username")
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("username: %(name)s is already taken.") % {"name": username}, field="username")
    try:
        validate_email(email or "")
    except ValidationError:
        raise InvalidInput(_("email: enter a valid e-mail address."), field="email") from None
    roles = _clean_roles(actor, roles)
    _guard_global_admin(actor, granting=PartnerRole.GLOBAL_ADMIN in roles, target=None)
    groups = _groups(partner_id, group_ids)
    with transaction.atomic():
        user = get_user_model()(
            username=username,
            email=email,
            first_name=first_name or "",
            last_name=last_name or "",
            partner_id=partner_id,
        )
        user.set_unusable_password()
        user.save()
        PartnerRoleAssignment.objects.bulk_create([PartnerRoleAssignment(user=user, role=r) for r in sorted(roles)])
        user.security_groups.set(groups)
        _sync_access(user)
        _audit(actor, user, None, _snapshot(user))
        path = set_password_path(user)
        send_mail(
            subject=_("Your CSP portal account"),
            message=_("An account was created for you at %(partner)s. Choose your password here: %(link)s")
            % {"partner": user.partner.name if user.partner else "", "link": f"{link_base}{path}"},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    return user, path


def partner_user_update(
    *, actor, user_id, roles, group_ids=(), account_changes: tuple[dict, dict] | None = None
) -> User:
    """Set a user's roles and security groups (replacing the previous ones).

    ``account_changes`` = (old, new) values of other account fields the caller (an operator's admin save)
    changed in the same transaction: they go into this call's single audit record."""
    user = partner_user_for(actor, user_id=user_id)
    roles = _clean_roles(actor, roles)
    _guard_global_admin(actor, granting=PartnerRole.GLOBAL_ADMIN in roles and not is_global_admin(user), target=user)
    groups = _groups(user.partner_id, group_ids)
    with transaction.atomic():
        old = _snapshot(user)
        if is_global_admin(user) and PartnerRole.GLOBAL_ADMIN not in roles:
            _require_another_global_admin(user)
        user.partner_roles.exclude(role__in=roles).delete()
        have = set(user.partner_roles.values_list("role", flat=True))
        PartnerRoleAssignment.objects.bulk_create(
            [PartnerRoleAssignment(user=user, role=r) for r in sorted(roles - have)]
        )
        user.security_groups.set(groups)
        _sync_access(user)
        new = _snapshot(user)
        if account_changes is not None:
            old, new = {**old, "account": account_changes[0]}, {**new, "account": account_changes[1]}
        _audit(actor, user, old, new)
    return user


def _require_another_global_admin(user: User) -> None:
    if user.partner_id is None:  # not a partner user: no partner to leave without a global admin
        return
    others = (
        get_user_model()
        .objects.filter(partner_id=user.partner_id, is_active=True, partner_roles__role=PartnerRole.GLOBAL_ADMIN)
        .exclude(pk=user.pk)
    )
    if not others.exists():
        raise Conflict(
            _("%(user)s is the partner's last global admin: give the role to someone else first.")
            % {"user": user.username},
            field="roles",
        )


def partner_user_deactivate(*, actor, user_id) -> User:
    """Deactivate (never delete): the user can no longer sign in and their API tokens are revoked."""
    user = partner_user_for(actor, user_id=user_id)
    if user.pk == actor.pk:
        raise InvalidInput(_("user: you cannot deactivate yourself."), field="user")
    _guard_global_admin(actor, granting=False, target=user)
    with transaction.atomic():
        old = _snapshot(user)
        if is_global_admin(user):
            _require_another_global_admin(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = user.api_tokens.filter(revoked=False).update(revoked=True)
        _sync_access(user)
        _audit(actor, user, old, {**_snapshot(user), "revokedTokens": revoked})
    return user


def partner_user_reactivate(*, actor, user_id) -> User:
    user = partner_user_for(actor, user_id=user_id)
    _guard_global_admin(actor, granting=False, target=user)
    if user.is_active:
        return user  # nothing to change, nothing to record
    with transaction.atomic():
        old = _snapshot(user)
        user.is_active = True
        user.save(update_fields=["is_active"])
        _sync_access(user)
        _audit(actor, user, old, _snapshot(user))
    return user
