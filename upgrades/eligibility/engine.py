"""The engine: run every rule for a source × target and turn the reasons into an :class:`UpgradeOption`.

Pure (no ORM): it works on an :class:`EligibilityContext`, built from the database by
``upgrades.eligibility.context`` or by hand in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .rules import ALL_RULES, SOURCE_RULES, TARGET_RULES, memoized_gettext, run_rules
from .types import EligibilityContext, UpgradeError, UpgradeOption, UpgradeTypeName


def upgrade_type_for(ctx: EligibilityContext, errors: tuple[UpgradeError, ...]) -> str:
    """``none`` when blocked; else the best type the actor's delegated roles allow."""
    if errors:
        return UpgradeTypeName.NONE
    if ctx.actor.can_transfer_licenses:
        return UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER
    return UpgradeTypeName.UPGRADE_ONLY


def evaluate(ctx: EligibilityContext, target_id: str, *, target_offer: Any = None) -> UpgradeOption:
    """The option for one requested target (a target outside the matrix answers code 8).

    ``target_offer`` is what the option carries (the ``catalog.Offer`` when called from the selector);
    it defaults to the plain ``OfferData``.
    """
    target = ctx.offers.get(target_id)
    errors = run_rules(ctx, target, target_id, ALL_RULES)
    return UpgradeOption(
        target_offer=target_offer if target_offer is not None else target,
        upgrade_type=upgrade_type_for(ctx, errors),
        is_eligible=not errors,
        quantity=ctx.source.quantity,
        errors=errors,
    )


def evaluate_all(ctx: EligibilityContext, *, target_offers: Mapping[str, Any] | None = None) -> list[UpgradeOption]:
    """One option per matrix target of the source's market, in matrix order (empty without paths).

    The same options as :func:`evaluate` per target: the source rules (target-independent) run once and their
    reasons are merged with each target's in :func:`run_rules`' order (by code, source rules first).
    """
    target_offers = target_offers or {}
    if not ctx.path_ids:
        return []
    options = []
    with memoized_gettext():
        from_source = run_rules(ctx, None, "", SOURCE_RULES)
        for target_id in ctx.path_ids:
            target = ctx.offers.get(target_id)
            found = [*from_source, *(error for rule in TARGET_RULES for error in rule(ctx, target, target_id))]
            errors = tuple(sorted(found, key=lambda error: int(error.code)))
            offer = target_offers.get(target_id)
            options.append(
                UpgradeOption(
                    target_offer=offer if offer is not None else target,
                    upgrade_type=upgrade_type_for(ctx, errors),
                    is_eligible=not errors,
                    quantity=ctx.source.quantity,
                    errors=errors,
                )
            )
    return options


def source_errors(ctx: EligibilityContext) -> tuple[UpgradeError, ...]:
    """Reasons that block EVERY target of this source (e.g. to explain a subscription without options)."""
    return run_rules(ctx, None, "", SOURCE_RULES)
