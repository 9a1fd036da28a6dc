"""Run a queued direct order with the shared upgrade steps (``upgrades.steps``), in ONE transaction.

Upgrade: buy the target; reassign every user (switched-off plans are not kept; other licenses of the users
stay as they are); move the kept add-ons under the new subscription, cancel the included ones and those the
catalog doesn't allow with the target (recorded with their reason in ``addOnsNotAllowed``); cancel the
source; book billing (prorated credit and charge on completion day, plus any forfeited prepaid value).
Purchase: create the subscription. Idempotent: an order that is no longer ``queued`` is returned untouched.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record_create
from core import workflow
from notifications.services import notification_create
from subscriptions.models import Subscription
from upgrades import steps
from upgrades.billing import add_months
from upgrades.models import BillingEntry, BillingKind

from . import pipeline, pricing
from .models import AddonAction, DirectOrder, OrderKind, OrderStatus

logger = logging.getLogger(__name__)


def _addon_credits(
    order: DirectOrder, removed: list[Subscription], today, *, not_allowed: frozenset | set = frozenset()
) -> list[BillingEntry]:
    entries = []
    for addon in removed:
        description = (
            _("Credit for the removed add-on %(offer)s (not available with the new plan)")
            if addon.pk in not_allowed
            else _("Credit for the removed add-on %(offer)s (the new plan includes it)")
        )
        price = steps.unit_prices([(addon.offer, addon.billing_cycle)]).get((addon.offer_id, addon.billing_cycle))
        amount = pricing.unused_value(
            unit_price=price or Decimal("0"),
            quantity=addon.quantity,
            term_start=addon.term_start_date,
            billing_cycle=addon.billing_cycle,
            today=today,
        )
        entries.append(
            BillingEntry(
                operation=order.operation,
                subscription=addon,
                kind=BillingKind.CREDIT,
                amount=-amount,
                currency=addon.offer.currency,
                period_start=today,
                period_end=today,
                booked=today,
                description=description % {"offer": addon.offer.name},
            )
        )
    if order.forfeited:
        entries.append(
            BillingEntry(
                operation=order.operation,
                subscription=order.source,
                kind=BillingKind.CHARGE,
                amount=order.forfeited,
                currency=order.currency,
                period_start=today,
                period_end=today,
                booked=today,
                description=_("Forfeited prepaid value (confirmed at checkout)"),
            )
        )
    return BillingEntry.objects.bulk_create(entries) if entries else []


def _run_upgrade(order: DirectOrder, today) -> dict:
    # An upgrade order always has its source (only purchases have none).
    source = Subscription.objects.select_for_update().select_related("offer").get(pk=order.source_id)  # type: ignore[misc]
    target_offer = order.target_offer
    target = steps.create_target_subscription(
        source=source,
        target_offer=target_offer,
        quantity=order.quantity,
        billing_cycle=order.billing_cycle,
        today=today,
        payment_method=order.payment_method,
    )
    order.target_subscription = target
    plan_families = dict(target_offer.service_plans.values_list("code", "family_id"))
    outcome = steps.transfer_licenses(
        source=source, target=target, target_plan_families=plan_families, keep_disabled_plans=False
    )
    addons = {a.subscription_id: a.action for a in order.addons.all()}
    addon_rows = list(Subscription.objects.filter(pk__in=list(addons)).select_related("offer"))
    moved = [s.pk for s in addon_rows if addons[s.pk] == AddonAction.MOVE]
    removed = [s for s in addon_rows if addons[s.pk] != AddonAction.MOVE]
    not_allowed = [s for s in removed if addons[s.pk] == AddonAction.EXCLUDED]
    if moved:
        Subscription.objects.filter(pk__in=moved).update(parent=target, updated=timezone.now())
    for addon in removed:
        steps.cancel_source(source=addon)
    steps.cancel_source(source=source)
    entries = steps.book_billing(source=source, target=target, operation=order.operation, today=today)
    entries += _addon_credits(order, removed, today, not_allowed={s.pk for s in not_allowed})
    return {
        "sourceSubscriptionId": str(source.pk),
        "targetSubscriptionId": str(target.pk),
        "upgradeType": "upgrade_with_license_transfer",
        "licensesMoved": outcome.moved,
        "licenseErrors": outcome.license_errors,
        "affectedAccounts": outcome.affected_accounts,
        "addOnsMoved": [str(pk) for pk in moved],
        "addOnsRemoved": [str(s.pk) for s in removed if s not in not_allowed],
        "addOnsNotAllowed": [
            {
                "subscriptionId": str(s.pk),
                "offerId": s.offer_id,
                "reason": _("%(addon)s isn't available with %(offer)s, so it was removed instead of moved.")
                % {"addon": s.offer.name, "offer": target_offer.name},
            }
            for s in not_allowed
        ],
        "billing": steps.billing_summary(entries[:2]),
        "forfeited": str(order.forfeited),
    }


def _run_purchase(order: DirectOrder, today) -> dict:
    target = Subscription(
        customer_id=order.customer_id,
        offer_id=order.target_offer_id,
        quantity=order.quantity,
        channel="direct",
        payment_method=order.payment_method,
        billing_cycle=order.billing_cycle,
        term_start_date=today,
        commitment_end_date=add_months(today, 12) - timedelta(days=1),
    )
    target.save(force_insert=True)
    order.target_subscription = target
    return {"targetSubscriptionId": str(target.pk)}


def _notify(order: DirectOrder) -> None:
    target = order.target_subscription
    if target is None:  # nothing was bought: nothing to announce
        return

    def message() -> str:
        if order.kind == OrderKind.UPGRADE:
            return _("Your upgrade to %(offer)s is complete: every user now has it.") % {"offer": target.offer.name}
        return _("%(offer)s is ready: %(count)s licenses.") % {"offer": target.offer.name, "count": target.quantity}

    order.completed_notice = message()
    if order.placed_by_id:
        link = reverse(
            "direct:subscription", kwargs={"tenant_id": order.customer.tenant_id, "subscription_id": target.pk}
        )
        notification_create(user=order.placed_by, customer=order.customer, level="success", message=message, link=link)


def direct_order_execute(*, order_id) -> DirectOrder:
    today = timezone.localdate()
    try:
        with transaction.atomic():
            order = (
                DirectOrder.objects.select_for_update(of=("self",))
                .select_related("customer", "target_offer", "operation", "placed_by")
                .get(pk=order_id)
            )
            if order.status != OrderStatus.QUEUED:
                return order
            pipeline.operation_started(order)
            result = _run_upgrade(order, today) if order.kind == OrderKind.UPGRADE else _run_purchase(order, today)
            _notify(order)
            workflow.transition(
                order,
                OrderStatus.COMPLETED,
                actor=order.placed_by,
                reason=order.completed_notice,
                values={"completed_at": timezone.now()},
                update_fields=["target_subscription", "completed_notice"],
            )
            pipeline.operation_succeeded(order, result=result, note=order.completed_notice)
            audit_record_create(
                actor=order.placed_by,
                operation_type=("upgrade_subscription" if order.kind == OrderKind.UPGRADE else "create_subscription"),
                resource_type="subscription",
                customer=order.customer,
                old={"subscriptionId": str(order.source_id)} if order.source_id else None,
                new=result,
            )
            return order
    except Exception as exc:  # the transaction rolled back: record the failure, change nothing else
        logger.exception("Direct order %s failed", order_id)
        with transaction.atomic():
            order = DirectOrder.objects.select_for_update(of=("self",)).select_related("operation").get(pk=order_id)
            if order.status == OrderStatus.QUEUED:
                workflow.transition(
                    order,
                    OrderStatus.FAILED,
                    reason=str(exc)[:500],
                    values={"failure_reason": str(exc)[:500], "completed_at": timezone.now()},
                )
                pipeline.operation_failed(order, reason=order.failure_reason)
            return order
