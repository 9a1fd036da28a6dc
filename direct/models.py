"""Direct-purchase orders of the customer admin center (domain.md §6).

A ``DirectOrder`` is what an admin places at checkout: an *upgrade* (buy the target, move every user, move or
remove add-ons, cancel the source — linked one-to-one to the shared ``upgrades.UpgradeOperation`` so the CSP
engine's concurrency check sees it) or a plain *purchase* (the manual path's first step).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import BillingCycle
from core.workflow import Workflow
from subscriptions.models import PaymentMethod

ZERO = Decimal("0.00")


class OrderKind(models.TextChoices):
    UPGRADE = "upgrade", _("Upgrade")
    PURCHASE = "purchase", _("Purchase")


class OrderStatus(models.TextChoices):
    AWAITING_CREDIT_CHECK = "awaiting_credit_check", _("Waiting for a credit check")
    QUEUED = "queued", _("Queued")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    FAILED = "failed", _("Failed")


class CreditCheck(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


_O, _C = OrderStatus, CreditCheck
# An order is placed waiting for its credit check (→ queued when approved, → declined) or queued at once; the
# worker completes it or records its failure.
ORDER_WORKFLOW = Workflow(
    name="direct_order",
    model="direct.DirectOrder",
    verbose_name="direct order",
    labels=OrderStatus.choices,
    transitions={
        _O.AWAITING_CREDIT_CHECK: frozenset({_O.QUEUED, _O.DECLINED}),
        _O.QUEUED: frozenset({_O.COMPLETED, _O.FAILED}),
        _O.COMPLETED: frozenset(),
        _O.DECLINED: frozenset(),
        _O.FAILED: frozenset(),
    },
    initial=frozenset({_O.AWAITING_CREDIT_CHECK, _O.QUEUED}),
    open=frozenset({_O.AWAITING_CREDIT_CHECK, _O.QUEUED}),
)
# The credit check of an order: not required, or pending until a backend / an operator / the deadline decides.
CREDIT_CHECK_WORKFLOW = Workflow(
    name="direct_credit_check",
    model="direct.DirectOrder",
    field="credit_check",
    verbose_name="credit check",
    labels=CreditCheck.choices,
    transitions={
        _C.NOT_REQUIRED: frozenset(),
        _C.PENDING: frozenset({_C.APPROVED, _C.DECLINED}),
        _C.APPROVED: frozenset(),
        _C.DECLINED: frozenset(),
    },
    initial=frozenset({_C.NOT_REQUIRED, _C.PENDING}),
    open=frozenset({_C.PENDING}),
)
OPEN_STATUSES = tuple(s for s in OrderStatus.values if s in ORDER_WORKFLOW.open)


class DirectOrderQuerySet(models.QuerySet):
    def awaiting_credit_check(self):
        return self.filter(status=OrderStatus.AWAITING_CREDIT_CHECK)

    def open(self):
        return self.filter(ORDER_WORKFLOW.q(ORDER_WORKFLOW.open))


class DirectOrder(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="direct_orders")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_orders"
    )
    source = models.ForeignKey(
        "subscriptions.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="direct_orders_from",
        verbose_name=_("upgraded subscription"),
    )
    target_offer = models.ForeignKey("catalog.Offer", on_delete=models.PROTECT, related_name="direct_orders")
    target_subscription = models.ForeignKey(
        "subscriptions.Subscription", null=True, blank=True, on_delete=models.PROTECT, related_name="direct_orders_to"
    )
    operation = models.OneToOneField(
        "upgrades.UpgradeOperation", null=True, blank=True, on_delete=models.PROTECT, related_name="direct_order"
    )
    quantity = models.PositiveIntegerField(_("licenses"))
    billing_cycle = models.CharField(_("billing cycle"), max_length=8, choices=BillingCycle.choices)
    payment_method = models.CharField(_("billed to"), max_length=16, choices=PaymentMethod.choices)
    currency = models.CharField(_("currency"), max_length=3)
    unit_price = models.DecimalField(_("price per license"), max_digits=12, decimal_places=2)
    subtotal = models.DecimalField(_("order total"), max_digits=14, decimal_places=2)
    charge = models.DecimalField(_("charged today (prorated)"), max_digits=14, decimal_places=2, default=ZERO)
    credit = models.DecimalField(_("prorated credit"), max_digits=14, decimal_places=2, default=ZERO)
    forfeited = models.DecimalField(_("forfeited prepaid value"), max_digits=14, decimal_places=2, default=ZERO)
    forfeit_confirmed = models.BooleanField(_("forfeit confirmed"), default=False)
    amount_due = models.DecimalField(_("amount due"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, default=OrderStatus.QUEUED)
    credit_check = models.CharField(
        _("credit check"), max_length=16, choices=CreditCheck.choices, default=CreditCheck.NOT_REQUIRED
    )
    credit_check_backend = models.CharField(max_length=200, blank=True)
    credit_check_deadline = models.DateTimeField(_("credit check deadline"), null=True, blank=True)
    credit_check_decided_at = models.DateTimeField(null=True, blank=True)
    credit_check_note = models.CharField(_("credit check note"), max_length=300, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    completed_notice = models.CharField(_("completion notice"), max_length=300, blank=True)
    placed_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = DirectOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["status", "credit_check_deadline"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="direct_order_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(kind="purchase") | models.Q(source__isnull=False), name="direct_upgrade_has_source"
            ),
            models.CheckConstraint(
                condition=models.Q(payment_method__in=["credit_card", "invoice"]), name="direct_order_payment_method"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target_offer_id} × {self.quantity} ({self.customer_id})"

    @property
    def is_open(self) -> bool:
        return ORDER_WORKFLOW.is_open(self.status)


class AddonAction(models.TextChoices):
    MOVE = "move", _("Moves to the new subscription")
    REMOVE = "remove", _("Removed: the new plan includes it")
    EXCLUDED = "excluded", _("Removed: not available with the new plan")


class DirectOrderAddon(models.Model):
    order = models.ForeignKey(DirectOrder, on_delete=models.CASCADE, related_name="addons")
    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.PROTECT, related_name="direct_order_addons"
    )
    action = models.CharField(max_length=8, choices=AddonAction.choices)
    credit = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "subscription"], name="unique_order_addon")]

    def __str__(self):
        return f"{self.subscription_id}: {self.action} ({self.order_id})"


class HighVolumeCondition(models.Model):
    """An operator switch: while active, direct upgrades answer "try again in about an hour"."""

    active = models.BooleanField(_("active"), default=True)
    until = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Leave empty to keep it on until switched off.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("high-volume condition")

    def __str__(self):
        return self.note or str(_("High-volume condition"))

    @classmethod
    def in_effect(cls, now=None) -> bool:
        now = now or timezone.now()
        return cls.objects.filter(active=True).filter(models.Q(until__isnull=True) | models.Q(until__gt=now)).exists()


class Payment(models.Model):
    """A payment of a subscription's unpaid balance, taken by the ``settings.PAYMENTS_BACKEND`` (simulated)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="direct_payments")
    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.PROTECT, related_name="direct_payments"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    payment_method = models.CharField(_("paid with"), max_length=16, choices=PaymentMethod.choices)
    backend = models.CharField(_("payment backend"), max_length=200)
    reference = models.CharField(_("payment reference"), max_length=100)
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)

    class Meta:
        ordering = ["-paid_at"]
        verbose_name = _("payment")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="direct_payment_positive")]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.subscription_id})"


from .e4_models import RetiredCspSubscription  # noqa: E402,F401 - the admin's proxy, registered with the app
