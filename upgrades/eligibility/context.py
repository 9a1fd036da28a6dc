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

from django.db.models import Case, Exists, OuterRef, QuerySet, Value, When
from django.utils.translation import gettext as _

from catalog.models import INDIA, Offer, OfferPrice, UpgradePath
from core.errors import NotFound
from delegation.selectors import DelegatedAccess, delegated_access_for
from partners.roles import Capability, require
from subscriptions.models import Subscription, channel_label_for

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
    rows = [SourceRow(data=subscription_data(s), customer_id=s.customer_id, partner_id=s.partner_id) for s in sources]
    built = _assemble(
        actor,
        rows,
        customer_ids=list(dict.fromkeys(source.customer_id for source in sources)),
        billing_cycle=billing_cycle,
        extra_target_ids=extra_target_ids,
        exclude_operation_id=exclude_operation_id,
    )
    loaded = {}
    for source in sources:
        item = built[source.pk]
        loaded[source.pk] = LoadedContext(
            ctx=item.ctx,
            subscription=source,
            offers=item.projection.offers,
            access=item.access,
            plan_codes=item.projection.plan_codes,
            plan_families=item.projection.plan_families,
            prices=item.projection.prices,
            matrix_target_ids=item.matrix_target_ids,
        )
    return loaded


@dataclass(frozen=True)
class SourceRow:
    """A source subscription as plain data (the batch loaders read rows, not model instances)."""

    data: SubscriptionData
    customer_id: int
    partner_id: int | None


@dataclass
class Projection:
    """The catalog as one evaluation sees it (only ITS offers); shared by every context with the same offers."""

    offers: dict[str, Offer]
    offers_data: dict[str, OfferData]
    family_names: dict[str, str]
    plan_codes: dict[str, frozenset[str]]
    plan_families: dict[str, dict[str, str]]
    prices: dict[tuple[str, str, str], Decimal]


@dataclass
class BookContext:
    """One source of :func:`load_book`: its pure context and the catalog projection it was built from."""

    ctx: EligibilityContext
    customer_id: int
    access: DelegatedAccess
    projection: Projection
    matrix_target_ids: tuple[str, ...]

    def price(self, offer_id: str, cycle: str, currency: str) -> Decimal | None:
        return self.projection.prices.get((offer_id, cycle, currency))


SOURCE_FIELDS = (
    "id",
    "offer_id",
    "status",
    "provisioning_state",
    "channel",
    "partner__name",
    "channel_partner_name",
    "payment_method",
    "quantity",
    "billing_cycle",
    "parent_id",
    "customer_id",
    "partner_id",
)


def load_book(
    *, actor, scope: QuerySet[Subscription] | None = None, billing_cycle: str | None = None
) -> dict[uuid.UUID, BookContext]:
    """The context of every subscription of ``scope`` (default: all) the actor may upgrade, from plain rows.

    The same contexts as :func:`load_contexts` (``tests/upgrades/test_batch_context.py``) without building model
    instances: for a whole book of business. Fixed queries (sources, matrix, holdings, offers, plans, prices,
    operations, delegated access) whatever its size. ``PermissionDenied`` without the upgrade capability.
    """
    require(actor, Capability.UPGRADE)
    queryset = upgradable_subscriptions(actor)
    if scope is not None:
        queryset = queryset.filter(pk__in=scope.values("pk"))
    labels: dict[tuple, str] = {}
    # The holdings of the sources' customers, each flagged when it is a source itself (the sources are read
    # from it, so no row is converted twice), plus the sources that hold nothing (expired, disabled, ...).
    holding_rows = (
        Subscription.objects.filter(customer_id__in=queryset.values("customer_id"), status__in=HOLDING_STATUSES)
        .annotate(is_source=Case(When(pk__in=queryset.values("pk"), then=Value(True)), default=Value(False)))
        .order_by("customer_id", "created", "pk")
        .values_list(*SOURCE_FIELDS, "is_source")
    )
    holdings: dict[int, list[SubscriptionData]] = defaultdict(list)
    rows = []
    for row in holding_rows:
        data = _row_data(row, labels)
        holdings[row[11]].append(data)
        if row[13]:
            rows.append(SourceRow(data=data, customer_id=row[11], partner_id=row[12]))
    for row in queryset.exclude(status__in=HOLDING_STATUSES).values_list(*SOURCE_FIELDS):
        rows.append(SourceRow(data=_row_data(row, labels), customer_id=row[11], partner_id=row[12]))
    if not rows:
        return {}
    customer_ids = list(dict.fromkeys(row.customer_id for row in rows))
    return _assemble(
        actor, rows, customer_ids=customer_ids, billing_cycle=billing_cycle, labels=labels, holdings=holdings
    )


def _row_data(row: tuple, labels: dict[tuple, str]) -> SubscriptionData:
    """``SubscriptionData`` of a :data:`SOURCE_FIELDS` row (``labels`` memoizes the channel labels)."""
    key = (row[4], row[5], row[6], row[7])
    label = labels.get(key)
    if label is None:
        label = labels[key] = channel_label_for(
            row[4], partner_name=row[5], channel_partner_name=row[6], payment_method=row[7]
        )
    return SubscriptionData(
        id=row[0],
        offer_id=row[1],
        status=row[2],
        provisioning_state=row[3],
        channel=row[4],
        channel_label=label,
        quantity=row[8],
        billing_cycle=row[9],
        parent_id=row[10],
    )


def _assemble(
    actor,
    sources: list[SourceRow],
    *,
    customer_ids: list[int],
    billing_cycle: str | None = None,
    extra_target_ids: Iterable[str] = (),
    exclude_operation_id=None,
    labels: dict[tuple, str] | None = None,
    holdings: dict[int, list[SubscriptionData]] | None = None,
) -> dict[Any, BookContext]:
    """Every source's context from plain rows: the catalog projections are built once per set of offers."""
    labels = {} if labels is None else labels
    extra_target_ids = tuple(dict.fromkeys(t for t in extra_target_ids if t))
    matrix: dict[str, list[str]] = defaultdict(list)
    for source_offer_id, target_id in (
        UpgradePath.objects.filter(source_id__in={s.data.offer_id for s in sources})
        .order_by("position", "id")
        .values_list("source_id", "target_id")
    ):
        matrix[source_offer_id].append(target_id)
    if holdings is None:  # else read by the caller (``load_book``)
        holdings = defaultdict(list)
        for row in (
            Subscription.objects.filter(customer_id__in=customer_ids, status__in=HOLDING_STATUSES)
            .order_by("customer_id", "created", "pk")
            .values_list(*SOURCE_FIELDS)
        ):
            holdings[row[11]].append(_row_data(row, labels))

    wanted: dict[Any, frozenset[str]] = {}
    for source in sources:
        held = (h.offer_id for h in holdings[source.customer_id] if h.id != source.data.id)
        wanted[source.data.id] = frozenset(
            {source.data.offer_id, *matrix[source.data.offer_id], *extra_target_ids, *held}
        )
    catalog = _load_catalog(set().union(*wanted.values()))
    operations = _open_operations(customer_ids, exclude_operation_id=exclude_operation_id)
    access = _delegated_access(actor, sources)

    is_application = bool(getattr(actor, "is_application", False))
    actors: dict[DelegatedAccess, ActorData] = {}
    projections: dict[frozenset[str], Projection] = {}
    paths: dict[tuple[str, frozenset[str]], tuple[str, ...]] = {}
    built = {}
    for source in sources:
        granted = access[(source.partner_id, source.customer_id)]
        actor_data = actors.get(granted)
        if actor_data is None:
            actor_data = actors[granted] = ActorData(
                is_application=is_application,
                has_delegated_access=granted.has_active_relationship,
                can_transfer_licenses=granted.can_transfer_licenses,
                delegated_roles=granted.roles,
            )
        key = wanted[source.data.id]
        projection = projections.get(key)
        if projection is None:
            projection = projections[key] = _project(catalog, key)
        offers_data = projection.offers_data
        source_offer = offers_data[source.data.offer_id]
        path_key = (source.data.offer_id, key)
        path_ids = paths.get(path_key)
        if path_ids is None:
            targets = [offers_data[tid] for tid in matrix[source.data.offer_id] if tid in offers_data]
            path_ids = paths[path_key] = tuple(t.id for t in paths_for_market(source_offer.market, targets))
        ctx = EligibilityContext(
            actor=actor_data,
            source=source.data,
            source_offer=source_offer,
            path_ids=path_ids,
            offers=offers_data,
            others=tuple(h for h in holdings[source.customer_id] if h.id != source.data.id),
            open_operations=operations.get(source.customer_id, ()),
            billing_cycle=billing_cycle,
            family_names=projection.family_names,
        )
        built[source.data.id] = BookContext(
            ctx=ctx,
            customer_id=source.customer_id,
            access=granted,
            projection=projection,
            matrix_target_ids=tuple(matrix[source.data.offer_id]),
        )
    return built


def _project(catalog: _Catalog, wanted: frozenset[str]) -> Projection:
    offer_ids = [oid for oid in catalog.offers if oid in wanted]  # catalog order
    return Projection(
        offers={oid: catalog.offers[oid] for oid in offer_ids},
        offers_data={oid: catalog.offers_data[oid] for oid in offer_ids},
        family_names={family: catalog.family_names[family] for oid in offer_ids for family in catalog.levels[oid]},
        plan_codes={oid: catalog.plan_codes[oid] for oid in offer_ids if oid in catalog.plan_codes},
        plan_families={oid: catalog.plan_families[oid] for oid in offer_ids if oid in catalog.plan_families},
        prices={key: price for oid in offer_ids for key, price in catalog.prices[oid].items()},
    )


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


def _delegated_access(actor, sources: list[SourceRow]) -> dict[tuple[int | None, int], DelegatedAccess]:
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
