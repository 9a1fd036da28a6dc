"""Carrying out a new commerce transition (domain.md §8): the one place its rules and transaction live.

Partner Center: "Transition a new commerce subscription" (POST .../transitions),
https://learn.microsoft.com/en-us/partner-center/developer/transition-a-new-commerce-subscription; resources:
https://learn.microsoft.com/en-us/partner-center/developer/transition-resources; "Get transitions":
https://learn.microsoft.com/en-us/partner-center/developer/get-transitions.

``subscription_transition`` mirrors the legacy ``upgrades.services.subscription_upgrade``:

1. validate the input's shape and resolve the catalog items (``InvalidInput`` naming the field);
2. ONE transaction: lock the source, its customer and a merge target (``SELECT ... FOR NO KEY UPDATE NOWAIT`` on
   PostgreSQL; a row held by a concurrent change answers 409 ``concurrency_conflicts`` at once);
3. validate against the locked data (from item, quantity, term × cycle, merge target, users) and RE-CHECK
   eligibility with ``commerce.rules.evaluate`` (every reason → ``TransitionNotEligible``, 409);
4. new target (co-termed with the source, or a new term from today when a longer term is asked) or seats added
   to the existing one; the source cancelled (full) or keeping the rest (partial); its scheduled changes deleted
   (any mid-term change deletes them, §8); licenses moved set-based; a credit and a charge booked; audit records;
   the Transition saved with its events and its status history (pending → in progress → completed).

Which users move in a partial transition with license transfer (Partner Center leaves it open, §8): the ones
named in ``user_ids`` (tenant users' object ids, at most ``quantity``), else as many as seats moved, those
assigned last (latest ``assigned`` first).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditRecord, OperationType
from audit.services import actor_fields, audit_record_build
from catalog.models import TERM_CYCLES, TERM_MONTHS, CommercePrice, CommerceProduct, TermDuration
from core import events, workflow
from core.errors import DomainError, InvalidInput
from core.scoping import principal_of
from core.signals import operation_finished_on_commit
from customers.models import Customer
from subscriptions.models import LicenseAssignment, Subscription, SubscriptionStatus
from upgrades import steps
from upgrades.billing import add_months
from upgrades.models import BillingEntry, BillingKind

from .billing import TransitionBilling, transition_billing
from .context import LoadedTransitionContext, commerce_data, load_transition_context, subscription_not_found
from .models import EventName, EventStatus, Transition, TransitionStatus
from .rules import evaluate
from .types import EligibilityType, TransitionError, TransitionErrorCode, TransitionType


class TransitionNotEligible(DomainError):
    """The transition is blocked on the locked data: a ServiceFault whose ``data`` lists every reason
    (``"<code> <errorName>: <description> (<details>)"``); ``.code``/``.error_name`` are the first one's,
    ``.errors`` the ``TransitionError`` items."""

    http_status = 409
    error_name = "transition_not_eligible"

    def __init__(self, errors):
        errors = tuple(errors)
        first = errors[0] if errors else None
        super().__init__(
            first.description if first else _("The transition is not eligible."),
            error_name=first.error_name if first else None,
            code=int(first.code) if first else None,
            data=[
                f"{int(e.code)} {e.error_name}: {e.description}"
                + (f" ({e.additional_details})" if e.additional_details else "")
                for e in errors
            ],
        )
        self.errors = errors


def busy(subscription_id) -> TransitionNotEligible:
    return TransitionNotEligible(
        [
            TransitionError(
                TransitionErrorCode.CONCURRENCY_CONFLICTS,
                _("Another change of this subscription or customer is running right now; try again shortly."),
                _("Subscription %(id)s.") % {"id": subscription_id},
            )
        ]
    )


# --- 1. the input's shape ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogItem:
    product_id: str
    sku_id: str
    availability_id: str

    def __str__(self):
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"


@dataclass(frozen=True)
class TransitionRequest:
    to_item: CatalogItem
    from_item: CatalogItem | None
    to_subscription_id: uuid.UUID | None
    quantity: int | None  # None: every seat
    term_duration: str | None  # None: the source's (or the merge target's)
    billing_cycle: str | None  # None: the source's when the term allows it (or the merge target's)
    transition_type: str
    user_ids: tuple[uuid.UUID, ...] | None  # tenant users' object ids; None: chosen by the rule above


def parse_catalog_item(value, *, field: str, required: bool) -> CatalogItem | None:
    if value in (None, "") and not required:
        return None
    parts = value.strip().split(":") if isinstance(value, str) else []
    if len(parts) != 3 or not all(parts):
        raise InvalidInput(
            _("must be a catalog item id productId:skuId:availabilityId (got %(value)r).") % {"value": value},
            field=field,
        )
    return CatalogItem(*(part.upper() for part in parts))


def parse_transition_request(
    *,
    to_catalog_item_id,
    from_catalog_item_id=None,
    to_subscription_id=None,
    quantity=None,
    term_duration=None,
    billing_cycle=None,
    transition_type=None,
    user_ids=None,
) -> TransitionRequest:
    """Validate the shape of the input (no query); ``InvalidInput`` naming the field."""
    to_item = parse_catalog_item(to_catalog_item_id, field="toCatalogItemId", required=True)
    assert to_item is not None  # required: a missing one raised
    from_item = parse_catalog_item(from_catalog_item_id, field="fromCatalogItemId", required=False)
    target_id = None
    if to_subscription_id not in (None, ""):
        try:
            target_id = uuid.UUID(str(to_subscription_id))
        except ValueError:
            raise InvalidInput(_("must be a subscription id (GUID)."), field="toSubscriptionId") from None
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)):
        raise InvalidInput(_("must be a whole number (got %(value)r).") % {"value": quantity}, field="quantity")
    if quantity is not None and quantity <= 0:
        raise InvalidInput(_("must be at least 1."), field="quantity")
    term = None
    if term_duration not in (None, ""):
        term = str(term_duration).strip().upper()
        if term not in TermDuration.values:
            raise InvalidInput(
                _("must be one of: %(values)s.") % {"values": ", ".join(TermDuration.values)}, field="termDuration"
            )
    cycle = None
    if billing_cycle not in (None, ""):
        cycle = str(billing_cycle).strip().lower()
        allowed = sorted({c for cycles in TERM_CYCLES.values() for c in cycles})
        if cycle not in allowed:
            raise InvalidInput(_("must be one of: %(values)s.") % {"values": ", ".join(allowed)}, field="billingCycle")
    kind = str(transition_type).strip().lower() if transition_type not in (None, "") else TransitionType.TRANSITION_ONLY
    if kind not in TransitionType.ALL:
        raise InvalidInput(
            _("must be one of: %(values)s.") % {"values": ", ".join(TransitionType.ALL)}, field="transitionType"
        )
    users = None
    if user_ids is not None:
        if not isinstance(user_ids, (list, tuple)):
            raise InvalidInput(_("must be a list of user object ids."), field="userIds")
        try:
            users = tuple(dict.fromkeys(uuid.UUID(str(value)) for value in user_ids))
        except ValueError:
            raise InvalidInput(_("must be a list of user object ids (GUIDs)."), field="userIds") from None
        if kind != TransitionType.TRANSITION_WITH_LICENSE_TRANSFER and users:
            raise InvalidInput(_("users move only with transition_with_license_transfer."), field="userIds")
        users = users or None
    return TransitionRequest(
        to_item=to_item,
        from_item=from_item,
        to_subscription_id=target_id,
        quantity=quantity,
        term_duration=term,
        billing_cycle=cycle,
        transition_type=kind,
        user_ids=users,
    )


def offers_of(items) -> dict[CatalogItem, str]:
    """Catalog item → offer id, for the known ones among ``items`` (one query)."""
    condition = Q(pk__in=[])
    for item in items:
        condition |= Q(product_id=item.product_id, sku_id=item.sku_id, availability_id=item.availability_id)
    return {
        CatalogItem(p, s, a): offer_id
        for offer_id, p, s, a in CommerceProduct.objects.filter(condition).values_list(
            "offer_id", "product_id", "sku_id", "availability_id"
        )
    }


def resolve_items(request: TransitionRequest) -> tuple[dict[CatalogItem, str], str]:
    """The request's catalog items → offer ids, and the target's offer id; ``InvalidInput`` for an unknown one."""
    items = offers_of([i for i in (request.to_item, request.from_item) if i is not None])
    if request.to_item not in items:
        raise InvalidInput(_("unknown catalog item %(item)s.") % {"item": request.to_item}, field="toCatalogItemId")
    if request.from_item is not None and request.from_item not in items:
        raise InvalidInput(_("unknown catalog item %(item)s.") % {"item": request.from_item}, field="fromCatalogItemId")
    return items, items[request.to_item]


# --- 2–3. lock, validate on the locked data, re-check ---------------------------------------------------------------


@dataclass
class Plan:
    """What an eligible transition does, decided on the locked rows."""

    loaded: LoadedTransitionContext
    source: Subscription
    from_item: str
    to_item: str
    target_offer_id: str
    merge_target: Subscription | None
    quantity: int
    term_duration: str
    billing_cycle: str
    transition_type: str
    user_pks: list[int] | None  # None: every license (full) or the latest assigned (partial; see ``moving``)
    source_price: Decimal
    target_price: Decimal

    @property
    def full(self) -> bool:
        return self.quantity == self.source.quantity

    @property
    def transfer(self) -> bool:
        return self.transition_type == TransitionType.TRANSITION_WITH_LICENSE_TRANSFER


def lock_rows(*, actor, subscription_id, request: TransitionRequest, target_offer_id: str):
    """Lock source (with its context), customer and merge target; NOWAIT (a held row → 409 busy)."""
    try:
        with transaction.atomic():  # a savepoint: a refused lock leaves the caller's transaction usable
            loaded = load_transition_context(
                actor=actor,
                subscription_id=subscription_id,
                term_duration=request.term_duration,
                lock=True,
                extra_target_ids=(target_offer_id,),
            )
            source = loaded.subscription
            list(
                Customer.objects.select_for_update(nowait=True, no_key=True)
                .filter(pk=source.customer_id)
                .values_list("pk", flat=True)
            )
            merge_target = None
            if request.to_subscription_id is not None:
                merge_target = (
                    Subscription.objects.select_for_update(nowait=True, no_key=True, of=("self",))
                    .select_related("offer")
                    .filter(pk=request.to_subscription_id, customer_id=source.customer_id)
                    .exclude(pk=source.pk)
                    .first()
                )
    except OperationalError:
        raise busy(subscription_id) from None
    if merge_target is not None:  # eligibility sees the locked row
        holdings = tuple(h for h in loaded.ctx.holdings if h.id != merge_target.pk)
        if merge_target.status != SubscriptionStatus.DELETED:
            holdings += (commerce_data(merge_target),)
        loaded.ctx = dataclasses.replace(loaded.ctx, holdings=holdings)
    return loaded, merge_target


def prices(pairs) -> dict[tuple, Decimal]:
    """(offer id, term, cycle, currency) → unit price, in one query."""
    condition = Q(pk__in=[])
    for offer_id, term, cycle, currency in pairs:
        condition |= Q(offer_id=offer_id, term_duration=term, billing_cycle=cycle, currency=currency)
    return {
        (o, t, c, cur): p
        for o, t, c, cur, p in CommercePrice.objects.filter(condition).values_list(
            "offer_id", "term_duration", "billing_cycle", "currency", "unit_price"
        )
    }


def transition_plan(*, loaded, merge_target, request: TransitionRequest, items: dict, target_offer_id: str) -> Plan:
    """Every check on the locked data: the input against the source, then eligibility (every reason)."""
    source = loaded.subscription
    offers = loaded.legacy.offers
    source_product = CommerceProduct.objects.filter(offer_id=source.offer_id).first()
    from_item = str(
        CatalogItem(source_product.product_id, source_product.sku_id, source_product.availability_id)
        if source_product
        else ""
    )
    if request.from_item is not None and items.get(request.from_item) != source.offer_id:
        raise InvalidInput(
            _("%(item)s is not the catalog item of this subscription (%(source)s).")
            % {"item": request.from_item, "source": from_item or source.offer_id},
            field="fromCatalogItemId",
        )
    quantity = source.quantity if request.quantity is None else request.quantity
    if quantity > source.quantity:
        raise InvalidInput(
            _("cannot exceed the subscription's %(seats)d seats.") % {"seats": source.quantity}, field="quantity"
        )

    # term and cycle: the merge target's own, else the requested (default: the source's)
    if merge_target is not None:
        term, cycle = merge_target.term_duration, merge_target.billing_cycle
        for field, asked, own in (
            ("termDuration", request.term_duration, term),
            ("billingCycle", request.billing_cycle, cycle),
        ):
            if asked is not None and asked != own:
                raise InvalidInput(
                    _("must be the existing target subscription's (%(own)s) or left out.") % {"own": own or "-"},
                    field=field,
                )
    else:
        term = request.term_duration or source.term_duration
        allowed = TERM_CYCLES.get(term, ())  # none for a legacy source: the eligibility below refuses it
        default = source.billing_cycle if source.billing_cycle in allowed else (allowed[0] if allowed else "")
        cycle = request.billing_cycle or default
        if allowed and cycle not in allowed:
            raise InvalidInput(
                _("%(term)s is billed %(cycles)s only.") % {"term": term, "cycles": ", ".join(allowed)},
                field="billingCycle",
            )

    # eligibility, every reason, on the locked rows (the requested term when it is a new target)
    eligibility = next(
        (
            e
            for e in evaluate(loaded.ctx, EligibilityType.IMMEDIATE)
            if e.target.offer_id == target_offer_id and e.target.catalog_item_id == str(request.to_item)
        ),
        None,
    )
    if eligibility is None:
        raise InvalidInput(
            _("%(item)s is not a transition target of this subscription (see its transitionEligibilities).")
            % {"item": request.to_item},
            field="toCatalogItemId",
        )
    of_type = eligibility.of_type(request.transition_type)
    errors = list(of_type.errors)
    if request.to_subscription_id is not None:
        merge = next(
            (
                m
                for m in eligibility.subscription_eligibilities
                if merge_target is not None and m.subscription.id == merge_target.pk
            ),
            None,
        )
        if merge is None:
            raise InvalidInput(
                _("%(id)s is not one of the customer's subscriptions of the target that can receive the seats.")
                % {"id": request.to_subscription_id},
                field="toSubscriptionId",
            )
        errors.extend(merge.errors)
    if errors:
        raise TransitionNotEligible(sorted(errors, key=lambda e: int(e.code)))

    target_offer = offers[target_offer_id]
    total = quantity + (merge_target.quantity if merge_target is not None else 0)
    problem = target_offer.quantity_problem(total)
    if problem:
        raise InvalidInput(problem, field="quantity")

    found = prices(
        [
            (source.offer_id, source.term_duration, source.billing_cycle, source.offer.currency),
            (target_offer_id, term, cycle, target_offer.currency),
        ]
    )
    target_price = found.get((target_offer_id, term, cycle, target_offer.currency))
    if target_price is None:
        raise InvalidInput(
            _("%(offer)s is not sold for %(term)s billed %(cycle)s.")
            % {"offer": target_offer.name, "term": term, "cycle": cycle},
            field="billingCycle",
        )
    source_price = found.get(
        (source.offer_id, source.term_duration, source.billing_cycle, source.offer.currency), Decimal("0")
    )

    user_pks = None
    if request.user_ids:
        held = dict(
            LicenseAssignment.objects.filter(
                subscription_id=source.pk, user__object_id__in=request.user_ids
            ).values_list("user__object_id", "user_id")
        )
        missing = [str(i) for i in request.user_ids if i not in held]
        if missing:
            raise InvalidInput(
                _("these users hold no license of the subscription: %(ids)s.") % {"ids": ", ".join(missing)},
                field="userIds",
            )
        if len(held) > quantity:
            raise InvalidInput(
                _("at most %(n)d users can move with %(n)d seats (got %(got)d).") % {"n": quantity, "got": len(held)},
                field="userIds",
            )
        user_pks = sorted(held.values())
    return Plan(
        loaded=loaded,
        source=source,
        from_item=from_item,
        to_item=str(request.to_item),
        target_offer_id=target_offer_id,
        merge_target=merge_target,
        quantity=quantity,
        term_duration=term,
        billing_cycle=cycle,
        transition_type=request.transition_type,
        user_pks=user_pks,
        source_price=source_price,
        target_price=target_price,
    )


# --- 4. the steps ---------------------------------------------------------------------------------------------------


def moving_users(plan: Plan):
    """The users whose licenses move: the named ones; all (full); else the ``quantity`` assigned last (a
    subquery: the statement count does not depend on the number of users)."""
    if plan.user_pks is not None:
        return plan.user_pks
    if plan.full:
        return None
    return (
        LicenseAssignment.objects.filter(subscription_id=plan.source.pk)
        .order_by("-assigned", "-pk")
        .values("user_id")[: plan.quantity]
    )


def target_term(plan: Plan, *, today: date) -> tuple[date | None, date]:
    """The target's term end and the day its billing periods are anchored at: a merge target's own; a new one
    co-termed with the source (anchored at the source's term start), or a new term from today when longer."""
    if plan.merge_target is not None:
        target = plan.merge_target
        return target.commitment_end_date, target.term_start_date
    source = plan.source
    longer = TERM_MONTHS.get(plan.term_duration, 0) > TERM_MONTHS.get(source.term_duration, 0)
    end = (
        add_months(today, TERM_MONTHS[plan.term_duration]) - timedelta(days=1)
        if longer or source.commitment_end_date is None
        else source.commitment_end_date
    )
    return end, today if longer else source.term_start_date


def new_target(plan: Plan, *, today: date) -> tuple[Subscription, date]:
    """A new subscription of the target (:func:`target_term`) and the day its billing periods are anchored at."""
    source = plan.source
    end, anchor = target_term(plan, today=today)
    target = steps.create_target_subscription(
        source=source,
        target_offer=plan.loaded.legacy.offers[plan.target_offer_id],
        quantity=plan.quantity,
        billing_cycle=plan.billing_cycle,
        today=today,
        commerce="new",
        term_duration=plan.term_duration,
        commitment_end_date=end,
        cancellation_allowed_until=None,
        refundable_quantity=0,
        scheduled_next_term_instructions=None,
    )
    target.offer = plan.loaded.legacy.offers[plan.target_offer_id]
    return target, anchor


def plan_billing(plan: Plan, *, anchor: date, today: date) -> TransitionBilling:
    """The credit for the moved seats and the charge for them on the target (``commerce.billing``)."""
    source = plan.source
    return transition_billing(
        today=today,
        source_anchor=source.term_start_date,
        source_cycle=source.billing_cycle,
        source_unit_price=plan.source_price,
        moved=plan.quantity,
        target_anchor=anchor,
        target_cycle=plan.billing_cycle,
        target_unit_price=plan.target_price,
        target_seats=plan.quantity,
    )


def billing_rows(plan: Plan, *, target: Subscription, anchor: date, today: date) -> list[BillingEntry]:
    source = plan.source
    figures = plan_billing(plan, anchor=anchor, today=today)
    credit, charge = figures.credit, figures.charge
    values = {"seats": plan.quantity}
    return [
        billing_entry(
            source,
            BillingKind.CREDIT,
            credit,
            today,
            ngettext(
                "Credit for %(days)d unused day of %(offer)s × %(seats)d (transition)",
                "Credit for %(days)d unused days of %(offer)s × %(seats)d (transition)",
                credit.days,
            )
            % {**values, "days": credit.days, "offer": source.offer.name},
        ),
        billing_entry(
            target,
            BillingKind.CHARGE,
            charge,
            today,
            ngettext(
                "Prorated charge for %(days)d day of %(offer)s × %(seats)d (transition)",
                "Prorated charge for %(days)d days of %(offer)s × %(seats)d (transition)",
                charge.days,
            )
            % {**values, "days": charge.days, "offer": target.offer.name},
        ),
    ]


def billing_entry(subscription: Subscription, kind: str, part, booked: date, description: str) -> BillingEntry:
    """One unsaved billing row of ``part`` (a credit or charge of ``commerce.billing``) in the subscription's
    currency; a part of no whole day still covers its first day."""
    return BillingEntry(
        subscription=subscription,
        kind=kind,
        amount=part.amount,
        currency=subscription.offer.currency,
        period_start=part.start,
        period_end=max(part.last_day, part.start),
        booked=booked,
        description=description,
    )


def billing_summary(entries) -> dict:
    return {
        "credit": {"amount": str(entries[0].amount), "currency": entries[0].currency},
        "charge": {"amount": str(entries[1].amount), "currency": entries[1].currency},
        "entries": [
            {
                "subscriptionId": str(e.subscription_id),
                "kind": e.kind,
                "amount": str(e.amount),
                "currency": e.currency,
                "periodStart": e.period_start.isoformat(),
                "periodEnd": e.period_end.isoformat(),
                "description": e.description,
            }
            for e in entries
        ],
    }


def update_source(plan: Plan, *, now) -> dict:
    """Full: cancelled (deleted), auto-renew off; partial: keeps the rest. Either way its scheduled changes go.
    One UPDATE (two for a full one); answers the fields set besides the cancellation."""
    source = plan.source
    fields = {"scheduled_next_term_instructions": None, "updated": now}
    if plan.full:
        steps.cancel_source(source=source)  # the upgrade's step: deleted, auto-renew off
    else:
        rest = source.quantity - plan.quantity
        fields.update(quantity=rest, refundable_quantity=min(source.refundable_quantity, rest))
    Subscription.objects.filter(pk=source.pk).update(**fields)
    return fields


def event(name: str, status: str, at, errors=(), **details) -> dict:
    return {"name": name, "status": status, "timestamp": at.isoformat(), "errors": list(errors), **details}


def actor_row_fields(actor) -> dict:
    who = actor_fields(actor)
    is_user = not getattr(actor, "is_application", False) and getattr(actor, "pk", None) is not None
    return {
        "actor_user": principal_of(actor) if is_user else None,
        "actor_upn": who["user_principal_name"],
        "actor_application_id": who["application_id"],
    }


def execute(*, actor, plan: Plan, correlation_id: str, request_id: str, today: date | None = None) -> Transition:
    """The steps of an eligible, locked transition; the Transition is inserted at its final status with its three
    history rows."""
    now = timezone.now()
    today = today or timezone.localdate()
    source = plan.source
    before: dict[str, Any] = {
        "quantity": source.quantity,
        "status": source.status,
        "scheduledNextTermInstructions": source.scheduled_next_term_instructions,
    }
    if plan.merge_target is None:
        target, anchor = new_target(plan, today=today)
    else:
        target = plan.merge_target
        Subscription.objects.filter(pk=target.pk).update(quantity=F("quantity") + plan.quantity, updated=now)
        target.quantity += plan.quantity
        anchor = target.term_start_date
    events = [
        event(
            EventName.CONVERSION,
            EventStatus.COMPLETED,
            now,
            fromSubscriptionId=str(source.pk),
            toSubscriptionId=str(target.pk),
            quantity=plan.quantity,
        )
    ]
    moved = 0
    outcome = None
    if plan.transfer:
        outcome = steps.transfer_licenses(
            source=source,
            target=target,
            target_plan_families=plan.loaded.legacy.plan_families.get(plan.target_offer_id, {}),
            user_ids=moving_users(plan),
            target_is_new=plan.merge_target is None,
        )
        moved = outcome.moved
        events.append(
            event(
                EventName.LICENSE_REASSIGNMENT,
                EventStatus.FAILED if outcome.license_errors else EventStatus.COMPLETED,
                now,
                errors=outcome.license_errors,
                licensesMoved=moved,
                affectedAccounts=outcome.affected_accounts,
            )
        )
    update_source(plan, now=now)
    entries = BillingEntry.objects.bulk_create(billing_rows(plan, target=target, anchor=anchor, today=today))
    removed = before["scheduledNextTermInstructions"]
    row = Transition(
        source=source,
        target=target,
        target_offer_id=plan.target_offer_id,
        customer_id=source.customer_id,
        partner_id=source.partner_id,
        **actor_row_fields(actor),
        from_catalog_item_id=plan.from_item,
        to_catalog_item_id=plan.to_item,
        transition_type=plan.transition_type,
        quantity=plan.quantity,
        source_quantity_before=before["quantity"],
        merged=plan.merge_target is not None,
        term_duration=plan.term_duration,
        billing_cycle=plan.billing_cycle,
        licenses_moved=moved,
        status=TransitionStatus.COMPLETED,
        events=events,
        billing=billing_summary(entries),
        removed_scheduled_changes=removed,
        correlation_id=correlation_id or "",
        request_id=request_id or "",
        created=now,
        completed=now,
    )
    row.save(force_insert=True)
    Transition.billing_entries.through.objects.bulk_create(
        [Transition.billing_entries.through(transition_id=row.pk, billingentry_id=e.pk) for e in entries]
    )
    with workflow.HistoryBuffer() as history:
        workflow.start_through(
            row,
            [
                (TransitionStatus.PENDING, _("Requested.")),
                (TransitionStatus.IN_PROGRESS, _("Eligibility re-checked on the locked subscriptions.")),
                (
                    TransitionStatus.COMPLETED,
                    _("%(seats)s moved to %(target)s; %(licenses)s moved.")
                    % {
                        "seats": ngettext("%(count)d seat", "%(count)d seats", plan.quantity)
                        % {"count": plan.quantity},
                        "target": target.pk,
                        "licenses": ngettext("%(count)d license", "%(count)d licenses", moved) % {"count": moved},
                    },
                ),
            ],
            buffer=history,
            actor=actor,
            correlation_id=correlation_id or None,
            at=now,
        )
    audit(actor=actor, plan=plan, row=row, target=target, before=before, outcome=outcome, correlation_id=correlation_id)
    return row


def audit(*, actor, plan: Plan, row: Transition, target, before: dict, outcome, correlation_id: str) -> None:
    source = plan.source
    common = {"actor": actor, "partner": source.partner, "customer": source.customer, "correlation_id": correlation_id}
    records = [
        audit_record_build(
            operation_type=OperationType.UPGRADE_SUBSCRIPTION,
            resource_type="subscription",
            **common,
            old={
                "subscriptionId": str(source.pk),
                "catalogItemId": plan.from_item,
                "offerId": source.offer_id,
                "quantity": before["quantity"],
                "status": before["status"],
                "termDuration": source.term_duration,
                "billingCycle": source.billing_cycle,
                "scheduledNextTermInstructions": before["scheduledNextTermInstructions"],
            },
            new={
                "transitionId": str(row.pk),
                "transitionType": plan.transition_type,
                "subscriptionId": str(target.pk),
                "catalogItemId": plan.to_item,
                "offerId": plan.target_offer_id,
                "quantityMoved": plan.quantity,
                "targetQuantity": target.quantity,
                "merged": row.merged,
                "termDuration": plan.term_duration,
                "billingCycle": plan.billing_cycle,
                "sourceQuantity": 0 if plan.full else before["quantity"] - plan.quantity,
                "sourceStatus": SubscriptionStatus.DELETED if plan.full else before["status"],
                "scheduledNextTermInstructions": None,
                "billing": {"credit": row.billing["credit"], "charge": row.billing["charge"]},
            },
        )
    ]
    if outcome is not None:
        records.append(
            steps.license_move_record(
                source=source, target=target, outcome=outcome, audit=common, transitionId=str(row.pk)
            )
        )
    AuditRecord.objects.bulk_create(records)
    steps.subscription_change_emit(
        events.SUBSCRIPTION_TRANSITIONED,
        source=source,
        target=target,
        path=f"transitions/{row.pk}",
        resource_name="Transition",
        audit_id=records[0].pk,
    )


def subscription_transition(
    *,
    actor,
    subscription_id,
    to_catalog_item_id,
    from_catalog_item_id=None,
    to_subscription_id=None,
    quantity=None,
    term_duration=None,
    billing_cycle=None,
    transition_type=None,
    user_ids=None,
    customer_tenant_id=None,
    correlation_id: str = "",
    request_id: str = "",
    today: date | None = None,
) -> Transition:
    """Transition a new commerce subscription now, in one transaction; answers the saved Transition.

    Raises ``InvalidInput`` (the field and why), ``NotFound`` (outside the actor's scope, or not the customer
    ``customer_tenant_id``), ``TransitionNotEligible`` (409, every reason, checked on the locked rows; a row held
    by a concurrent change is ``concurrency_conflicts``) or ``PermissionDenied`` (no upgrade capability).
    ``today``: the transition day (default: today; tests fix it for the billing figures).
    """
    started = time.monotonic()
    request = parse_transition_request(
        to_catalog_item_id=to_catalog_item_id,
        from_catalog_item_id=from_catalog_item_id,
        to_subscription_id=to_subscription_id,
        quantity=quantity,
        term_duration=term_duration,
        billing_cycle=billing_cycle,
        transition_type=transition_type,
        user_ids=user_ids,
    )
    with transaction.atomic():
        _loaded, plan = locked_plan(
            actor=actor, subscription_id=subscription_id, request=request, customer_tenant_id=customer_tenant_id
        )
        row = execute(actor=actor, plan=plan, correlation_id=correlation_id, request_id=request_id, today=today)
        operation_finished_on_commit(
            kind="transition", outcome="succeeded", started=started, licenses_moved=row.licenses_moved
        )
        return row


def locked_plan(*, actor, subscription_id, request: TransitionRequest, customer_tenant_id=None):
    """Inside the caller's transaction: resolve the catalog items, lock the rows (NOWAIT), re-check eligibility on
    them and plan the transition ``request`` asks for; ``(loaded context, plan)``. ``NotFound`` outside the
    actor's scope or when the subscription is not the customer ``customer_tenant_id``'s."""
    items, target_offer_id = resolve_items(request)
    loaded, merge_target = lock_rows(
        actor=actor, subscription_id=subscription_id, request=request, target_offer_id=target_offer_id
    )
    if customer_tenant_id is not None and str(loaded.subscription.customer.tenant_id) != str(customer_tenant_id):
        raise subscription_not_found(subscription_id)
    plan = transition_plan(
        loaded=loaded, merge_target=merge_target, request=request, items=items, target_offer_id=target_offer_id
    )
    return loaded, plan
