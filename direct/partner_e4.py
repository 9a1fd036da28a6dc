"""Office 365 E4 bought through a partner (CSP): retired, replaced by hand (domain.md §6).

The partner buys the new subscription, reassigns every user and suspends the E4 (``suspended_at``); a periodic
task deprovisions (status ``deleted``) suspended CSP E4s 120 days after their suspension.

``e4_replacement_options`` is the one place that says whether a subscription can be replaced, by which offers
(the catalog's ``DirectOption`` rows of the E4) and with how many seats at least; the page, the API and the
admin read it, and ``csp_e4_replace`` refuses what it refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditRecord
from audit.services import audit_record_build, audit_record_create
from catalog.models import DirectOption, Offer
from core.errors import InvalidInput, NotFound
from partners.roles import Capability, require
from subscriptions.models import Channel, Subscription, SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to
from upgrades import steps

DEPROVISION_AFTER = timedelta(days=120)


@dataclass(frozen=True)
class E4Replacement:
    source: Subscription
    target: Subscription
    licenses_moved: int
    license_errors: list


@dataclass(frozen=True)
class ReplacementTarget:
    offer: Offer
    kind: str  # DirectOptionKind: an upgrade (keeps every service) or a plan change (fewer services)
    unit_price: Decimal | None  # per license and billing period, on the E4's billing cycle


@dataclass(frozen=True)
class Refusal:
    field: str
    message: str


@dataclass(frozen=True)
class ReplacementOptions:
    source: Subscription
    refusals: list[Refusal]
    targets: list[ReplacementTarget]
    minimum_quantity: int
    assigned: int
    deprovision_on: date  # if replaced today

    @property
    def is_eligible(self) -> bool:
        return not self.refusals

    def target(self, offer_id: str) -> ReplacementTarget | None:
        return next((t for t in self.targets if t.offer.pk == offer_id), None)


def deprovision_date(suspended_at: datetime) -> date:
    """The day a suspended E4 is deprovisioned (the periodic task runs hourly from then on)."""
    return timezone.localdate(suspended_at + DEPROVISION_AFTER)


def source_refusals(source: Subscription) -> list[Refusal]:
    """Why ``source`` cannot be replaced this way (every reason; empty when it can)."""
    refusals = []
    if source.channel != Channel.CSP or not source.offer.retired:
        refusals.append(
            Refusal(
                "subscription_id",
                str(_("Only a retired plan (Office 365 E4) bought through CSP is replaced this way.")),
            )
        )
    if source.status != SubscriptionStatus.ACTIVE:
        refusals.append(
            Refusal(
                "subscription_id",
                _("The subscription is %(status)s.") % {"status": source.get_status_display()},
            )
        )
    return refusals


def e4_replacement_options(*, actor, subscription: Subscription) -> ReplacementOptions:
    """What replacing ``subscription`` (already resolved in the actor's scope) would offer. Two queries."""
    require(actor, Capability.UPGRADE)
    refusals = source_refusals(subscription)
    rows = list(
        DirectOption.objects.filter(source_id=subscription.offer_id)
        .select_related("target")
        .order_by("-kind", "position", "target_id")  # upgrades first
        if subscription.offer.retired
        else []
    )
    prices = steps.unit_prices((row.target, subscription.billing_cycle) for row in rows) if rows else {}
    assigned = getattr(subscription, "assigned_count", None)
    if assigned is None:
        assigned = subscription.assignments.count()
    return ReplacementOptions(
        source=subscription,
        refusals=refusals,
        targets=[
            ReplacementTarget(
                offer=row.target, kind=row.kind, unit_price=prices.get((row.target_id, subscription.billing_cycle))
            )
            for row in rows
        ],
        minimum_quantity=subscription.quantity,
        assigned=assigned,
        deprovision_on=deprovision_date(timezone.now()),
    )


def replacement_billing_preview(*, source: Subscription, target_offer: Offer, quantity: int) -> dict:
    """The credit and charge ``csp_e4_replace`` would book today (``steps.billing_summary`` shape; nothing saved)."""
    target = Subscription(
        customer=source.customer, offer=target_offer, quantity=quantity, billing_cycle=source.billing_cycle
    )
    return steps.billing_summary(steps.billing_entries(source=source, target=target))


def csp_e4_replace(
    *, actor, subscription_id, target_offer_id: str, quantity: int | None = None, correlation_id: str = ""
) -> E4Replacement:
    """Buy ``target_offer`` for the customer, move every user from the CSP E4, book the prorated credit and
    charge, suspend the E4 (one transaction, audited). Refused with the field named: not a CSP retired plan or not active (``subscription_id``), a target
    that does not replace it (``target_offer_id``), fewer seats than the E4's (``quantity``)."""
    require(actor, Capability.UPGRADE)
    with transaction.atomic():
        try:
            source = (
                subscriptions_visible_to(actor)
                .select_for_update(of=("self",))
                .select_related("offer", "customer", "partner")
                .get(pk=subscription_id)
            )
        except (Subscription.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotFound(_("No such subscription."), field="subscription_id") from None
        refusals = source_refusals(source)
        if refusals:
            raise InvalidInput(refusals[0].message, field=refusals[0].field)
        option = (
            DirectOption.objects.filter(source_id=source.offer_id, target_id=target_offer_id)
            .select_related("target")
            .first()
            if isinstance(target_offer_id, str)
            else None
        )
        if option is None:
            raise InvalidInput(
                _("%(offer)s doesn't replace %(source)s.")
                % {"offer": str(target_offer_id)[:80], "source": source.offer.name},
                field="target_offer_id",
            )
        target_offer = option.target
        quantity = source.quantity if quantity is None else quantity
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < source.quantity:
            raise InvalidInput(
                _("Quantity must be a whole number not lower than %(minimum)s.") % {"minimum": source.quantity},
                field="quantity",
            )
        target = steps.create_target_subscription(
            source=source, target_offer=target_offer, quantity=quantity, billing_cycle=source.billing_cycle
        )
        families = dict(target_offer.service_plans.values_list("code", "family_id"))
        outcome = steps.transfer_licenses(
            source=source, target=target, target_plan_families=families, keep_disabled_plans=False
        )
        # §5: a prorated credit for the E4's unused days of its period, a prorated charge for the replacement
        billing = steps.book_billing(source=source, target=target)
        steps.cancel_source(source=source, status=SubscriptionStatus.SUSPENDED)
        audit_record_create(
            actor=actor,
            operation_type="upgrade_subscription",
            resource_type="subscription",
            partner=source.partner,
            customer=source.customer,
            old={"id": str(source.pk), "offerId": source.offer_id, "status": "active", "quantity": source.quantity},
            new={
                "id": str(target.pk),
                "offerId": target_offer.pk,
                "quantity": quantity,
                "kind": option.kind,
                "suspended": str(source.pk),
                "deprovisionDate": deprovision_date(source.suspended_at or timezone.now()).isoformat(),
                "licensesMoved": outcome.moved,
                "billing": steps.billing_summary(billing),
            },
            correlation_id=correlation_id,
        )
    return E4Replacement(
        source=source, target=target, licenses_moved=outcome.moved, license_errors=outcome.license_errors
    )


def suspended_e4_deprovision(*, now: datetime | None = None) -> int:
    """Deprovision every CSP retired-plan subscription suspended at least 120 days ago (set-based)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Subscription.objects.select_for_update(of=("self",))
            .filter(
                channel=Channel.CSP,
                offer__retired=True,
                status=SubscriptionStatus.SUSPENDED,
                suspended_at__lte=now - DEPROVISION_AFTER,
            )
            .select_related("customer", "partner")
        )
        rows = list(due)
        if not rows:
            return 0
        Subscription.objects.filter(pk__in=[s.pk for s in rows]).update(
            status=SubscriptionStatus.DELETED, auto_renew=False, updated=now
        )
        AuditRecord.objects.bulk_create(
            [
                audit_record_build(
                    actor=None,
                    operation_type="update_subscription",
                    resource_type="subscription",
                    partner=s.partner,
                    customer=s.customer,
                    old={"id": str(s.pk), "status": "suspended"},
                    new={"id": str(s.pk), "status": "deleted"},
                )
                for s in rows
            ]
        )
    return len(rows)
