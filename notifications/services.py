"""Writing and reading notifications. Other apps call ``notification_create``."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import translation

from core.errors import InvalidInput

from .models import Level, Notification
from .selectors import notifications_visible_to


def texts_of(message: Callable[[], str]) -> dict[str, str]:
    """``message()`` (a function that builds the text with gettext) in each of the portal's languages."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(message())[:500]
    return texts


def notification_create(
    *,
    message: str | Callable[[], str],
    user=None,
    partner=None,
    customer=None,
    level: str = Level.INFO,
    link: str = "",
    key: str = "",
) -> Notification:
    """One notification for ``user``, or for every user of ``partner`` (at least one is required). With a
    ``key`` it is sent once: a second call with the same key answers the first notification, unchanged.

    ``message`` is a function that builds the text with gettext (it is run once per language, so every reader
    sees it in theirs: ``Notification.text``), or a plain text shown as is."""
    if user is None and partner is None:
        raise InvalidInput("A notification needs a user or a partner.", field="user")
    if level not in Level.values:
        raise InvalidInput(f"Unknown level {level!r}: use one of {', '.join(Level.values)}.", field="level")
    texts = texts_of(message) if callable(message) else {}
    text = texts.get(settings.LANGUAGE_CODE, "") if callable(message) else str(message or "")
    if not text:
        raise InvalidInput("A notification needs a message.", field="message")
    fields = {"user": user, "partner": partner, "customer": customer, "level": level, "link": link[:500]}
    fields.update(message=text[:500], texts=texts)
    if not key:
        return Notification.objects.create(**fields)
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Notification.objects.create(key=key[:200], **fields)
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
