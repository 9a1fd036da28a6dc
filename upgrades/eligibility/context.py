"""Load everything eligibility evaluations need, for ONE or MANY subscriptions, in a FIXED number of queries.

:func:`load_contexts` is the only loader; :func:`load_context` is one subscription's call of it. The count
does not depend on the number of subscriptions, customers, users, license assignments or offers in the
catalog (only the offers involved are read):

  1. the source subscriptions (+ offer, customer, partner), scoped to the actor, optionally row-locked;
  2. the source offers' matrix rows;
  3. the customers' subscriptions in ALL channels (active, pending, suspended; add-ons included);
  4. the offers involved (sources, targets, requested targets, offers of the other subscriptions);
  5. their service plans (family, level, code);
  6. their prices (cycle, currency, unit price);
  7. open upgrade operations of the customers;
  8–11. delegated access (``delegation.selectors.delegated_access_for``: 2 to 4 queries) per selling
     partner: a partner's user or application always has one; a platform operator acting across partners
     pays them once per partner involved.

Each subscription's :class:`LoadedContext` is exactly what loading it alone produces: its ``offers``,
``prices``, plan maps and ``family_names`` cover only the offers of ITS evaluation, ``others`` and
``open_operations`` only its own customer's rows (``tests/upgrades/test_batch_context.py`` compares them).

A partner may only upgrade what it sold itself (channel ``csp`` through that partner): any other
subscription answers ``NotFound`` as if it did not exist (the batch loader leaves it out of its answer).
A platform operator acts for the selling partner.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from catalog.models import INDIA, Offer, OfferPrice, UpgradePath
from core.errors import NotFound
from delegation.selectors import DelegatedAccess, delegated_access_for
from partners.roles import Capability, require
from subscriptions.models import Subscription

from ..models import UpgradeOperation
from ..policies import upgradable_subscriptions
from .rules import HOLDING_STATUSES, paths_for_market
from .types import ActorData, EligibilityContext, OfferData, OperationData, SubscriptionData


@dataclass
class LoadedContext:
    """The pure context plus the ORM objects the service needs afterwards (no further reads).

    ``matrix_target_ids``: every matrix row of the source offer, whatever the market (``ctx.path_ids`` keeps
    the source market's ones): tells a source without any row from one whose rows are all for another market.
    """

    ctx: EligibilityContext
    subscription: Subscription
    offers: dict[str, Offer]
    access: DelegatedAccess
    plan_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    plan_families: dict[str, dict[str, str]] = field(default_factory=dict)  # offer → plan code → family
    prices: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)  # (offer, cycle, currency)
    matrix_target_ids: tuple[str, ...] = ()

    def price(self, offer_id: str, cycle: str) -> Decimal | None:
        offer = self.offers.get(offer_id)
        return None if offer is None else self.prices.get((offer_id, cycle, offer.currency))


def subscription_not_found(pk) -> NotFound:
    """The error of a subscription outside the actor's upgradable scope (or not a subscription id at all)."""
    return NotFound(_("Subscription %(id)s not found.") % {"id": pk}, field="subscriptionId")


def _as_pk(subscription) -> uuid.UUID | None:
    pk = getattr(subscription, "pk", subscription)
    if isinstance(pk, uuid.UUID):
        return pk
    try:
        return uuid.UUID(str(pk))
    except (TypeError, ValueError, AttributeError):
        return None


def load_sources(*, actor, subscriptions: Iterable[Any], lock: bool = False) -> list[Subscription]:
    """The upgradable source subscriptions among ``subscriptions`` (instances or ids), in ONE query.

    Ids outside the actor's scope (or not ids at all) are left out. ``lock``: row-lock them (NOWAIT: a
    concurrent upgrade holding a row answers ``concurrency_conflicts`` at once, see ``services``).
    """
    require(actor, Capability.UPGRADE)
    pks = list(dict.fromkeys(pk for pk in map(_as_pk, subscriptions) if pk is not None))
    if not pks:
        return []
    queryset = upgradable_subscriptions(actor).select_related("offer", "customer", "partner").filter(pk__in=pks)
    if lock:
        queryset = queryset.select_for_update(nowait=True, of=("self",), no_key=True)
    return list(queryset)


def load_context(
    *,
    actor,
    subscription,
    billing_cycle: str | None = None,
    extra_target_ids: Iterable[str] = (),
    lock: bool = False,
    exclude_operation_id=None,
) -> LoadedContext:
    """One subscription's context (:func:`load_contexts` for one id); ``NotFound`` outside the scope."""
    pk = _as_pk(subscription)
    if pk is None:
        require(actor, Capability.UPGRADE)
        raise subscription_not_found(getattr(subscription, "pk", subscription))
    loaded = load_contexts(
        actor=actor,
        subscriptions=[pk],
        billing_cycle=billing_cycle,
        extra_target_ids=extra_target_ids,
        lock=lock,
        exclude_operation_id=exclude_operation_id,
    )
    if pk not in loaded:
        raise subscription_not_found(pk)
    return loaded[pk]


def load_contexts(
    *,
    actor,
    subscriptions: Iterable[Any],
    billing_cycle: str | None = None,
    extra_target_ids: Iterable[str] = (),
    lock: bool = False,
    exclude_operation_id=None,
) -> dict[uuid.UUID, LoadedContext]:
    """The context of each subscription the actor may upgrade, keyed by subscription id; in fixed queries.

    ``subscriptions``: instances or ids, across any number of customers; the ones outside the actor's
    upgradable scope get no entry (the caller answers ``NotFound``, see :func:`subscription_not_found`).
    ``extra_target_ids``: offers every context must also hold (requested targets; an id outside the catalog
    is simply absent). ``PermissionDenied`` without the upgrade capability.
    """
    sources = load_sources(actor=actor, subscriptions=subscriptions, lock=lock)
    if not sources:
        return {}
    customer_ids = list(dict.fromkeys(source.customer_id for source in sources))
    extra_target_ids = tuple(dict.fromkeys(t for t in extra_target_ids if t))

    matrix: dict[str, list[str]] = defaultdict(list)
    for source_offer_id, target_id in (
        UpgradePath.objects.filter(source_id__in={s.offer_id for s in sources})
        .order_by("position", "id")
        .values_list("source_id", "target_id")
    ):
        matrix[source_offer_id].append(target_id)
    holdings: dict[int, list[Subscription]] = defaultdict(list)
    for held in (
        Subscription.objects.filter(customer_id__in=customer_ids, status__in=HOLDING_STATUSES)
        .select_related("partner")
        .order_by("customer_id", "created", "pk")
    ):
        holdings[held.customer_id].append(held)

    wanted: dict[uuid.UUID, set[str]] = {
        source.pk: {
            source.offer_id,
            *matrix[source.offer_id],
            *extra_target_ids,
            *(held.offer_id for held in holdings[source.customer_id] if held.pk != source.pk),
        }
        for source in sources
    }
    catalog = _load_catalog(set().union(*wanted.values()))
    operations = _open_operations(customer_ids, exclude_operation_id=exclude_operation_id)
    access = _delegated_access(actor, sources)

    is_application = bool(getattr(actor, "is_application", False))
    held_data = {held.pk: subscription_data(held) for rows in holdings.values() for held in rows}
    loaded = {}
    for source in sources:
        granted = access[(source.partner_id, source.customer_id)]
        offer_ids = [oid for oid in catalog.offers if oid in wanted[source.pk]]  # catalog order
        offers_data = {oid: catalog.offers_data[oid] for oid in offer_ids}
        source_offer = offers_data[source.offer_id]
        targets = [offers_data[tid] for tid in matrix[source.offer_id] if tid in offers_data]
        ctx = EligibilityContext(
            actor=ActorData(
                is_application=is_application,
                has_delegated_access=granted.has_active_relationship,
                can_transfer_licenses=granted.can_transfer_licenses,
                delegated_roles=granted.roles,
            ),
            source=subscription_data(source),
            source_offer=source_offer,
            path_ids=tuple(t.id for t in paths_for_market(source_offer.market, targets)),
            offers=offers_data,
            others=tuple(held_data[held.pk] for held in holdings[source.customer_id] if held.pk != source.pk),
            open_operations=operations.get(source.customer_id, ()),
            billing_cycle=billing_cycle,
            family_names={family: catalog.family_names[family] for oid in offer_ids for family in catalog.levels[oid]},
        )
        loaded[source.pk] = LoadedContext(
            ctx=ctx,
            subscription=source,
            offers={oid: catalog.offers[oid] for oid in offer_ids},
            access=granted,
            plan_codes={oid: catalog.plan_codes[oid] for oid in offer_ids if oid in catalog.plan_codes},
            plan_families={oid: catalog.plan_families[oid] for oid in offer_ids if oid in catalog.plan_families},
            prices={key: price for oid in offer_ids for key, price in catalog.prices[oid].items()},
            matrix_target_ids=tuple(matrix[source.offer_id]),
        )
    return loaded


@dataclass
class _Catalog:
    """The offers involved and what the rules need of them (3 queries), shared by every context."""

    offers: dict[str, Offer]
    offers_data: dict[str, OfferData]
    levels: dict[str, dict[str, int]]  # offer → service family → highest level
    family_names: dict[str, str]
    plan_codes: dict[str, frozenset[str]]
    plan_families: dict[str, dict[str, str]]
    prices: dict[str, dict[tuple[str, str, str], Decimal]]  # offer → its price rows


def _load_catalog(offer_ids: set[str]) -> _Catalog:
    india_variant = Offer.objects.filter(market=INDIA, sku_part_number=OuterRef("sku_part_number")).exclude(
        pk=OuterRef("pk")
    )
    offers: dict[str, Offer] = {
        offer.pk: offer
        for offer in Offer.objects.filter(pk__in=offer_ids).annotate(has_india_variant=Exists(india_variant))
    }

    levels: dict[str, dict[str, int]] = defaultdict(dict)
    plan_codes: dict[str, set[str]] = defaultdict(set)
    plan_families: dict[str, dict[str, str]] = defaultdict(dict)
    family_names: dict[str, str] = {}
    plan_rows = Offer.service_plans.through.objects.filter(offer_id__in=list(offers)).values_list(
        "offer_id", "serviceplan_id", "serviceplan__family_id", "serviceplan__family__name", "serviceplan__level"
    )
    for offer_id, code, family, family_name, level in plan_rows:
        levels[offer_id][family] = max(level, levels[offer_id].get(family, 0))
        plan_codes[offer_id].add(code)
        plan_families[offer_id][code] = family
        family_names[family] = family_name

    prices: dict[str, dict[tuple[str, str, str], Decimal]] = defaultdict(dict)
    for offer_id, cycle, currency, unit_price in OfferPrice.objects.filter(offer_id__in=list(offers)).values_list(
        "offer_id", "billing_cycle", "currency", "unit_price"
    ):
        prices[offer_id][(offer_id, cycle, currency)] = unit_price

    return _Catalog(
        offers=offers,
        offers_data={oid: offer_data(offer, levels[oid], prices[oid]) for oid, offer in offers.items()},
        levels=levels,
        family_names=family_names,
        plan_codes={oid: frozenset(codes) for oid, codes in plan_codes.items()},
        plan_families=dict(plan_families),
        prices=prices,
    )


def _open_operations(customer_ids: list[int], *, exclude_operation_id=None) -> dict[int, tuple[OperationData, ...]]:
    """Open upgrade operations per customer, newest first (1 query)."""
    operations = UpgradeOperation.objects.open().filter(customer_id__in=customer_ids)
    if exclude_operation_id is not None:
        operations = operations.exclude(pk=exclude_operation_id)
    grouped: dict[int, list[OperationData]] = defaultdict(list)
    for op_id, customer_id, source_id, status, target in operations.order_by("-created", "id").values_list(
        "id", "customer_id", "source_id", "status", "target_offer_id"
    ):
        grouped[customer_id].append(OperationData(id=op_id, source_id=source_id, status=status, target_offer_id=target))
    return {customer_id: tuple(rows) for customer_id, rows in grouped.items()}


def _delegated_access(actor, sources: list[Subscription]) -> dict[tuple[int | None, int], DelegatedAccess]:
    """(selling partner, customer) → delegated access, for the actor's user (2–4 queries per partner)."""
    customers_of: dict[int, list[int]] = defaultdict(list)
    for source in sources:
        if source.partner_id is not None:  # always: sources are sold by a managed partner
            customers_of[source.partner_id].append(source.customer_id)
    user = None if getattr(actor, "is_application", False) else actor
    access: dict[tuple[int | None, int], DelegatedAccess] = {}
    for partner_id in sorted(customers_of):
        for customer_id, granted in delegated_access_for(
            partner_id=partner_id, customer_ids=customers_of[partner_id], user=user
        ).items():
            access[(partner_id, customer_id)] = granted
    return access


def offer_data(offer: Offer, levels: dict[str, int], prices: dict) -> OfferData:
    """``prices``: price rows keyed (offer, cycle, currency); the offer's own ones count."""
    cycles = frozenset(cycle for (oid, cycle, currency) in prices if oid == offer.pk and currency == offer.currency)
    return OfferData(
        id=offer.pk,
        name=offer.name,
        market=offer.market,
        currency=offer.currency,
        is_addon=offer.is_addon,
        retired=offer.retired,
        maximum_quantity=offer.maximum_quantity,
        levels=dict(levels),
        billing_cycles=cycles,
        has_india_variant=bool(getattr(offer, "has_india_variant", False)),
    )


def subscription_data(sub: Subscription) -> SubscriptionData:
    return SubscriptionData(
        id=sub.pk,
        offer_id=sub.offer_id,
        status=sub.status,
        provisioning_state=sub.provisioning_state,
        channel=sub.channel,
        channel_label=sub.channel_label,
        quantity=sub.quantity,
        billing_cycle=sub.billing_cycle,
        parent_id=sub.parent_id,
    )
