"""New commerce transitions (domain.md §8) and the events Partner Center reports for them.

A :class:`Transition` runs on the workflow kernel (``core.workflow``, :data:`TRANSITION_WORKFLOW`): every status
move writes one ``core.WorkflowTransition`` row. Its ``events`` are Partner Center's ``TransitionEvent`` items
(``Conversion``, ``LicenseReassignment``), kept as a JSON list on the row: they are written once, with the
transition, and always read with it.

Partner Center: "Transition a new commerce subscription" and "Get transitions",
https://learn.microsoft.com/en-us/partner-center/developer/transition-a-new-commerce-subscription,
https://learn.microsoft.com/en-us/partner-center/developer/get-transitions (the ``Transition`` and
``TransitionEvent`` classes of the .NET SDK name the fields).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import CommerceBillingCycle, TermDuration
from core.workflow import Workflow, history
from upgrades.models import SubscriptionChange


class TransitionKind(models.TextChoices):
    TRANSITION_ONLY = "transition_only", _("Transition only")
    TRANSITION_WITH_LICENSE_TRANSFER = "transition_with_license_transfer", _("Transition with license transfer")


class TransitionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class EventName:
    """Partner Center's ``TransitionEvent.name`` values the portal writes."""

    CONVERSION = "Conversion"
    LICENSE_REASSIGNMENT = "LicenseReassignment"


class EventStatus:
    """Partner Center's ``TransitionEvent.status`` values."""

    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"


T = TransitionStatus
TRANSITION_WORKFLOW = Workflow(
    name="commerce_transition",
    model="commerce.Transition",
    verbose_name="transition",
    labels=TransitionStatus.choices,
    transitions={
        T.PENDING: frozenset({T.IN_PROGRESS, T.FAILED}),
        T.IN_PROGRESS: frozenset({T.COMPLETED, T.FAILED}),
        T.COMPLETED: frozenset(),
        T.FAILED: frozenset(),
    },
    initial=frozenset({T.PENDING}),
    open=frozenset({T.PENDING, T.IN_PROGRESS}),
)


class Transition(SubscriptionChange):
    """One transition of a new commerce subscription: ``quantity`` seats of ``source`` moved to ``target`` (a new
    subscription, or an existing one when ``merged``)."""

    from_catalog_item_id = models.CharField(_("from catalog item"), max_length=64)
    to_catalog_item_id = models.CharField(_("to catalog item"), max_length=64)
    transition_type = models.CharField(_("transition type"), max_length=40, choices=TransitionKind.choices)
    quantity = models.PositiveIntegerField(_("seats moved"))
    source_quantity_before = models.PositiveIntegerField(_("source seats before"))
    merged = models.BooleanField(_("into an existing subscription"), default=False)
    term_duration = models.CharField(_("term"), max_length=3, choices=TermDuration.choices)
    billing_cycle = models.CharField(_("billing cycle"), max_length=9, choices=CommerceBillingCycle.choices)
    licenses_moved = models.PositiveIntegerField(_("licenses moved"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=TransitionStatus.choices, default=T.PENDING)
    events = models.JSONField(
        _("events"), default=list, blank=True, help_text=_("Partner Center's TransitionEvent items.")
    )
    billing = models.JSONField(_("billing"), default=dict, blank=True, help_text=_("The credit and charge booked."))
    removed_scheduled_changes = models.JSONField(
        _("removed scheduled changes"),
        null=True,
        blank=True,
        help_text=_("The source's scheduledNextTermInstructions this mid-term change deleted."),
    )
    billing_entries = models.ManyToManyField("upgrades.BillingEntry", blank=True, related_name="transitions")
    correlation_id = models.CharField(_("correlation id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    completed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "id"]
        indexes = [models.Index(fields=["source", "created"]), models.Index(fields=["customer", "status"])]

    def __str__(self):
        return f"{self.source_id} → {self.to_catalog_item_id} × {self.quantity} ({self.status})"

    @property
    def history(self):
        """The status history (kernel rows), oldest first."""
        return history(self)
