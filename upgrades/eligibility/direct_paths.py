"""The Upgrade tab's targets for every directly bought plan, derived from the catalog (domain.md §6).

Pure functions over ``OfferFacts`` (no ORM): ``direct.selectors`` loads the catalog's base offers once and asks.

- **Upgrade**: the target holds every service family of the source at the same or a higher level.
- **Plan change** (done by hand): the target drops or lowers some family, but keeps every *data-related* family
  (the catalog's ``dataRelated``: mailboxes, documents, Teams, archives) at the same or a higher level.
- **Not listed**: a target that drops or lowers a data-related family. Microsoft's page lets the Upgrade tab
  move only to plans with the same data-related services or a higher version, so users keep their data; a move
  that loses data is not offered as an option (the admin can still buy any plan and call support).

Candidates: base offers (no add-ons), not retired (E4 is upgraded from, never bought), not the source itself,
of the source's market or global; a global offer is left out when the source's market has its own variant (the
same SKU part number), as an India plan is never offered the global Business Standard.

Add-ons that move with an upgrade are checked against the target: included in the target → removed (credited);
not allowed with the target (the catalog's base offers) → removed (credited); otherwise moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .direct import PLAN_CHANGE, UPGRADE, OfferFacts, included_families, is_upgrade

GLOBAL = "global"

ADDON_MOVE = "move"
ADDON_INCLUDED = "remove"  # the target already includes its services
ADDON_NOT_ALLOWED = "excluded"  # the catalog does not allow it on the target


def data_levels(offer: OfferFacts) -> dict[str, int]:
    """The offer's data-related families and their levels."""
    return {family: level for family, level in offer.family_levels.items() if family in offer.data_families}


def target_kind(source: OfferFacts, target: OfferFacts) -> str | None:
    """``UPGRADE``, ``PLAN_CHANGE`` or ``None`` (not listed: the target loses data-related services)."""
    if is_upgrade(source.family_levels, target.family_levels):
        return UPGRADE
    if is_upgrade(data_levels(source), target.family_levels):
        return PLAN_CHANGE
    return None


def is_candidate(source: OfferFacts, target: OfferFacts, variants: Mapping[str, frozenset[str]]) -> bool:
    """Can ``target`` be offered to ``source`` at all (before the rule)? ``variants``: market -> SKU part numbers."""
    if target.id == source.id or target.retired or target.is_addon:
        return False
    if target.market == source.market:
        return True
    if target.market != GLOBAL:
        return False
    return target.sku_part_number not in variants.get(source.market, frozenset())


def derived_targets(source: OfferFacts, offers: Iterable[OfferFacts]) -> list[OfferFacts]:
    """The targets the Upgrade tab lists for ``source`` (upgrades and plan changes), in the given order."""
    offers = list(offers)
    variants: dict[str, set[str]] = {}
    for offer in offers:
        if offer.market != GLOBAL and not offer.is_addon:
            variants.setdefault(offer.market, set()).add(offer.sku_part_number)
    frozen = {market: frozenset(skus) for market, skus in variants.items()}
    return [
        target for target in offers if is_candidate(source, target, frozen) and target_kind(source, target) is not None
    ]


def addon_action(addon: OfferFacts, target: OfferFacts) -> str:
    """What an upgrade does with an add-on of the source: ``move``, ``remove`` (included) or ``excluded``."""
    if included_families(addon.family_levels, target.family_levels):
        return ADDON_INCLUDED
    if target.id not in addon.base_offers:
        return ADDON_NOT_ALLOWED
    return ADDON_MOVE
