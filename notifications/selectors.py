"""Scoping of notifications (registered in ``core.scoping``): a user's own and their partner's. An operator reads
only their own as well (notifications are messages, not data to supervise)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.scoping import register, visible_to

from .models import Notification


def notifications_scope(actor) -> QuerySet[Notification]:
    if getattr(actor, "is_application", False) or getattr(actor, "pk", None) is None:
        return Notification.objects.none()
    condition = Q(user_id=actor.pk)
    if getattr(actor, "partner_id", None):
        condition |= Q(user__isnull=True, partner_id=actor.partner_id)
    return Notification.objects.filter(condition)


def notifications_visible_to(actor) -> QuerySet[Notification]:
    return visible_to(Notification, actor)


def register_scopes() -> None:
    register(Notification, notifications_scope, operator=notifications_scope)
