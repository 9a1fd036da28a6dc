"""State kept by the API itself: idempotency records for ``MS-RequestId`` / ``Idempotency-Key``."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyState(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")


class IdempotencyRecord(models.Model):
    """The first response to a POST/PATCH carrying a request id, replayed for retries within 24 hours.

    The unique constraint on (actor, key) is what stops two concurrent requests with the same id from both
    running: the first inserts a ``processing`` row in its own transaction, the second one's insert fails.
    """

    key = models.CharField(_("request id"), max_length=200)
    actor = models.CharField(_("actor"), max_length=100, help_text=_("user:<id> or app:<application id>"))
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    body_hash = models.CharField(_("body hash"), max_length=64)
    state = models.CharField(
        _("state"), max_length=16, choices=IdempotencyState.choices, default=IdempotencyState.PROCESSING
    )
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response = models.JSONField(_("response body"), null=True, blank=True, encoder=DjangoJSONEncoder)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="unique_idempotency_key_per_actor")]
        ordering = ["-created"]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}] {self.state}"
