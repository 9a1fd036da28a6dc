"""Webhooks (issue 15), shaped like Partner Center's: a partner's registration (URL, events, secret), the events
that happened, one delivery per (event, registration) and a row per HTTP attempt."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Registration(models.Model):
    """A partner's webhook registration (Partner Center has one per partner; so do we)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, related_name="webhook_registration")
    url = models.CharField(_("webhook URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # The signing secret: generated here, shown once when created or rotated. Stored as is (it signs, it does
    # not authenticate us: the receiver holds the same value).
    secret = models.CharField(_("secret"), max_length=128)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    secret_rotated = models.DateTimeField(_("secret rotated"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook registration")
        verbose_name_plural = _("webhook registrations")

    def __str__(self):
        return self.url

    def wants(self, event_name: str) -> bool:
        return self.active and event_name in (self.events or [])


class Event(models.Model):
    """Something that happened to a partner's resource (``EventName`` of Partner Center's body)."""

    id = models.UUIDField(_("event id"), primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("event name"), max_length=80, db_index=True)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="webhook_events")
    resource_uri = models.CharField(_("resource URI"), max_length=500)
    resource_name = models.CharField(_("resource name"), max_length=80)
    audit_id = models.CharField(_("audit record"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.name} {self.created:%Y-%m-%d %H:%M}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event to one registration: attempted until a 2xx (delivered) or for a day (failed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="deliveries")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="webhook_deliveries")
    url = models.CharField(_("webhook URL"), max_length=500)
    # "state", not "status": a delivery is no workflow of core.workflow (no history row per retry; its attempts
    # are its history)
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    # A worker claims a delivery before sending (so two workers never send the same attempt); a claim older
    # than WEBHOOKS_CLAIM_TIMEOUT seconds lost its worker and the sweep takes it over.
    claimed = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_response_body = models.CharField(_("last response body"), max_length=1000, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered = models.DateTimeField(_("delivered"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "registration"], name="webhooks_one_delivery_per_registration")
        ]
        indexes = [models.Index(fields=["partner", "created"]), models.Index(fields=["state", "next_attempt"])]

    def __str__(self):
        return f"{self.event_id} → {self.url} ({self.state})"


class Attempt(models.Model):
    """One HTTP POST of a delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    started = models.DateTimeField(_("started"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_body = models.CharField(_("response body"), max_length=1000, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_one_row_per_attempt")]

    def __str__(self):
        return f"#{self.number} {self.response_code or self.error}"
