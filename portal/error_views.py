"""The portal's error pages (403, 404, 500, CSRF failure, sign-in lockout) in the portal's own layout.

Each says what happened and what to do next. Under ``/v1/`` the API keeps its JSON ServiceFault bodies.
The 500 page renders with no request context (no database, no context processors) and cannot fail itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from api.errors import fault_body
from api.errors import server_error as api_server_error

logger = logging.getLogger(__name__)

API_PREFIX = "/v1/"
# The last resort when even the 500 template cannot be rendered: plain HTML with nothing that could fail.
FALLBACK_500 = (
    '<!doctype html><html><head><meta charset="utf-8"><title>%(title)s</title></head><body>'
    '<h1>%(title)s</h1><p>%(text)s</p><p><a href="/">%(back)s</a></p></body></html>'
)
FALLBACK_500_TEXT = {
    "title": "Something went wrong",
    "text": "The error has been logged. Please try again in a moment.",
    "back": "Back to the portal",
}


def fallback_500() -> str:
    """The plain 500 page, translated when translations still work (English otherwise)."""
    try:
        texts = {
            "title": _("Something went wrong"),
            "text": _("The error has been logged. Please try again in a moment."),
            "back": _("Back to the portal"),
        }
    except Exception:
        texts = FALLBACK_500_TEXT
    return FALLBACK_500 % texts


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def exception_message(exception) -> str:
    """The message a view raised (our messages are written for users); empty for Django's internal ones."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    return str(message) if isinstance(message, str) else ""


def permission_denied(request, exception=None):
    """``handler403``: what was refused and the way to the user's own start page."""
    if is_api(request):
        return JsonResponse(
            fault_body(code=403, description=exception_message(exception) or _("Forbidden."), error_name="forbidden"),
            status=403,
        )
    return render(request, "403.html", {"message": exception_message(exception)}, status=403)


def page_not_found(request, exception=None):
    """``handler404``."""
    if is_api(request):
        return JsonResponse(fault_body(code=404, description=_("Not found."), error_name="not_found"), status=404)
    return render(request, "404.html", {"message": exception_message(exception)}, status=404)


def server_error(request, *args, **kwargs):
    """``handler500``: JSON under /v1/; else ``500.html`` rendered without context, or plain HTML if that fails."""
    if is_api(request):
        return api_server_error(request, *args, **kwargs)
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(fallback_500())


def csrf_failure(request, reason: str = ""):
    """``CSRF_FAILURE_VIEW``: the form was sent without a valid security token (usually an old or cached page)."""
    try:
        return render(request, "403_csrf.html", {"reason": reason, "no_referer": "Referer" in reason}, status=403)
    except Exception:
        logger.exception("The CSRF failure page could not be rendered")
        return HttpResponseForbidden(_("The form could not be sent: reload the page and try again."))


def duration_words(value: timedelta | None) -> str:
    """``timedelta(minutes=30)`` → ``"30 minutes"``; ``timedelta(hours=2)`` → ``"2 hours"``."""
    if not isinstance(value, timedelta) or value.total_seconds() <= 0:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def lockout(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: too many failed sign-ins (``AXES_HTTP_RESPONSE_CODE``, 429)."""
    from axes.helpers import get_cool_off, get_failure_limit

    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff": duration_words(get_cool_off(request)),
    }
    return render(request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
