"""Reads of the offers /v1/ endpoints (also used by the upgrade and bulk endpoints to render offers)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import GLOBAL, INDIA, Offer, UpgradePath


def offer_queryset() -> QuerySet[Offer]:
    """Offers with everything the Offer representation reads, in a fixed number of queries."""
    return Offer.objects.prefetch_related("upgrade_paths", "prices", "base_offers", "addons").order_by("market", "name")


def offers_for_country(country: str) -> QuerySet[Offer]:
    """India (``IN``): the India variants plus the global offers India sources upgrade to (the matrix targets).
    Any other country: the global offers (retired ones included; they are marked not purchasable)."""
    if country == INDIA:
        targets = UpgradePath.objects.filter(source__market=INDIA, target__market=GLOBAL).values("target_id")
        return offer_queryset().filter(Q(market=INDIA) | Q(pk__in=targets))
    return offer_queryset().filter(market=GLOBAL)
