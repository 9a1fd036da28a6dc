"""Writing and reading notifications. Other apps call ``notification_create``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from core.errors import InvalidInput

from .models import Level, Notification
from .selectors import notifications_visible_to


def notification_create(
    *, message: str, user=None, partner=None, customer=None, level: str = Level.INFO, link: str = "", key: str = ""
) -> Notification:
    """One notification for ``user``, or for every user of ``partner`` (at least one is required). With a
    ``key`` it is sent once: a second call with the same key answers the first notification, unchanged."""
    if user is None and partner is None:
        raise InvalidInput("A notification needs a user or a partner.", field="user")
    if level not in Level.values:
        raise InvalidInput(f"Unknown level {level!r}: use one of {', '.join(Level.values)}.", field="level")
    if not message:
        raise InvalidInput("A notification needs a message.", field="message")
    fields = {"user": user, "partner": partner, "customer": customer, "level": level, "link": link[:500]}
    if not key:
        return Notification.objects.create(message=str(message)[:500], **fields)
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Notification.objects.create(message=str(message)[:500], key=key[:200], **fields)
    except IntegrityError:  # a concurrent call with the same key won
        return Notification.objects.get(key=key)


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications and their partner's (one query, newest first; the registry's scope)."""
    return notifications_visible_to(user)


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's (and partner-wide) notifications read; all of them when ``ids`` is None."""
    queryset = notifications_for(user).filter(read=False)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read=True)
