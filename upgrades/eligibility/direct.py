"""Direct-purchase upgrade rules: the admin center's Upgrade tab (domain.md §6).

Pure functions over plain data (no ORM, no settings): a selector (``direct.selectors``) loads the facts of one
subscription in a fixed number of queries, these functions decide. Every reason that holds is returned, each
with a stable ``code``, a plain-words ``message`` and ``action`` (what the admin can do about it).

The derived rule: a target *upgrades* a source when it keeps every service family of the source at the same or
a higher level; any other target is a *plan change* (done by hand: buy, move users, cancel).

Retired sources (Office 365 E4) are a forced migration, so two things that block other products do not block
them: add-ons (the cart moves or removes them) and a prepaid term (checkout shows what is forfeited and asks
for a confirmation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

UPGRADE = "upgrade"
PLAN_CHANGE = "change"

BLOCKING_SEGMENTS = frozenset({"government", "nonprofit"})


@dataclass(frozen=True)
class DirectReason:
    code: str
    message: str | Promise  # lazy translations: rendered by as_dict
    action: str | Promise

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "action": str(self.action)}


@dataclass(frozen=True)
class OfferFacts:
    id: str
    name: str
    family_levels: Mapping[str, int]  # service family code -> highest plan level in the offer
    family_names: Mapping[str, str] = field(default_factory=dict)
    retired: bool = False
    market: str = "global"
    sku_part_number: str = ""
    is_addon: bool = False
    data_families: frozenset[str] = frozenset()  # families the catalog flags ``dataRelated`` (user data)
    base_offers: frozenset[str] = frozenset()  # for an add-on: the base offers it may belong to


@dataclass(frozen=True)
class SubscriptionFacts:
    """Everything one Upgrade tab evaluation needs, as plain values."""

    offer: OfferFacts
    status: str
    provisioning_state: str
    channel: str
    channel_partner_name: str = ""
    quantity: int = 0
    assigned: int = 0
    prepaid: bool = False
    unpaid_balance: Decimal = Decimal("0")
    active_addon_count: int = 0
    same_product_count: int = 1  # active subscriptions of the same offer in the tenant, this one included
    segment: str = "commercial"
    service_health_incident: bool = False
    upgrade_in_progress: bool = False
    high_volume: bool = False


@dataclass(frozen=True)
class TargetVerdict:
    target: OfferFacts
    kind: str  # UPGRADE | PLAN_CHANGE (derived, whatever the catalog row says)
    lost_services: tuple[str, ...]  # family names the target drops or lowers
    reasons: tuple[DirectReason, ...]

    @property
    def is_eligible(self) -> bool:
        return self.kind == UPGRADE and not self.reasons


@dataclass(frozen=True)
class UpgradeTab:
    upgrades: tuple[TargetVerdict, ...]
    plan_changes: tuple[TargetVerdict, ...]
    reasons: tuple[DirectReason, ...]  # why the tab offers nothing (empty when an upgrade can be bought)

    @property
    def can_upgrade(self) -> bool:
        return any(v.is_eligible for v in self.upgrades)


def family_levels(plans: Iterable[tuple[str, int]]) -> dict[str, int]:
    """``[(family, level), ...]`` -> ``{family: highest level}``."""
    levels: dict[str, int] = {}
    for family, level in plans:
        levels[family] = max(level, levels.get(family, 0))
    return levels


def lost_families(source: Mapping[str, int], target: Mapping[str, int]) -> list[str]:
    """Families of ``source`` that ``target`` lacks or holds at a lower level (sorted)."""
    return sorted(family for family, level in source.items() if target.get(family, 0) < level)


def is_upgrade(source: Mapping[str, int], target: Mapping[str, int]) -> bool:
    """The derived rule: every service family of the source at the same or a higher level in the target."""
    return not lost_families(source, target)


def included_families(addon: Mapping[str, int], target: Mapping[str, int]) -> bool:
    """True when ``target`` already includes every service of the add-on (so the add-on is removed)."""
    return bool(addon) and is_upgrade(addon, target)


INACTIVE_LABELS = {
    "suspended": pgettext_lazy("subscription status", "suspended"),
    "expired": pgettext_lazy("subscription status", "expired"),
    "disabled": pgettext_lazy("subscription status", "disabled"),
}


def channel_reasons(facts: SubscriptionFacts) -> list[DirectReason]:
    """A subscription not bought directly: whom to contact instead."""
    if facts.channel in ("csp", "advisor"):
        partner = facts.channel_partner_name or _("your partner")
        return [
            DirectReason(
                "bought_through_partner",
                _("This subscription was bought through a partner (%(partner)s), so it can't be upgraded here.")
                % {"partner": partner},
                _("Contact your partner: they upgrade it for you in Partner Center."),
            )
        ]
    if facts.channel == "volume_licensing":
        return [
            DirectReason(
                "bought_through_volume_licensing",
                _("This subscription was bought through volume licensing (Enterprise Agreement or Open)."),
                _("Contact your Microsoft account representative or your licensing reseller."),
            )
        ]
    return []


def subscription_reasons(facts: SubscriptionFacts) -> list[DirectReason]:
    """Every reason the subscription itself can't be upgraded right now (domain.md §6 "Why the Upgrade tab is empty")."""
    reasons = channel_reasons(facts)
    if facts.status == "deleted":
        reasons.append(
            DirectReason(
                "subscription_deleted",
                _("The subscription was deleted, so it can't be upgraded or reactivated."),
                _("Buy a new subscription if you need these services again."),
            )
        )
    elif facts.status not in ("active", "pending"):
        reasons.append(
            DirectReason(
                "subscription_not_active",
                _("The subscription is %(status)s.") % {"status": INACTIVE_LABELS.get(facts.status, facts.status)},
                _("Pay the outstanding balance to reactivate the subscription, then try again.")
                if facts.unpaid_balance > 0
                else _("Reactivate the subscription, then try again."),
            )
        )
    if facts.assigned > facts.quantity:
        reasons.append(
            DirectReason(
                "license_conflict",
                _("More users are assigned (%(assigned)s) than licenses you own (%(quantity)s).")
                % {"assigned": facts.assigned, "quantity": facts.quantity},
                _("Resolve the license conflict first: buy more licenses or unassign users, then try again."),
            )
        )
    if facts.status == "pending" or facts.provisioning_state != "provisioned":
        reasons.append(
            DirectReason(
                "subscription_not_ready",
                _("The subscription isn't fully set up yet."),
                _("Wait until setup finishes (usually within a few hours), then try again."),
            )
        )
    if facts.service_health_incident:
        reasons.append(
            DirectReason(
                "service_health_incident",
                _("A service health incident affects your organization."),
                _("Check Service health; try again when the incident is resolved."),
            )
        )
    if facts.upgrade_in_progress:
        reasons.append(
            DirectReason(
                "upgrade_in_progress",
                _("Another plan is being upgraded or is waiting for a credit check."),
                _("Wait until that upgrade finishes (see Check upgrade status), then try again."),
            )
        )
    if facts.same_product_count > 1:
        reasons.append(
            DirectReason(
                "duplicate_subscriptions",
                _("You have %(count)s subscriptions of %(product)s.")
                % {"count": facts.same_product_count, "product": facts.offer.name},
                _("Move the users into one subscription and cancel the others, or change plans manually."),
            )
        )
    if facts.prepaid and not facts.offer.retired:
        reasons.append(
            DirectReason(
                "prepaid_plan",
                _("This is a prepaid plan."),
                _(
                    "Change plans manually (buy the new plan, move users, cancel this one); "
                    "unused prepaid time is not credited."
                ),
            )
        )
    if facts.segment in BLOCKING_SEGMENTS:
        reasons.append(
            DirectReason(
                "segment_not_supported",
                _("Upgrades aren't available here for %(segment)s plans.") % {"segment": facts.segment},
                _("Change plans manually, or contact Microsoft support."),
            )
        )
    if facts.high_volume:
        reasons.append(
            DirectReason(
                "high_volume",
                _("We're processing a high volume of upgrades right now."),
                _("Try again in about an hour."),
            )
        )
    if facts.active_addon_count and not facts.offer.retired:
        reasons.append(
            DirectReason(
                "add_on_present",
                ngettext(
                    "The subscription has %(count)s add-on.",
                    "The subscription has %(count)s add-ons.",
                    facts.active_addon_count,
                )
                % {"count": facts.active_addon_count},
                _("Cancel the add-ons (or change plans manually), then try again."),
            )
        )
    if facts.unpaid_balance > 0:
        reasons.append(
            DirectReason(
                "unpaid_balance",
                _("There's an unpaid balance of %(amount)s on this subscription.") % {"amount": facts.unpaid_balance},
                _("Pay the balance, then try again."),
            )
        )
    return reasons


def fewer_services_reason(lost: Iterable[str]) -> DirectReason:
    return DirectReason(
        "fewer_services",
        _("This isn't a supported upgrade: it has fewer services (%(services)s).") % {"services": ", ".join(lost)},
        _("Use a plan change: buy the new plan, move users, then cancel the old one."),
    )


def target_verdict(
    source: SubscriptionFacts, target: OfferFacts, blocking: Iterable[DirectReason] = ()
) -> TargetVerdict:
    lost = lost_families(source.offer.family_levels, target.family_levels)
    names = [source.offer.family_names.get(code, code) for code in lost]
    kind = PLAN_CHANGE if lost else UPGRADE
    reasons = list(blocking)
    if lost:
        reasons.append(fewer_services_reason(names))
    return TargetVerdict(target=target, kind=kind, lost_services=tuple(names), reasons=tuple(reasons))


def upgrade_tab(source: SubscriptionFacts, targets: Iterable[OfferFacts]) -> UpgradeTab:
    """The Upgrade tab: upgrade targets, plan changes, and every reason nothing can be upgraded."""
    blocking = subscription_reasons(source)
    upgrades: list[TargetVerdict] = []
    changes: list[TargetVerdict] = []
    for target in targets:
        verdict = target_verdict(source, target, blocking)
        (upgrades if verdict.kind == UPGRADE else changes).append(verdict)
    reasons = list(blocking)
    if not upgrades:
        reasons.append(
            DirectReason(
                "no_supported_upgrade",
                _("None of the plans available for %(product)s keeps all its services, so there is no upgrade.")
                % {"product": source.offer.name},
                _("Use a plan change: buy the new plan, move users, then cancel the old one."),
            )
        )
    return UpgradeTab(upgrades=tuple(upgrades), plan_changes=tuple(changes), reasons=tuple(reasons))
