"""Subscriptions with their sales channel, and license assignments (domain.md §2, §4)."""

import uuid
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import BillingCycle, CommerceBillingCycle, TermDuration, term_cycle_condition


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PENDING = "pending", _("Pending")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    DISABLED = "disabled", _("Disabled")
    DELETED = "deleted", _("Deleted")


class ProvisioningState(models.TextChoices):
    PROVISIONED = "provisioned", _("Provisioned")
    PROVISIONING = "provisioning", _("Provisioning")


class Channel(models.TextChoices):
    CSP = "csp", _("CSP partner")
    DIRECT = "direct", _("Direct (Microsoft)")
    VOLUME_LICENSING = "volume_licensing", _("Volume licensing")
    ADVISOR = "advisor", _("Advisor")


class PaymentMethod(models.TextChoices):
    NONE = "", _("—")
    CREDIT_CARD = "credit_card", _("Credit card")
    INVOICE = "invoice", _("Invoice")


class CommerceType(models.TextChoices):
    """Legacy CSP subscriptions upgrade (§5); new commerce ones transition and renew by term (§8)."""

    LEGACY = "legacy", _("Legacy")
    NEW = "new", _("New commerce")


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=SubscriptionStatus.ACTIVE)

    def sold_by(self, partner=None):
        """Sold through a managed CSP partner: ``partner`` (a ``Partner`` or its id), or any managed one when None.

        The one "sold by this partner" predicate (what a partner may see and upgrade); in memory:
        :meth:`Subscription.is_sold_by`.
        """
        if partner is None:
            return self.filter(channel=Channel.CSP, partner__isnull=False)
        return self.filter(channel=Channel.CSP, partner=partner)


class Subscription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="subscriptions")
    offer = models.ForeignKey("catalog.Offer", on_delete=models.PROTECT, related_name="subscriptions")
    friendly_name = models.CharField(_("friendly name"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("seats"))
    status = models.CharField(
        _("status"), max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    provisioning_state = models.CharField(
        _("provisioning state"), max_length=16, choices=ProvisioningState.choices, default=ProvisioningState.PROVISIONED
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        help_text=_("The managed partner that sold it (channel csp)."),
    )
    channel_partner_name = models.CharField(
        _("selling partner"),
        max_length=200,
        blank=True,
        help_text=_("For channel csp: the selling partner's id or name (also for partners not managed here)."),
    )
    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PaymentMethod.choices, blank=True, default=PaymentMethod.NONE
    )
    billing_cycle = models.CharField(
        _("billing cycle"), max_length=9, choices=CommerceBillingCycle.choices, default=BillingCycle.MONTHLY
    )
    term_start_date = models.DateField(_("term start"), default=timezone.localdate)
    commitment_end_date = models.DateField(_("commitment end"), null=True, blank=True)
    auto_renew = models.BooleanField(_("auto-renew"), default=True)
    is_trial = models.BooleanField(_("trial"), default=False)
    prepaid = models.BooleanField(_("prepaid"), default=False)
    unpaid_balance = models.DecimalField(_("unpaid balance"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="addons",
        verbose_name=_("parent subscription"),
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    # -- new commerce (§8); a legacy subscription leaves them empty
    commerce = models.CharField(
        _("commerce type"), max_length=8, choices=CommerceType.choices, default=CommerceType.LEGACY
    )
    term_duration = models.CharField(_("term"), max_length=3, choices=TermDuration.choices, blank=True)
    cancellation_allowed_until = models.DateTimeField(
        _("cancellation allowed until"),
        null=True,
        blank=True,
        help_text=_("The end of the 7-day window after purchase or renewal: seats can be reduced until then."),
    )
    refundable_quantity = models.PositiveIntegerField(
        _("refundable seats"), default=0, help_text=_("Seats that may still be removed with a refund.")
    )
    scheduled_next_term_instructions = models.JSONField(_("scheduled changes at renewal"), null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["customer_id", "created"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["partner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="subscription_quantity_non_negative"),
            models.CheckConstraint(condition=models.Q(unpaid_balance__gte=0), name="subscription_unpaid_non_negative"),
            models.CheckConstraint(
                condition=~models.Q(channel="direct") | models.Q(payment_method__in=["credit_card", "invoice"]),
                name="direct_subscription_has_payment_method",
            ),
            models.CheckConstraint(
                condition=models.Q(partner__isnull=True) | models.Q(channel="csp"),
                name="only_csp_subscriptions_have_partner",
            ),
            # a legacy subscription has no term and a legacy cycle; a new commerce one a term and a cycle it allows
            models.CheckConstraint(
                condition=models.Q(commerce="legacy", term_duration="", billing_cycle__in=list(BillingCycle.values))
                | (models.Q(commerce="new") & term_cycle_condition()),
                name="subscription_term_fits_commerce",
            ),
        ]

    def __str__(self):
        return f"{self.offer_id} × {self.quantity} ({self.customer_id})"

    def is_sold_by(self, partner=None) -> bool:
        """:meth:`SubscriptionQuerySet.sold_by` for a loaded row: channel csp through ``partner`` (or any managed
        partner when None)."""
        if self.channel != Channel.CSP or self.partner_id is None:
            return False
        return partner is None or self.partner_id == getattr(partner, "pk", partner)

    @property
    def is_new_commerce(self) -> bool:
        return self.commerce == CommerceType.NEW

    @property
    def channel_label(self) -> str:
        return channel_label_for(
            self.channel,
            partner_name=self.partner.name if self.partner else None,
            channel_partner_name=self.channel_partner_name,
            payment_method=self.payment_method,
        )


def channel_label_for(channel: str, *, partner_name: str | None, channel_partner_name: str, payment_method: str) -> str:
    """:attr:`Subscription.channel_label` from plain values (rows read with ``values_list``)."""
    if channel == Channel.CSP:
        return f"CSP ({partner_name if partner_name is not None else channel_partner_name})"
    label = str(Channel(channel).label) if channel in Channel.values else channel
    if channel == Channel.DIRECT and payment_method:
        method = str(PaymentMethod(payment_method).label) if payment_method in PaymentMethod.values else payment_method
        return f"{label} · {method}"
    return label


class LicenseAssignment(models.Model):
    """A tenant user holds a license of a subscription; ``disabled_service_plans`` lists switched-off plan codes."""

    user = models.ForeignKey("customers.TenantUser", on_delete=models.CASCADE, related_name="licenses")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="assignments")
    disabled_service_plans = models.JSONField(_("switched-off service plans"), default=list, blank=True)
    assigned = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "subscription"], name="one_assignment_per_user_subscription")
        ]
        indexes = [models.Index(fields=["subscription", "user"])]

    def __str__(self):
        return f"{self.user_id} ← {self.subscription_id}"
