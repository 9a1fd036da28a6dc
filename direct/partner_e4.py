"""Office 365 E4 bought through a partner (CSP): retired, replaced by hand (domain.md §6).

The partner buys the new subscription, reassigns every user and suspends the E4 (``suspended_at``); a periodic
task deprovisions (status ``deleted``) suspended CSP E4s 120 days after their suspension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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


def csp_e4_replace(*, actor, subscription_id, target_offer_id: str, quantity: int | None = None) -> E4Replacement:
    """Buy ``target_offer`` for the customer, move every user from the CSP E4, suspend the E4."""
    require(actor, Capability.MANAGE_SUBSCRIPTIONS)
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
        if source.channel != Channel.CSP or not source.offer.retired:
            raise InvalidInput(
                _("Only a retired plan (Office 365 E4) bought through CSP is replaced this way."),
                field="subscription_id",
            )
        if source.status != SubscriptionStatus.ACTIVE:
            raise InvalidInput(
                _("The subscription is %(status)s.") % {"status": source.status}, field="subscription_id"
            )
        if not DirectOption.objects.filter(source_id=source.offer_id, target_id=target_offer_id).exists():
            raise InvalidInput(
                _("%(offer)s doesn't replace %(source)s.") % {"offer": target_offer_id, "source": source.offer.name},
                field="target_offer_id",
            )
        target_offer = Offer.objects.get(pk=target_offer_id)
        quantity = source.quantity if quantity is None else quantity
        if not isinstance(quantity, int) or quantity < source.quantity:
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
        steps.cancel_source(source=source, status=SubscriptionStatus.SUSPENDED)
        audit_record_create(
            actor=actor,
            operation_type="upgrade_subscription",
            resource_type="subscription",
            partner=source.partner,
            customer=source.customer,
            old={"id": str(source.pk), "offerId": source.offer_id, "status": "active"},
            new={
                "id": str(target.pk),
                "offerId": target_offer.pk,
                "suspended": str(source.pk),
                "licensesMoved": outcome.moved,
            },
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
