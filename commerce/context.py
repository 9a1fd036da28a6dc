"""Load one transition evaluation's data in a FIXED number of queries (whatever the customer's size).

1. the lower offers: matrix rows whose target is the source's offer (by subscription id, before scoping: it
   reveals offer ids only, and the scoped load below answers ``NotFound`` first);
2–12. the §5 context (``upgrades.eligibility.context.load_context``, scoped to the actor: another partner's
   subscription is ``NotFound``), asked to hold the lower offers too;
13. the customer's other subscriptions with their new commerce fields (every channel, all but deleted);
14. the commerce products (catalog item ids) of the candidate targets;
15. the terms they have a price for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils import timezone

from catalog.models import CommercePrice, CommerceProduct, UpgradePath
from subscriptions.models import Subscription, SubscriptionStatus
from upgrades.eligibility.context import LoadedContext, load_context, subscription_not_found
from upgrades.eligibility.rules import paths_for_market

from .types import CommerceSubscriptionData, Direction, TargetData, TransitionContext

HOLDING_FIELDS = (
    "id",
    "offer_id",
    "status",
    "commerce",
    "channel",
    "partner_id",
    "friendly_name",
    "term_duration",
    "billing_cycle",
    "commitment_end_date",
    "cancellation_allowed_until",
    "auto_renew",
    "quantity",
)


@dataclass
class LoadedTransitionContext:
    """The pure context plus the ORM source (for the selector's checks) and the §5 load it wraps."""

    ctx: TransitionContext
    subscription: Subscription
    legacy: LoadedContext


def commerce_data(sub: Subscription) -> CommerceSubscriptionData:
    return CommerceSubscriptionData(**{name: getattr(sub, name) for name in HOLDING_FIELDS})


def load_transition_context(
    *, actor, subscription_id, term_duration: str | None = None, lock: bool = False, extra_target_ids=()
) -> LoadedTransitionContext:
    """The context of one subscription the actor may transition; ``NotFound`` outside its scope.

    ``lock``: the source row is locked (``SELECT ... FOR NO KEY UPDATE NOWAIT`` on PostgreSQL, see
    ``commerce.services``); ``extra_target_ids``: offers the legacy context must hold too (a requested target)."""
    try:
        pk = uuid.UUID(str(subscription_id))
    except (TypeError, ValueError, AttributeError):
        pk = None
    lower_ids = (
        list(
            UpgradePath.objects.filter(target__subscriptions__pk=pk)
            .order_by("source_id")
            .values_list("source_id", flat=True)
            .distinct()
        )
        if pk is not None
        else []
    )
    loaded = load_context(
        actor=actor,
        subscription=pk if pk is not None else subscription_id,
        extra_target_ids=[*lower_ids, *extra_target_ids],
        lock=lock,
    )
    source = loaded.subscription
    legacy = loaded.ctx

    holdings = tuple(
        CommerceSubscriptionData(**dict(zip(HOLDING_FIELDS, row, strict=True)))
        for row in Subscription.objects.filter(customer_id=source.customer_id)
        .exclude(pk=source.pk)
        .exclude(status=SubscriptionStatus.DELETED)
        .order_by("created", "pk")
        .values_list(*HOLDING_FIELDS)
    )

    lower = [legacy.offers[oid] for oid in lower_ids if oid in legacy.offers]
    lower = [o for o in paths_for_market(legacy.source_offer.market, lower) if o.id not in legacy.path_ids]
    candidates = [(oid, Direction.HIGHER) for oid in legacy.path_ids] + [(o.id, Direction.LOWER) for o in lower]
    ids = [oid for oid, _direction in candidates]
    products = {
        offer_id: f"{product_id}:{sku_id}:{availability_id}"
        for offer_id, product_id, sku_id, availability_id in CommerceProduct.objects.filter(
            offer_id__in=ids
        ).values_list("offer_id", "product_id", "sku_id", "availability_id")
    }
    terms: dict[str, set[str]] = {}
    for offer_id, term, currency in (
        CommercePrice.objects.filter(offer_id__in=list(products))
        .values_list("offer_id", "term_duration", "currency")
        .distinct()
    ):
        if currency == legacy.offers[offer_id].currency:
            terms.setdefault(offer_id, set()).add(term)

    targets = []
    for offer_id, direction in candidates:
        if offer_id not in products:
            continue  # no new commerce product: it cannot be transitioned to
        offer = loaded.offers[offer_id]
        targets.append(
            TargetData(
                offer=legacy.offers[offer_id],
                catalog_item_id=products[offer_id],
                direction=direction,
                title=offer.name,
                description=offer.description,
                terms=frozenset(terms.get(offer_id, ())),
            )
        )
    ctx = TransitionContext(
        legacy=legacy,
        source=commerce_data(source),
        targets=tuple(targets),
        now=timezone.now(),
        holdings=holdings,
        term_duration=term_duration,
    )
    return LoadedTransitionContext(ctx=ctx, subscription=source, legacy=loaded)


__all__ = ["LoadedTransitionContext", "load_transition_context", "subscription_not_found"]
