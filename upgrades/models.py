"""Upgrade operations, their status history and the billing they book (domain.md §5, §6).

An :class:`UpgradeOperation` runs on the workflow kernel (``core.workflow``, :data:`OPERATION_WORKFLOW`): the
allowed moves are the one table :data:`ALLOWED_TRANSITIONS`; every move writes one ``core.WorkflowTransition``
row (``upgrades.pipeline``); an illegal move raises ``core.workflow.IllegalTransition``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import BillingCycle
from core.workflow import Workflow, history
from partners.models import ApprovalFields


class UpgradeType(models.TextChoices):
    NONE = "none", _("None")
    UPGRADE_ONLY = "upgrade_only", _("Upgrade only")
    UPGRADE_WITH_LICENSE_TRANSFER = "upgrade_with_license_transfer", _("Upgrade with license transfer")


class UpgradeFlow(models.TextChoices):
    CSP = "csp", _("Partner Center (CSP)")
    DIRECT = "direct", _("Direct purchase (admin center)")


class OperationStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
    PENDING = "pending", _("Pending")
    AWAITING_CREDIT_CHECK = "awaiting_credit_check", _("Waiting for a credit check")
    IN_PROGRESS = "in_progress", _("In progress")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    DECLINED = "declined", _("Declined")
    REJECTED = "rejected", _("Rejected")


S = OperationStatus
# The one table of allowed moves. Terminal statuses have no way out. An upgrade above its partner's approval
# threshold (domain.md §9) is recorded pending and moved at once to awaiting_approval; approved → pending (then
# enqueued), rejected → rejected (nothing changed).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.AWAITING_APPROVAL, S.AWAITING_CREDIT_CHECK, S.IN_PROGRESS, S.FAILED}),
    S.AWAITING_APPROVAL: frozenset({S.PENDING, S.REJECTED}),
    S.AWAITING_CREDIT_CHECK: frozenset({S.IN_PROGRESS, S.DECLINED, S.FAILED}),
    S.IN_PROGRESS: frozenset({S.SUCCEEDED, S.FAILED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset(),
    S.DECLINED: frozenset(),
    S.REJECTED: frozenset(),
}
OPERATION_WORKFLOW = Workflow(
    name="upgrade_operation",
    model="upgrades.UpgradeOperation",
    verbose_name="upgrade operation",
    labels=OperationStatus.choices,
    transitions=ALLOWED_TRANSITIONS,
    initial=frozenset({S.PENDING}),
    # open: blocks another upgrade of the same subscription or customer (code 4, concurrency_conflicts).
    open=frozenset({S.AWAITING_APPROVAL, S.PENDING, S.AWAITING_CREDIT_CHECK, S.IN_PROGRESS}),
)
OPEN_STATUSES = tuple(s for s in OperationStatus.values if s in OPERATION_WORKFLOW.open)
TERMINAL_STATUSES = tuple(s for s in OperationStatus.values if s in OPERATION_WORKFLOW.final)


class UpgradeOperationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(OPERATION_WORKFLOW.q(OPERATION_WORKFLOW.open))


class SubscriptionChange(models.Model):
    """What every change of a subscription into another offer records (an :class:`UpgradeOperation`, a new
    commerce ``commerce.Transition``): the source, the target (once created), the target offer, whose books it is
    in, and who asked. Reverse names follow the model (``subscription.upgradeoperations``, ``.transitions``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("source subscription"),
    )
    target = models.ForeignKey(
        "subscriptions.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss_into",
        verbose_name=_("target subscription"),
    )
    target_offer = models.ForeignKey(
        "catalog.Offer", on_delete=models.PROTECT, related_name="+", verbose_name=_("target offer")
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="%(class)ss")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="%(class)ss"
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="%(class)ss"
    )
    actor_upn = models.CharField(_("user principal name"), max_length=320, blank=True)
    actor_application_id = models.CharField(_("application id"), max_length=64, blank=True)

    class Meta:
        abstract = True


class UpgradeOperation(ApprovalFields, SubscriptionChange):
    flow = models.CharField(_("flow"), max_length=8, choices=UpgradeFlow.choices, default=UpgradeFlow.CSP)
    upgrade_type = models.CharField(_("upgrade type"), max_length=32, choices=UpgradeType.choices)
    quantity = models.PositiveIntegerField(_("seats"))
    billing_cycle = models.CharField(_("billing cycle"), max_length=8, choices=BillingCycle.choices)
    status = models.CharField(_("status"), max_length=24, choices=OperationStatus.choices, default=S.PENDING)
    errors = models.JSONField(
        _("errors"),
        default=list,
        blank=True,
        help_text=_("Upgrade errors when the operation failed (code, description, details)."),
    )
    result = models.JSONField(
        _("result"), default=dict, blank=True, help_text=_("The UpgradeResult once the operation ended.")
    )
    correlation_id = models.CharField(_("correlation id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    completed = models.DateTimeField(null=True, blank=True)

    objects = UpgradeOperationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["source", "status"]),
            models.Index(fields=["partner", "created"]),
            # The upgrades list's order (portal.selectors.upgrade_operation_rows_for): a page is an index range.
            models.Index(fields=["-created", "id"], name="upgrade_op_created_id"),
        ]
        constraints = [
            # At most one open operation per source subscription, enforced by the database too.
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(status__in=list(OPEN_STATUSES)),
                name="one_open_upgrade_per_subscription",
            ),
        ]

    def __str__(self):
        return f"{self.source_id} → {self.target_offer_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return OPERATION_WORKFLOW.is_open(self.status)

    @property
    def history(self):
        """The status history (kernel rows), oldest first."""
        return history(self)


class BillingKind(models.TextChoices):
    CREDIT = "credit", _("Credit")
    CHARGE = "charge", _("Charge")


class BillingEntry(models.Model):
    """A prorated credit (negative amount) or charge (positive amount) booked by an upgrade, in one currency."""

    operation = models.ForeignKey(
        UpgradeOperation, null=True, blank=True, on_delete=models.CASCADE, related_name="billing_entries"
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.PROTECT, related_name="billing_entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=BillingKind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("Last day included."))
    booked = models.DateField(_("booked"), default=timezone.localdate)

    class Meta:
        ordering = ["booked", "id"]
        verbose_name_plural = _("billing entries")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="credit", amount__lte=0) | models.Q(kind="charge", amount__gte=0)),
                name="billing_entry_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="billing_entry_period_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} ({self.subscription_id})"
