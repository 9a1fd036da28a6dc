"""The eligibility rules of domain.md §5: PURE functions over plain data (``types.py``), no ORM access.

Each rule takes the context and the requested target (``OfferData`` or None when the id is not in the
catalog) and returns the list of :class:`UpgradeError` it finds (empty = fine). The engine runs EVERY rule
and keeps every reason. Rules in :data:`SOURCE_RULES` do not depend on the target.

Decisions where the rulebook is silent:
- code 7 (no upgrade path) makes code 8 redundant: a source without paths answers 7 only;
- code 0 (``other``) is raised for a matrix row that points at an offer that cannot be bought any more
  (retired, like Office 365 E4) or at an add-on: an editing mistake in the matrix, explained in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext

from .types import EligibilityContext, OfferData, UpgradeError
from .types import UpgradeErrorCode as C

INDIA = "IN"
GLOBAL = "global"
# A subscription "holds" an offer while it is active, pending or suspended.
HOLDING_STATUSES = frozenset({"active", "pending", "suspended"})

Rule = Callable[[EligibilityContext, "OfferData | None", str], list[UpgradeError]]

# Inside ``memoized_gettext()`` each message is translated once (the active language cannot change meanwhile).
_MEMO: ContextVar[dict[str, str] | None] = ContextVar("eligibility_gettext_memo", default=None)


def _(message: str) -> str:
    """``gettext``, memoized inside :func:`memoized_gettext` (a batch evaluation asks the same messages often)."""
    memo = _MEMO.get()
    if memo is None:
        return gettext(message)
    translated = memo.get(message)
    if translated is None:
        translated = memo[message] = gettext(message)
    return translated


@contextmanager
def memoized_gettext() -> Iterator[None]:
    """Translate each rule message once for the block (nested blocks share the outer memo)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


# --- helpers (pure) ------------------------------------------------------------------------------------------


def paths_for_market(source_market: str, targets: Iterable[OfferData]) -> list[OfferData]:
    """The matrix targets a source of ``source_market`` may be offered, in the given order.

    A target must be global or of the source's own market; an India source is never offered a global offer
    that has an India variant (Business Standard: the India sources get Business Standard (India)).
    """
    allowed = []
    for target in targets:
        if target.market not in (GLOBAL, source_market):
            continue
        if source_market == INDIA and target.market == GLOBAL and target.has_india_variant:
            continue
        allowed.append(target)
    return allowed


def added_families(source_levels: Mapping[str, int], target_levels: Mapping[str, int]) -> dict[str, int]:
    """Service families the target adds over the source: absent in the source, or at a higher level."""
    return {family: level for family, level in target_levels.items() if level > source_levels.get(family, 0)}


def _family_label(ctx: EligibilityContext, families: Iterable[str]) -> str:
    names = ctx.family_names
    return ", ".join(names.get(family, family) for family in sorted(families))


# --- source rules ----------------------------------------------------------------------------------------------


def rule_user_context(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    if not ctx.actor.is_application:
        return []
    return [
        UpgradeError(
            C.USER_CONTEXT_REQUIRED,
            _("Upgrades need a signed-in user: app-only credentials cannot upgrade."),
            _("The request used an application token without user context."),
        )
    ]


def rule_delegated_access(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    if ctx.actor.has_delegated_access:
        return []
    return [
        UpgradeError(
            C.DELEGATED_ADMIN_PERMISSIONS_DISABLED,
            _("The partner has no active delegated admin relationship with this customer."),
            _("DAP is off and no GDAP relationship is active; ask the customer to approve one."),
        )
    ]


def rule_status_active(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    if ctx.source.status == "active":
        return []
    return [
        UpgradeError(
            C.SUBSCRIPTION_STATUS_NOT_ACTIVE,
            _("Only an active subscription can be upgraded."),
            _("Current status: %(status)s.") % {"status": ctx.source.status},
        )
    ]


def rule_concurrency(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    errors = []
    for operation in ctx.open_operations:
        if operation.source_id == ctx.source.id:
            details = _("Upgrade %(id)s of this subscription is %(status)s.")
        else:
            details = _("Upgrade %(id)s of another subscription of this customer is %(status)s.")
        errors.append(
            UpgradeError(
                C.CONCURRENCY_CONFLICTS,
                _("Another upgrade is in progress or waiting for a credit check; try again when it has finished."),
                details % {"id": operation.id, "status": operation.status},
            )
        )
    return errors


def rule_add_ons(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    addons = ctx.active_addons
    if not addons:
        return []
    listed = ", ".join(
        f"{addon.id} ({ctx.offers[addon.offer_id].name if addon.offer_id in ctx.offers else addon.offer_id})"
        for addon in addons
    )
    return [
        UpgradeError(
            C.SUBSCRIPTION_ADD_ONS_PRESENT,
            _("The subscription has active add-ons; cancel or move them first."),
            _("Active add-on subscriptions: %(addons)s.") % {"addons": listed},
        )
    ]


def rule_has_paths(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    if ctx.path_ids:
        return []
    return [
        UpgradeError(
            C.SUBSCRIPTION_DOES_NOT_HAVE_ANY_UPGRADE_PATHS,
            _("This offer has no upgrade in the partner upgrade matrix."),
            _("Offer %(offer)s (market %(market)s) has no upgrade path.")
            % {"offer": ctx.source_offer.name, "market": ctx.source_offer.market},
        )
    ]


def rule_provisioned(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    if ctx.source.provisioning_state == "provisioned":
        return []
    return [
        UpgradeError(
            C.SUBSCRIPTION_NOT_PROVISIONED,
            _("The subscription is still being provisioned."),
            _("Provisioning state: %(state)s.") % {"state": ctx.source.provisioning_state},
        )
    ]


# --- target rules --------------------------------------------------------------------------------------------


def rule_target_offer(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    """Code 0 when a matrix row points at an offer nobody can buy (retired or an add-on)."""
    if target is None or target_id not in ctx.path_ids:
        return []
    if target.retired:
        return [
            UpgradeError(
                C.OTHER,
                _("The target offer is retired and can no longer be bought."),
                _("Offer %(offer)s is retired.") % {"offer": target.name},
            )
        ]
    if target.is_addon:
        return [
            UpgradeError(
                C.OTHER,
                _("An add-on cannot be the target of an upgrade."),
                _("Offer %(offer)s is an add-on.") % {"offer": target.name},
            )
        ]
    return []


def rule_conflicting_service_types(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    """Multichannel conflicts: the customer already holds the target, or another subscription (any channel)
    already provides a service family the target adds, at the target's level or higher. The source and its
    own add-ons are not conflicts."""
    if target is None:
        return []
    added = added_families(ctx.source_offer.levels, target.levels)
    errors = []
    source_id = ctx.source.id
    for other in ctx.others:
        if other.id == source_id or (other.parent_id is not None and other.parent_id == source_id):
            continue
        other_offer = ctx.offers.get(other.offer_id)
        offer_name = other_offer.name if other_offer else other.offer_id
        if other.offer_id == target.id and other.status in HOLDING_STATUSES:
            errors.append(
                UpgradeError(
                    C.CONFLICTING_SERVICE_TYPES,
                    _("The customer already holds the target offer."),
                    _("Subscription %(id)s (%(offer)s, %(status)s) held through %(channel)s.")
                    % {"id": other.id, "offer": offer_name, "status": other.status, "channel": other.channel_label},
                )
            )
            continue
        if other.status != "active" or other_offer is None:
            continue
        overlap = [family for family, level in added.items() if other_offer.levels.get(family, 0) >= level]
        if overlap:
            errors.append(
                UpgradeError(
                    C.CONFLICTING_SERVICE_TYPES,
                    _("The customer already has services the target would add, through another subscription."),
                    _("Subscription %(id)s (%(offer)s) held through %(channel)s already provides: %(families)s.")
                    % {
                        "id": other.id,
                        "offer": offer_name,
                        "channel": other.channel_label,
                        "families": _family_label(ctx, overlap),
                    },
                )
            )
    return errors


def rule_target_is_path(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    if not ctx.path_ids or target_id in ctx.path_ids:
        return []  # no paths at all: code 7 says it
    if target is None:
        details = _("Offer %(offer)s is not in the catalog.") % {"offer": target_id}
    else:
        details = _("%(target)s is not an upgrade of %(source)s in market %(market)s.") % {
            "target": target.name,
            "source": ctx.source_offer.name,
            "market": ctx.source_offer.market,
        }
    return [
        UpgradeError(
            C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND,
            _("The requested target offer is not an upgrade path of this subscription."),
            details,
        )
    ]


def rule_billing_cycle(ctx: EligibilityContext, target, target_id) -> list[UpgradeError]:
    if target is None or ctx.effective_billing_cycle in target.billing_cycles:
        return []
    offered = ", ".join(sorted(target.billing_cycles)) or _("none")
    return [
        UpgradeError(
            C.OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE,
            _("The target offer cannot be billed on the requested billing cycle."),
            _("Billing cycle requested: %(cycle)s; %(offer)s offers: %(offered)s (%(currency)s).")
            % {
                "cycle": ctx.effective_billing_cycle,
                "offer": target.name,
                "offered": offered,
                "currency": target.currency,
            },
        )
    ]


SOURCE_RULES: tuple[Rule, ...] = (
    rule_delegated_access,
    rule_status_active,
    rule_concurrency,
    rule_user_context,
    rule_add_ons,
    rule_has_paths,
    rule_provisioned,
)
TARGET_RULES: tuple[Rule, ...] = (
    rule_target_offer,
    rule_conflicting_service_types,
    rule_target_is_path,
    rule_billing_cycle,
)
ALL_RULES: tuple[Rule, ...] = SOURCE_RULES + TARGET_RULES


def run_rules(
    ctx: EligibilityContext, target: OfferData | None, target_id: str, rules: Iterable[Rule] = ALL_RULES
) -> tuple[UpgradeError, ...]:
    """Every reason, sorted by code (stable within a code)."""
    found = [error for rule in rules for error in rule(ctx, target, target_id)]
    return tuple(sorted(found, key=lambda error: int(error.code)))
