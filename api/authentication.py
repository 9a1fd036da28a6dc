"""Bearer token authentication for /v1/ (user tokens and application tokens)."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, hash_token
from accounts.principals import ApplicationPrincipal


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
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
        if token.user_id:
            if not token.user.is_active:
                raise exceptions.AuthenticationFailed("User inactive.")
            return token.user, token
        return ApplicationPrincipal(
            partner=token.partner, application_id=token.application_id, token_id=token.pk
        ), token

    def authenticate_header(self, request):
        return self.keyword
