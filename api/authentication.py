"""Bearer token authentication for /v1/ (user tokens and application tokens).

``ApiToken.last_used`` is a minute-resolution figure: a request writes it only when the stored value is older
than ``LAST_USED_RESOLUTION`` (read with the token, so a token used within the minute costs no write at all),
with a conditional UPDATE so concurrent requests of the same token write it once.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, hash_token
from accounts.principals import ApplicationPrincipal

LAST_USED_RESOLUTION = timedelta(seconds=60)


def record_use(token: ApiToken) -> None:
    """Set ``token.last_used`` to now unless it was set less than a minute ago (then: no query)."""
    now = timezone.now()
    stale_before = now - LAST_USED_RESOLUTION
    if token.last_used is not None and token.last_used >= stale_before:
        return
    ApiToken.objects.filter(Q(last_used__isnull=True) | Q(last_used__lt=stale_before), pk=token.pk).update(
        last_used=now
    )


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'.")
        raw = header[1].decode("latin-1")
        token = (
            ApiToken.objects.select_related("user", "user__partner", "partner")
            .filter(key_hash=hash_token(raw), revoked=False)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        record_use(token)
        if token.user_id:
            if not token.user.is_active:
                raise exceptions.AuthenticationFailed("User inactive.")
            return token.user, token
        return ApplicationPrincipal(
            partner=token.partner, application_id=token.application_id, token_id=token.pk
        ), token

    def authenticate_header(self, request):
        return self.keyword
