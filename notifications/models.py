"""In-portal notifications (the bell): for one user, or for every user of a partner."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    INFO = "info", _("Information")
    SUCCESS = "success", _("Success")
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text=_("Shown to every user of this partner when no user is set."),
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.INFO)
    message = models.CharField(_("message"), max_length=500, help_text=_("In the site's language."))
    texts = models.JSONField(
        _("texts"),
        default=dict,
        blank=True,
        help_text=_("The message in each of the portal's languages ({language code: text}), written when it was sent."),
    )
    link = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read = models.BooleanField(_("read"), default=False)
    key = models.CharField(
        _("key"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set for a notification sent once per event (e.g. upgrade-finished:<operation id>)."),
    )

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(partner__isnull=False),
                name="notification_has_recipient",
            ),
        ]
        indexes = [models.Index(fields=["user", "read"]), models.Index(fields=["partner", "read"])]

    def __str__(self):
        return self.message[:80]

    @property
    def text(self) -> str:
        """The message in the active language (the site's language for a notice sent before there were texts)."""
        return self.texts.get(get_language() or "", "") or self.message
