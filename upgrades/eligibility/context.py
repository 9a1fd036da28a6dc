"""Load everything one eligibility evaluation needs, in a FIXED number of queries.

The count does not depend on the number of users, license assignments, subscriptions of the customer or
offers in the catalog (only the offers involved are read):

  1. the source subscription (+ offer, customer, partner), scoped to the actor, optionally row-locked;
  2. the source offer's matrix rows;
  3. the customer's other subscriptions in ALL channels (active, pending, suspended; add-ons included);
  4. the offers involved (source, targets, requested target, offers of the other subscriptions);
  5. their service plans (family, level, code);
  6. their prices (cycle, currency, unit price);
  7. open upgrade operations of the customer;
  8–11. delegated access (``delegation.selectors``: 2 to 4 queries).

A partner may only upgrade what it sold itself (channel ``csp`` through that partner): any other
subscription answers ``NotFound`` as if it did not exist. A platform operator acts for the selling partner.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from catalog.models import INDIA, Offer, OfferPrice, UpgradePath
from delegation.selectors import DelegatedAccess, delegated_access
from partnercenter.errors import NotFound
from partners.roles import Capability, require
from subscriptions.models import Channel, Subscription
from subscriptions.selectors import subscriptions_visible_to

from ..models import OPEN_STATUSES, UpgradeOperation
from .rules import HOLDING_STATUSES, paths_for_market
from .types import ActorData, EligibilityContext, OfferData, OperationData, SubscriptionData


@dataclass
class LoadedContext:
    """The pure context plus the ORM objects the service needs afterwards (no further reads)."""

    ctx: EligibilityContext
    subscription: Subscription
    offers: dict[str, Offer]
    access: DelegatedAccess
    plan_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    plan_families: dict[str, dict[str, str]] = field(default_factory=dict)  # offer → plan code → family
    prices: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)  # (offer, cycle, currency)

    def price(self, offer_id: str, cycle: str) -> Decimal | None:
        offer = self.offers.get(offer_id)
        return None if offer is None else self.prices.get((offer_id, cycle, offer.currency))


def upgradable_subscriptions(actor):
    """What the actor may upgrade: visible to it AND sold through a managed CSP partner (its own one)."""
    return subscriptions_visible_to(actor).filter(channel=Channel.CSP, partner__isnull=False)


def _subscription_pk(subscription) -> Any:
    pk = getattr(subscription, "pk", subscription)
    if isinstance(pk, uuid.UUID):
        return pk
    try:
        return uuid.UUID(str(pk))
    except (TypeError, ValueError, AttributeError):
        raise NotFound(_("Subscription %(id)s not found.") % {"id": pk}, field="subscriptionId") from None


def load_source(*, actor, subscription, lock: bool = False) -> Subscription:
    """The source subscription inside the actor's scope (1 query); ``NotFound`` otherwise."""
    require(actor, Capability.UPGRADE)
    pk = _subscription_pk(subscription)
    queryset = upgradable_subscriptions(actor).select_related("offer", "customer", "partner")
    if lock:
        # NOWAIT: a concurrent upgrade holding the row answers concurrency_conflicts at once (see services).
        queryset = queryset.select_for_update(nowait=True, of=("self",), no_key=True)
    try:
        return queryset.get(pk=pk)
    except (Subscription.DoesNotExist, DjangoValidationError):
        raise NotFound(_("Subscription %(id)s not found.") % {"id": pk}, field="subscriptionId") from None


def load_context(*, actor, subscription, billing_cycle: str | None = None, extra_target_ids=(),
                 lock: bool = False, exclude_operation_id=None) -> LoadedContext:
    source = load_source(actor=actor, subscription=subscription, lock=lock)
    customer = source.customer

    path_rows = list(UpgradePath.objects.filter(source_id=source.offer_id).order_by("position", "id")
                     .values_list("target_id", flat=True))
    others = list(Subscription.objects.filter(customer_id=customer.pk, status__in=HOLDING_STATUSES)
                  .exclude(pk=source.pk).select_related("partner"))

    offer_ids = {source.offer_id, *path_rows, *(t for t in extra_target_ids if t), *(s.offer_id for s in others)}
    india_variant = Offer.objects.filter(market=INDIA, sku_part_number=OuterRef("sku_part_number")).exclude(
        pk=OuterRef("pk"))
    offers = {offer.pk: offer for offer in
              Offer.objects.filter(pk__in=offer_ids).annotate(has_india_variant=Exists(india_variant))}

    levels: dict[str, dict[str, int]] = defaultdict(dict)
    plan_codes: dict[str, set[str]] = defaultdict(set)
    plan_families: dict[str, dict[str, str]] = defaultdict(dict)
    family_names: dict[str, str] = {}
    plan_rows = Offer.service_plans.through.objects.filter(offer_id__in=list(offers)).values_list(
        "offer_id", "serviceplan_id", "serviceplan__family_id", "serviceplan__family__name", "serviceplan__level")
    for offer_id, code, family, family_name, level in plan_rows:
        levels[offer_id][family] = max(level, levels[offer_id].get(family, 0))
        plan_codes[offer_id].add(code)
        plan_families[offer_id][code] = family
        family_names[family] = family_name

    prices: dict[tuple[str, str, str], Decimal] = {}
    for offer_id, cycle, currency, unit_price in OfferPrice.objects.filter(offer_id__in=list(offers)).values_list(
            "offer_id", "billing_cycle", "currency", "unit_price"):
        prices[(offer_id, cycle, currency)] = unit_price

    operations = UpgradeOperation.objects.filter(customer_id=customer.pk, status__in=OPEN_STATUSES)
    if exclude_operation_id is not None:
        operations = operations.exclude(pk=exclude_operation_id)
    open_operations = tuple(OperationData(id=op_id, source_id=source_id, status=status, target_offer_id=target)
                            for op_id, source_id, status, target in
                            operations.values_list("id", "source_id", "status", "target_offer_id"))

    is_application = bool(getattr(actor, "is_application", False))
    access = delegated_access(partner_id=source.partner_id, customer_id=customer.pk,
                              user=None if is_application else actor)

    offers_data = {oid: offer_data(offer, levels[oid], prices) for oid, offer in offers.items()}
    targets = [offers_data[tid] for tid in path_rows if tid in offers_data]
    source_offer = offers_data[source.offer_id]
    ctx = EligibilityContext(
        actor=ActorData(is_application=is_application, has_delegated_access=access.has_active_relationship,
                        can_transfer_licenses=access.can_transfer_licenses, delegated_roles=access.roles),
        source=subscription_data(source),
        source_offer=source_offer,
        path_ids=tuple(t.id for t in paths_for_market(source_offer.market, targets)),
        offers=offers_data,
        others=tuple(subscription_data(s) for s in others),
        open_operations=open_operations,
        billing_cycle=billing_cycle,
        family_names=family_names,
    )
    return LoadedContext(ctx=ctx, subscription=source, offers=offers, access=access,
                         plan_codes={k: frozenset(v) for k, v in plan_codes.items()},
                         plan_families=dict(plan_families), prices=prices)


def offer_data(offer: Offer, levels: dict[str, int], prices: dict) -> OfferData:
    cycles = frozenset(cycle for (oid, cycle, currency) in prices if oid == offer.pk and currency == offer.currency)
    return OfferData(id=offer.pk, name=offer.name, market=offer.market, currency=offer.currency,
                     is_addon=offer.is_addon, retired=offer.retired, maximum_quantity=offer.maximum_quantity,
                     levels=dict(levels), billing_cycles=cycles,
                     has_india_variant=bool(getattr(offer, "has_india_variant", False)))


def subscription_data(sub: Subscription) -> SubscriptionData:
    return SubscriptionData(id=sub.pk, offer_id=sub.offer_id, status=sub.status,
                            provisioning_state=sub.provisioning_state, channel=sub.channel,
                            channel_label=sub.channel_label, quantity=sub.quantity,
                            billing_cycle=sub.billing_cycle, parent_id=sub.parent_id)
