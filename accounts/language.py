"""The portal's language for a request (issue 13): a signed-in user's stored choice wins; without one, Django's
``LocaleMiddleware`` has already taken the language cookie or the browser's ``Accept-Language``.

``user_language_set`` stores a user's choice (the switcher at ``/i18n/setlang/`` calls it through
``accounts.language_views``); ``language_of`` is the language to write to a user in (e-mails, notices).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_of(user) -> str:
    """The language to address ``user`` in: the stored one, else the site's default."""
    code = getattr(user, "language", "") or ""
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def user_language_set(*, user, language: str) -> bool:
    """Store ``language`` as ``user``'s choice; False (nothing stored) for a code the portal does not offer.
    A preference of the user's own, not domain data: no audit record."""
    if language not in LANGUAGE_CODES or not getattr(user, "pk", None):
        return False
    if user.language != language:
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return True


class UserLanguageMiddleware:
    """After ``AuthenticationMiddleware``: activate a signed-in user's stored language for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        code = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if code in LANGUAGE_CODES:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)
