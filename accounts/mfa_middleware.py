"""After the password, the second factor: nothing but the MFA pages until the session is verified.

A signed-in session user with a confirmed device who has not entered a code yet is sent to ``mfa_verify``;
one whose role requires MFA and who has no device is sent to ``mfa_setup``. The Django admin is covered like
every page. Bearer-token API calls are not session sign-ins and pass untouched. Users who neither have a device
nor need one are marked at sign-in (``MFA_EXEMPT_SESSION_KEY``), so their requests cost no query.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .mfa import mfa_enrolled, mfa_required

MFA_EXEMPT_SESSION_KEY = "mfa_exempt"


def mark_session_at_login(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: remember for this session that no second factor applies."""
    if request is not None and hasattr(request, "session"):
        if mfa_enrolled(user) or mfa_required(user):
            request.session.pop(MFA_EXEMPT_SESSION_KEY, None)
        else:
            request.session[MFA_EXEMPT_SESSION_KEY] = True


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self._redirect_target(request)
        if target is not None:
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt_path(path: str) -> bool:
        free = [
            reverse("mfa_setup"),
            reverse("mfa_verify"),
            reverse("logout"),
            reverse("login"),
            "/" + settings.STATIC_URL.lstrip("/"),
        ]
        return any(path.startswith(prefix) for prefix in free)

    def _redirect_target(self, request) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
            return None
        if request.session.get(MFA_EXEMPT_SESSION_KEY) or user.is_verified() or self._exempt_path(request.path):
            return None
        if mfa_enrolled(user):
            return "mfa_verify"
        if mfa_required(user):
            return "mfa_setup"
        return None
