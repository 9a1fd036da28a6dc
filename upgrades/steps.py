"""Reusable building blocks of an upgrade: buy the target, move licenses, cancel the source, book billing.

The CSP flow (``upgrades.services``) and the direct E4 flow compose them inside their own transaction.
They check nothing: eligibility and input validation happen before. Every step is set-based: the number of
queries does not depend on the number of users or licenses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import AuditRecord, OperationType
from audit.services import audit_record_build
from catalog.models import Offer, OfferPrice
from core import events
from subscriptions.models import LicenseAssignment, ProvisioningState, Subscription, SubscriptionStatus

from .billing import add_months, upgrade_proration
from .models import BillingEntry, BillingKind, UpgradeOperation

HOLDING_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING, SubscriptionStatus.SUSPENDED)


# --- 1. buy the target ------------------------------------------------------------------------------------


def create_target_subscription(
    *,
    source: Subscription,
    target_offer: Offer,
    quantity: int,
    billing_cycle: str,
    today: date | None = None,
    **overrides: Any,
) -> Subscription:
    """A new subscription of ``target_offer`` for the source's customer, through the source's channel.

    It starts today and keeps the source's commitment end (co-terminous with the cancelled source), or a
    term of one year when the source has none. ``overrides`` set any other field (e.g. ``payment_method``).
    """
    today = today or timezone.localdate()
    fields = {
        "customer_id": source.customer_id,
        "offer_id": target_offer.pk,
        "quantity": quantity,
        "status": SubscriptionStatus.ACTIVE,
        "provisioning_state": ProvisioningState.PROVISIONED,
        "channel": source.channel,
        "partner_id": source.partner_id,
        "channel_partner_name": source.channel_partner_name,
        "payment_method": source.payment_method,
        "billing_cycle": billing_cycle,
        "term_start_date": today,
        "commitment_end_date": source.commitment_end_date or add_months(today, 12) - timedelta(days=1),
        "auto_renew": source.auto_renew,
        "friendly_name": source.friendly_name,
    }
    fields.update(overrides)
    target = Subscription(**fields)
    target.save(force_insert=True)
    return target


# --- 2. move licenses -------------------------------------------------------------------------------------


@dataclass
class TransferOutcome:
    moved: int = 0
    license_errors: list[dict[str, Any]] = field(default_factory=list)
    affected_accounts: list[dict[str, Any]] = field(default_factory=list)


def person_row(user_id, object_id, name, email, upn) -> dict[str, Any]:
    return {"userObjectId": str(object_id), "name": name or upn, "email": email or "", "userPrincipalName": upn}


USER_FIELDS = ("user_id", "user__object_id", "user__display_name", "user__email", "user__user_principal_name")


def read_affected_accounts(
    *,
    source: Subscription,
    moving,
    target_plan_families: Mapping[str, str],
    keep_disabled_plans: bool = True,
    other_than: Iterable[Any] = (),
    other_families: Iterable[str] | None = None,
) -> tuple[list[dict[str, Any]], dict[tuple, list]]:
    """The ``affectedAccounts`` of moving the license assignments ``moving`` (of ``source``) to a subscription
    whose plans are ``target_plan_families`` (plan code → family); reads only, two queries.

    Listed: users whose switched-off plans are on in the target (a plan stays off when the target has it and
    ``keep_disabled_plans``), and users holding a service of the target in another holding subscription of the
    customer (not one of ``other_than``). Also answers the switched-off patterns to write: old pattern → kept
    codes. The one reader of affected accounts: ``transfer_licenses`` and the upgrade preview call it.

    ``other_families``: when the caller read the customer's other holding subscriptions (not ``other_than``) in
    this transaction, the service families their offers hold; none of the target's → nobody can hold the same
    service elsewhere, and the second query is skipped (one query then).
    """
    target_families = set(target_plan_families.values())
    affected: dict[int, dict[str, Any]] = {}
    new_patterns: dict[tuple, list] = {}
    for *person, disabled in moving.exclude(disabled_service_plans=[]).values_list(
        *USER_FIELDS, "disabled_service_plans"
    ):
        disabled = list(disabled or [])
        kept = [code for code in disabled if keep_disabled_plans and code in target_plan_families]
        switched_on = sorted(code for code in disabled if code not in kept)
        new_patterns.setdefault(tuple(disabled), kept)
        if switched_on:
            entry = affected.setdefault(person[0], {**person_row(*person), "reasons": []})
            entry["reasons"].append(
                {
                    "code": "service_plans_switched_on",
                    "servicePlans": switched_on,
                    "description": _(
                        "Service plans that were switched off for this user are on in the new "
                        "subscription; switch them off again if needed."
                    ),
                }
            )
    if other_families is not None and not target_families & set(other_families):
        return sorted(affected.values(), key=lambda a: a["userPrincipalName"]), new_patterns
    others = (
        LicenseAssignment.objects.filter(
            user_id__in=moving.values("user_id"),
            subscription__customer_id=source.customer_id,
            subscription__status__in=HOLDING_STATUSES,
            subscription__offer__service_plans__family_id__in=target_families,
        )
        .exclude(subscription_id__in=list(other_than))
        .values_list(
            *USER_FIELDS,
            "subscription_id",
            "subscription__offer__name",
            "subscription__offer__service_plans__family_id",
        )
        .order_by("user_id", "subscription_id")
    )
    same_service: dict[tuple, dict[str, Any]] = {}
    for *person, subscription_id, offer_name, family in others:
        key = (person[0], subscription_id)
        if key not in same_service:
            same_service[key] = {
                "code": "same_service_in_other_subscription",
                "subscriptionId": str(subscription_id),
                "offerName": offer_name,
                "families": [],
                "description": _(
                    "The user holds the same service through another subscription; "
                    "remove the duplicate license if it is no longer needed."
                ),
            }
            affected.setdefault(person[0], {**person_row(*person), "reasons": []})["reasons"].append(same_service[key])
        if family not in same_service[key]["families"]:
            same_service[key]["families"].append(family)

    return sorted(affected.values(), key=lambda a: a["userPrincipalName"]), new_patterns


def transfer_licenses(
    *,
    source: Subscription,
    target: Subscription,
    target_plan_families: Mapping[str, str],
    user_ids: Iterable[int] | None = None,
    keep_disabled_plans: bool = True,
    target_is_new: bool = False,
    other_families: Iterable[str] | None = None,
) -> TransferOutcome:
    """Move license assignments from ``source`` to ``target``: every one, or those of ``user_ids``.

    ``target_plan_families`` maps the target's plan codes to their service family. A switched-off plan stays
    off when the target has the same plan (``keep_disabled_plans``); otherwise the target's plan of that
    family is on for the user, who is then listed in ``affected_accounts``. Users who already hold a license
    in the target keep it and are listed in ``license_errors``; users who hold a service of the target in
    another subscription of the customer are listed in ``affected_accounts``.

    ``target_is_new``: the target was created in this transaction (nobody holds a license in it yet: that read is
    skipped); ``other_families``: see :func:`read_affected_accounts`.

    Queries: 4 (2 with both hints when no other holding has a service of the target) + one UPDATE per distinct
    set of switched-off plans (not per user).
    """
    moving = LicenseAssignment.objects.filter(subscription_id=source.pk)
    if user_ids is not None:
        moving = moving.filter(user_id__in=list(user_ids) if not hasattr(user_ids, "query") else user_ids)
    already = LicenseAssignment.objects.filter(subscription_id=target.pk, user_id__in=moving.values("user_id"))
    outcome = TransferOutcome()
    for row in [] if target_is_new else already.values_list(*USER_FIELDS):
        outcome.license_errors.append(
            {
                **person_row(*row),
                "errors": [
                    {
                        "code": "user_already_licensed",
                        "description": _(
                            "The user already holds a license in the target subscription; "
                            "the old license was left in place."
                        ),
                    }
                ],
            }
        )
    movable = moving if target_is_new else moving.exclude(user_id__in=already.values("user_id"))

    affected, new_patterns = read_affected_accounts(
        source=source,
        moving=movable,
        target_plan_families=target_plan_families,
        keep_disabled_plans=keep_disabled_plans,
        other_than=(source.pk, target.pk),
        other_families=other_families,
    )
    for pattern, kept in new_patterns.items():
        if list(pattern) != kept:
            movable.filter(disabled_service_plans=list(pattern)).update(disabled_service_plans=kept)

    outcome.moved = movable.update(subscription_id=target.pk, assigned=timezone.now())
    outcome.affected_accounts = affected
    outcome.license_errors.sort(key=lambda e: e["userPrincipalName"])
    return outcome


def subscription_change_emit(name: str, *, source, target, path: str, resource_name: str, audit_id) -> None:
    """Tell the source's partner (``core.events``, after the commit) that ``source`` moved to ``target``: an
    upgrade or a new commerce transition. ``path``: the change's resource under the source subscription."""
    events.emit(
        name,
        partner_id=source.partner_id,
        resource_uri=f"/v1/customers/{source.customer.tenant_id}/subscriptions/{source.pk}/{path}",
        resource_name=resource_name,
        payload={"sourceSubscriptionId": str(source.pk), "targetSubscriptionId": str(target.pk)},
        audit_id=audit_id,
    )


def license_move_record(*, source, target, outcome: TransferOutcome, audit: dict[str, Any], **extra) -> AuditRecord:
    """The unsaved audit record of a license transfer (``update_customer_user_licenses``): from ``source`` to
    ``target``, how many moved, how many refused or affected; ``audit`` holds ``audit_record_build``'s actor,
    partner, customer and correlation id; ``extra`` joins the new value (e.g. the transition's id)."""
    return audit_record_build(
        operation_type=OperationType.UPDATE_CUSTOMER_USER_LICENSES,
        resource_type="license",
        **audit,
        old={"subscriptionId": str(source.pk)},
        new={
            "subscriptionId": str(target.pk),
            **extra,
            "licensesMoved": outcome.moved,
            "licenseErrors": len(outcome.license_errors),
            "affectedAccounts": len(outcome.affected_accounts),
        },
    )


# --- 3. cancel the source ---------------------------------------------------------------------------------

# What the source of a CSP (legacy) upgrade becomes: cancelled, i.e. status ``deleted`` (domain.md: "deleted = cancelled", §5), with
# auto-renew off. The one wording of it: the wizard's review and the result page both show this label.
SOURCE_STATUS_AFTER_UPGRADE = SubscriptionStatus.DELETED
SOURCE_STATUS_AFTER_UPGRADE_LABEL = gettext_lazy("Cancelled (deleted), auto-renew off")


def cancel_source(*, source: Subscription, status: str = SOURCE_STATUS_AFTER_UPGRADE) -> None:
    """Cancel (``deleted``) or, for the retired-E4 CSP path, suspend the source; auto-renew off. One UPDATE."""
    now = timezone.now()
    fields = {"status": status, "auto_renew": False, "updated": now}
    if status == SubscriptionStatus.SUSPENDED:
        fields["suspended_at"] = now
    Subscription.objects.filter(pk=source.pk).update(**fields)
    for name, value in fields.items():
        setattr(source, name, value)


# --- 4. book billing --------------------------------------------------------------------------------------


def unit_prices(pairs: Iterable[tuple[Offer, str]]) -> dict[tuple[str, str], Decimal]:
    """(offer id, cycle) → unit price in the offer's currency, for the given pairs, in one query."""
    pairs = list(pairs)
    condition = Q(pk__in=[])
    for offer, cycle in pairs:
        condition |= Q(offer_id=offer.pk, billing_cycle=cycle, currency=offer.currency)
    return {
        (o, c): p
        for o, c, p in OfferPrice.objects.filter(condition).values_list("offer_id", "billing_cycle", "unit_price")
    }


def book_billing(
    *,
    source: Subscription,
    target: Subscription,
    operation: UpgradeOperation | None = None,
    source_unit_price: Decimal | None = None,
    target_unit_price: Decimal | None = None,
    today: date | None = None,
) -> list[BillingEntry]:
    """A prorated credit for the source's unused days of its current period and a prorated charge for the
    target over the same days (see ``upgrades.billing``). Prices default to the catalog's. One INSERT."""
    entries = billing_entries(
        source=source,
        target=target,
        operation=operation,
        source_unit_price=source_unit_price,
        target_unit_price=target_unit_price,
        today=today,
    )
    return BillingEntry.objects.bulk_create(entries)


def billing_entries(
    *,
    source: Subscription,
    target: Subscription,
    operation: UpgradeOperation | None = None,
    source_unit_price: Decimal | None = None,
    target_unit_price: Decimal | None = None,
    today: date | None = None,
) -> list[BillingEntry]:
    """The two entries :func:`book_billing` writes, not saved yet (no query when both prices are given)."""
    today = today or timezone.localdate()
    if source_unit_price is None or target_unit_price is None:
        prices = unit_prices([(source.offer, source.billing_cycle), (target.offer, target.billing_cycle)])
        source_unit_price = (
            prices.get((source.offer_id, source.billing_cycle), Decimal("0"))
            if source_unit_price is None
            else source_unit_price
        )
        target_unit_price = (
            prices.get((target.offer_id, target.billing_cycle), Decimal("0"))
            if target_unit_price is None
            else target_unit_price
        )
    proration = upgrade_proration(
        term_start=source.term_start_date,
        source_cycle=source.billing_cycle,
        target_cycle=target.billing_cycle,
        today=today,
        source_unit_price=source_unit_price,
        source_quantity=source.quantity,
        target_unit_price=target_unit_price,
        target_quantity=target.quantity,
    )
    period = {
        "period_start": proration.start,
        "period_end": max(proration.last_day, proration.start),
        "booked": today,
        "operation": operation,
    }
    entries = [
        BillingEntry(
            subscription=source,
            kind=BillingKind.CREDIT,
            amount=proration.credit,
            currency=source.offer.currency,
            **period,
            description=ngettext(
                "Credit for %(days)d unused day of %(offer)s × %(seats)d",
                "Credit for %(days)d unused days of %(offer)s × %(seats)d",
                proration.remaining_days,
            )
            % {"days": proration.remaining_days, "offer": source.offer.name, "seats": source.quantity},
        ),
        BillingEntry(
            subscription=target,
            kind=BillingKind.CHARGE,
            amount=proration.charge,
            currency=target.offer.currency,
            **period,
            description=ngettext(
                "Prorated charge for %(days)d day of %(offer)s × %(seats)d",
                "Prorated charge for %(days)d days of %(offer)s × %(seats)d",
                proration.remaining_days,
            )
            % {"days": proration.remaining_days, "offer": target.offer.name, "seats": target.quantity},
        ),
    ]
    return entries


def billing_summary(entries: Iterable[BillingEntry]) -> dict[str, Any]:
    """``{"credit": {...}, "charge": {...}, "net": {currency: amount}}`` with amounts as strings."""
    summary: dict[str, Any] = {}
    net: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        summary[str(entry.kind)] = {
            "subscriptionId": str(entry.subscription_id),
            "amount": str(entry.amount),
            "currency": entry.currency,
            "periodStart": entry.period_start.isoformat(),
            "periodEnd": entry.period_end.isoformat(),
            "description": entry.description,
        }
        net[entry.currency] += entry.amount
    summary["net"] = {currency: str(amount) for currency, amount in net.items()}
    return summary
