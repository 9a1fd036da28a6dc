"""Core models: the workflow history (one row per status move, ``core.workflow``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .workflow_tables import BY_NAME


class WorkflowTransition(models.Model):
    """One status move of one object of one workflow: who, when, from, to, why, correlation id."""

    workflow = models.CharField(_("workflow"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    from_status = models.CharField(_("from"), max_length=32, blank=True, help_text=_("Empty for the first status."))
    to_status = models.CharField(_("to"), max_length=32)
    reason = models.CharField(_("why"), max_length=500, blank=True)
    actor_user_id = models.PositiveBigIntegerField(_("user id"), null=True, blank=True)
    actor_username = models.CharField(_("user"), max_length=320, blank=True)
    actor_application_id = models.CharField(_("application id"), max_length=64, blank=True)
    correlation_id = models.CharField(_("correlation id"), max_length=64, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["id"]  # insertion order: services may pass a "now" of their own (tests travel in time)
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        indexes = [models.Index(fields=["workflow", "object_id"])]

    def __str__(self):
        return f"{self.workflow} {self.object_id}: {self.from_status or '∅'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        workflow = BY_NAME.get(self.workflow)
        return workflow.label(self.from_status) if workflow else self.from_status

    @property
    def to_label(self) -> str:
        workflow = BY_NAME.get(self.workflow)
        return workflow.label(self.to_status) if workflow else self.to_status

    @property
    def actor_display(self) -> str:
        if self.actor_username:
            return self.actor_username
        if self.actor_application_id:
            return f"app {self.actor_application_id}"
        return str(_("system"))
