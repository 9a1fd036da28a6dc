"""Scoping of the accounts app's rows (registered in ``core.scoping`` from ``AccountsConfig.ready``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.scoping import register, visible_to
from partners.roles import is_global_admin

from .models import ApiToken, User


def partner_users_scope(actor) -> QuerySet[User]:
    """Users of the actor's own partner (for user managers); an application reaches nobody."""
    if getattr(actor, "is_application", False) or not getattr(actor, "partner_id", None):
        return User.objects.none()
    return User.objects.filter(partner_id=actor.partner_id)


def partner_users_of_operator(actor) -> QuerySet[User]:
    """An operator with no partner reaches every partner user (never another operator's account here)."""
    if getattr(actor, "partner_id", None):
        return partner_users_scope(actor)
    return User.objects.filter(partner__isnull=False)


def api_tokens_scope(actor) -> QuerySet[ApiToken]:
    """A partner global admin: their partner's users' and applications' tokens."""
    if not is_global_admin(actor):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(Q(user__partner_id=actor.partner_id) | Q(partner_id=actor.partner_id))


def api_tokens_of_operator(actor) -> QuerySet[ApiToken]:
    return api_tokens_scope(actor) if getattr(actor, "partner_id", None) else ApiToken.objects.all()


def api_tokens_visible_to(actor) -> QuerySet[ApiToken]:
    """Tokens an operator (all) or a partner global admin (their partner's users' and applications') may revoke."""
    return visible_to(ApiToken, actor)


def register_scopes() -> None:
    register(User, partner_users_scope, operator=partner_users_of_operator)
    register(ApiToken, api_tokens_scope, operator=api_tokens_of_operator)
