"""Users of the portal and their API tokens.

One user model serves every persona: a partner user has ``partner`` set and holds partner roles
(``partners.PartnerRoleAssignment``); a customer tenant admin holds ``customers.CustomerAdminRole`` rows;
a platform operator is a superuser.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The CSP partner this user works for (empty for customer admins and operators)."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The portal's language for this user after sign-in (empty: the browser's language)."),
    )
    is_application = False  # an interactive or user-token actor (see accounts.principals)

    class Meta:
        ordering = ["username"]

    @property
    def role_codes(self) -> frozenset[str]:
        """The user's partner roles; cached on the instance (one query)."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.partner_roles.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A Bearer token for the /v1/ API.

    A *user token* (``user`` set) acts as that user with the user's roles (app + user context).
    An *application token* (``partner`` set, no user) acts for the partner in app-only context.
    Only the SHA-256 of the token is stored.
    """

    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="application_tokens"
    )
    application_id = models.UUIDField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, partner__isnull=True)
                    | models.Q(user__isnull=True, partner__isnull=False)
                ),
                name="apitoken_user_xor_partner",
            )
        ]

    def __str__(self):
        owner = self.user.username if self.user_id else f"app:{self.partner_id}"
        return f"{self.prefix}… ({owner})"

    @property
    def is_application(self) -> bool:
        return self.user_id is None

    @classmethod
    def issue(cls, *, user=None, partner=None, name: str = "") -> tuple["ApiToken", str]:
        """Create a token and return it with the raw secret (shown once)."""
        import uuid

        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name,
            key_hash=hash_token(raw),
            prefix=raw[:8],
            user=user,
            partner=partner,
            application_id=uuid.uuid4() if user is None else None,
        )
        return token, raw
