"""Transition eligibility rules (domain.md §8): PURE functions over ``commerce.types``, no ORM access.

Partner Center: "Get transition eligibilities",
https://learn.microsoft.com/en-us/partner-center/developer/transition-a-new-commerce-subscription (resources:
https://learn.microsoft.com/en-us/partner-center/developer/transition-resources).

- A TARGET rule ``(ctx, target, eligibility_type) -> [TransitionError]`` blocks both transition types; a
  LICENSE rule blocks ``transition_with_license_transfer`` only; a MERGE rule judges one existing subscription
  of the target as the receiver of the seats (immediate only). :func:`evaluate` runs EVERY rule and keeps every
  reason (sorted by code).
- The §5 reasons that apply (delegated access, status, concurrency, add-ons, provisioning, multichannel) are the
  legacy engine's own rules (``upgrades.eligibility.rules``), run on ``ctx.legacy`` and re-coded with the same
  numbers.

Decisions where the rulebook is silent (each explained in its rule):
- a legacy source is evaluated, not refused: Partner Center's page says these methods "support both traditional
  and new commerce source subscriptions", so a client looping over subscriptions gets a 200 whose every type
  carries ``legacy_subscription`` (11) pointing at ``.../upgrades``, the portal's path for legacy sources;
- app-only tokens may read and ``transition_only`` (Partner Center: "supports App and App+User"), but moving
  licenses needs a user's delegated roles: ``user_context_required`` (5) on license transfer only;
- "conflicting subscriptions for license transfer": the customer holds another subscription of the SOURCE's
  offer (any channel, active, pending or suspended): whose users move is then ambiguous;
- a customer's subscription of the target through THIS partner is not a multichannel conflict (it is a merge
  target, or simply a second subscription of the product); through any other channel it is (§5, code 3).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from catalog.models import TERM_MONTHS
from upgrades.eligibility import rules as legacy_rules
from upgrades.eligibility.types import UpgradeError

from .types import (
    CommerceSubscriptionData,
    Direction,
    EligibilityType,
    MergeTargetEligibility,
    TargetData,
    TransitionContext,
    TransitionEligibility,
    TransitionError,
    TransitionType,
    TypeEligibility,
)
from .types import MergeTargetErrorCode as M
from .types import TransitionErrorCode as C

CSP = "csp"
HOLDING_STATUSES = legacy_rules.HOLDING_STATUSES

TargetRule = Callable[[TransitionContext, TargetData, str], list[TransitionError]]
MergeRule = Callable[[TransitionContext, CommerceSubscriptionData], list[TransitionError]]


def term_months(term: str) -> int:
    """Months of a term (0 for none: a legacy subscription)."""
    return TERM_MONTHS.get(term, 0)


def is_shorter_term(term: str, source_term: str) -> bool:
    """Whether ``term`` is shorter than ``source_term`` (not allowed mid-term, §8)."""
    return term_months(term) < term_months(source_term)


def recoded(errors: Iterable[UpgradeError]) -> list[TransitionError]:
    """Legacy §5 errors with the same numbers and texts."""
    return [TransitionError(C(int(e.code)), e.description, e.additional_details) for e in errors]


def _legacy(rule) -> TargetRule:
    """A §5 source rule of the legacy engine as a transition target rule."""

    def run(ctx: TransitionContext, target: TargetData, eligibility_type: str) -> list[TransitionError]:
        return recoded(rule(ctx.legacy, None, ""))

    run.__name__ = f"rule_{rule.__name__.removeprefix('rule_')}"
    run.__doc__ = f"§5 ``{rule.__name__}`` of ``upgrades.eligibility.rules``."
    return run


rule_delegated_access = _legacy(legacy_rules.rule_delegated_access)
rule_status_active = _legacy(legacy_rules.rule_status_active)
rule_concurrency = _legacy(legacy_rules.rule_concurrency)
rule_add_ons = _legacy(legacy_rules.rule_add_ons)
rule_provisioned = _legacy(legacy_rules.rule_provisioned)


def rule_new_commerce(ctx: TransitionContext, target: TargetData, eligibility_type: str) -> list[TransitionError]:
    """Only a new commerce subscription transitions; a legacy one upgrades (§5)."""
    if ctx.source.is_new_commerce:
        return []
    return [
        TransitionError(
            C.LEGACY_SUBSCRIPTION,
            _("Only a new commerce subscription can transition; upgrade a legacy subscription instead."),
            _("Use GET or POST .../subscriptions/%(id)s/upgrades.") % {"id": ctx.source.id},
        )
    ]


def merge_candidate_ids(ctx: TransitionContext, target: TargetData) -> frozenset:
    """The customer's subscriptions of the target held through this same partner (not multichannel conflicts)."""
    return frozenset(
        h.id
        for h in ctx.holdings
        if h.offer_id == target.offer_id
        and h.channel == CSP
        and h.partner_id is not None
        and h.partner_id == ctx.partner_id
    )


def rule_multichannel(ctx: TransitionContext, target: TargetData, eligibility_type: str) -> list[TransitionError]:
    """§5 code 3: the target (or services it adds) held through another channel or partner."""
    own = merge_candidate_ids(ctx, target)
    legacy = dataclasses.replace(ctx.legacy, others=tuple(o for o in ctx.legacy.others if o.id not in own))
    return recoded(legacy_rules.rule_conflicting_service_types(legacy, target.offer, target.offer_id))


def rule_no_downgrade_mid_term(
    ctx: TransitionContext, target: TargetData, eligibility_type: str
) -> list[TransitionError]:
    """§8: a lower offer is a change at renewal, never a mid-term transition."""
    if eligibility_type != EligibilityType.IMMEDIATE or target.direction != Direction.LOWER:
        return []
    return [
        TransitionError(
            C.DOWNGRADE_NOT_ALLOWED_MID_TERM,
            _("A lower offer cannot be transitioned to mid-term; schedule it for the renewal."),
            _("%(target)s is lower than %(source)s in the upgrade matrix.")
            % {"target": target.offer.name, "source": ctx.legacy.source_offer.name},
        )
    ]


def rule_no_shorter_term_mid_term(
    ctx: TransitionContext, target: TargetData, eligibility_type: str
) -> list[TransitionError]:
    """§8: mid-term, the new term is the source's or longer; a shorter one waits for the renewal."""
    if eligibility_type != EligibilityType.IMMEDIATE or not ctx.source.term_duration:
        return []
    if not is_shorter_term(ctx.effective_term, ctx.source.term_duration):
        return []
    return [
        TransitionError(
            C.SHORTER_TERM_NOT_ALLOWED_MID_TERM,
            _("A shorter term cannot be chosen mid-term; schedule it for the renewal."),
            _("Term requested: %(term)s; the source's term: %(source)s.")
            % {"term": ctx.effective_term, "source": ctx.source.term_duration},
        )
    ]


def rule_term_offered(ctx: TransitionContext, target: TargetData, eligibility_type: str) -> list[TransitionError]:
    """The target must have a price for the term (a catalog gap, explained)."""
    term = ctx.effective_term
    if not term or term in target.terms:
        return []
    return [
        TransitionError(
            C.TERM_NOT_OFFERED,
            _("The target is not sold for this term."),
            _("Term %(term)s; %(target)s offers: %(terms)s.")
            % {"term": term, "target": target.offer.name, "terms": ", ".join(sorted(target.terms)) or _("none")},
        )
    ]


def rule_auto_renew(ctx: TransitionContext, target: TargetData, eligibility_type: str) -> list[TransitionError]:
    """§8: a change at renewal needs auto-renew on (there is no renewal otherwise)."""
    if eligibility_type != EligibilityType.SCHEDULED or ctx.source.auto_renew:
        return []
    return [
        TransitionError(
            C.AUTO_RENEW_REQUIRED,
            _("Changes at renewal need auto-renew on."),
            _("Auto-renew is off: the subscription ends on %(date)s.")
            % {"date": ctx.source.commitment_end_date or "-"},
        )
    ]


def rule_license_transfer_user(
    ctx: TransitionContext, target: TargetData, eligibility_type: str
) -> list[TransitionError]:
    """Moving licenses needs a signed-in user (app-only credentials have no delegated roles)."""
    if not ctx.legacy.actor.is_application:
        return []
    return [
        TransitionError(
            C.USER_CONTEXT_REQUIRED,
            _("Moving licenses needs a signed-in user: app-only credentials can transition without them."),
            _("The request used an application token without user context."),
        )
    ]


def rule_license_transfer_role(
    ctx: TransitionContext, target: TargetData, eligibility_type: str
) -> list[TransitionError]:
    """§3: license transfer needs Directory Writers, License/User Administrator or Global Administrator.

    Without any active relationship code 1 already says it; an app-only caller gets code 5 instead.
    """
    actor = ctx.legacy.actor
    if actor.is_application or not actor.has_delegated_access or actor.can_transfer_licenses:
        return []
    return [
        TransitionError(
            C.LICENSE_TRANSFER_ROLE_REQUIRED,
            _("Moving licenses needs a delegated role that can assign licenses; transition without them instead."),
            _(
                "Needs Directory Writers, License Administrator, User Administrator or Global Administrator; "
                "your roles: %(roles)s."
            )
            % {"roles": ", ".join(sorted(actor.delegated_roles)) or _("none")},
        )
    ]


def rule_conflicting_subscriptions(
    ctx: TransitionContext, target: TargetData, eligibility_type: str
) -> list[TransitionError]:
    """Another held subscription of the source's offer: which users move would be ambiguous."""
    conflicting = [
        h
        for h in ctx.holdings
        if h.offer_id == ctx.source.offer_id and h.id != ctx.source.id and h.status in HOLDING_STATUSES
    ]
    if not conflicting:
        return []
    return [
        TransitionError(
            C.CONFLICTING_SUBSCRIPTIONS_FOR_LICENSE_TRANSFER,
            _("The customer holds other subscriptions of this product: licenses cannot be moved automatically."),
            _("Other subscriptions of %(offer)s: %(ids)s.")
            % {"offer": ctx.legacy.source_offer.name, "ids": ", ".join(str(h.id) for h in conflicting)},
        )
    ]


TARGET_RULES: tuple[TargetRule, ...] = (
    rule_new_commerce,
    rule_delegated_access,
    rule_status_active,
    rule_multichannel,
    rule_concurrency,
    rule_add_ons,
    rule_provisioned,
    rule_no_downgrade_mid_term,
    rule_no_shorter_term_mid_term,
    rule_term_offered,
    rule_auto_renew,
)
LICENSE_TRANSFER_RULES: tuple[TargetRule, ...] = (
    rule_license_transfer_user,
    rule_license_transfer_role,
    rule_conflicting_subscriptions,
)


# --- merge targets (an existing subscription of the target receives the seats; immediate only) --------------------


def merge_not_active(ctx: TransitionContext, sub: CommerceSubscriptionData) -> list[TransitionError]:
    if sub.status == "active":
        return []
    return [
        TransitionError(
            M.NOT_ACTIVE,
            _("The target subscription is not active (status: %(status)s).") % {"status": sub.status},
        )
    ]


def merge_in_cancellation_window(ctx: TransitionContext, sub: CommerceSubscriptionData) -> list[TransitionError]:
    """Seats cannot be added to a subscription while it can still be cancelled with a refund."""
    until = sub.cancellation_allowed_until
    if until is None or until <= ctx.now:
        return []
    return [
        TransitionError(
            M.IN_CANCELLATION_WINDOW,
            _("The target subscription is inside its cancellation window (until %(until)s).")
            % {"until": until.isoformat()},
        )
    ]


def merge_shorter_term(ctx: TransitionContext, sub: CommerceSubscriptionData) -> list[TransitionError]:
    if not ctx.source.term_duration or term_months(sub.term_duration) >= term_months(ctx.source.term_duration):
        return []
    return [
        TransitionError(
            M.SHORTER_TERM,
            _("The target subscription's term (%(term)s) is shorter than the source's (%(source)s).")
            % {"term": sub.term_duration or "-", "source": ctx.source.term_duration},
        )
    ]


def merge_ends_before_source(ctx: TransitionContext, sub: CommerceSubscriptionData) -> list[TransitionError]:
    end, source_end = sub.commitment_end_date, ctx.source.commitment_end_date
    if end is None or source_end is None or end >= source_end:
        return []
    return [
        TransitionError(
            M.ENDS_BEFORE_SOURCE,
            _("The target subscription's term ends (%(end)s) before the source's (%(source)s).")
            % {"end": end.isoformat(), "source": source_end.isoformat()},
        )
    ]


MERGE_RULES: tuple[MergeRule, ...] = (
    merge_not_active,
    merge_in_cancellation_window,
    merge_shorter_term,
    merge_ends_before_source,
)


def merge_targets(ctx: TransitionContext, target: TargetData) -> list[CommerceSubscriptionData]:
    """The customer's new commerce subscriptions of the target through this same partner (held order)."""
    own = merge_candidate_ids(ctx, target)
    return [h for h in ctx.holdings if h.id in own and h.is_new_commerce]


# --- the evaluation ------------------------------------------------------------------------------------------------


def _sorted(errors: Iterable[TransitionError]) -> tuple[TransitionError, ...]:
    return tuple(sorted(errors, key=lambda error: int(error.code)))


def evaluate_target(ctx: TransitionContext, target: TargetData, eligibility_type: str) -> TransitionEligibility:
    """Both transition types of one target with every reason; merge targets for ``immediate`` only."""
    common = [error for rule in TARGET_RULES for error in rule(ctx, target, eligibility_type)]
    transfer = [error for rule in LICENSE_TRANSFER_RULES for error in rule(ctx, target, eligibility_type)]
    eligibilities = []
    for transition_type, errors in (
        (TransitionType.TRANSITION_ONLY, _sorted(common)),
        (TransitionType.TRANSITION_WITH_LICENSE_TRANSFER, _sorted([*common, *transfer])),
    ):
        eligibilities.append(TypeEligibility(transition_type=transition_type, is_eligible=not errors, errors=errors))
    merges = []
    if eligibility_type == EligibilityType.IMMEDIATE:
        for sub in merge_targets(ctx, target):
            errors = _sorted(error for rule in MERGE_RULES for error in rule(ctx, sub))
            merges.append(MergeTargetEligibility(subscription=sub, is_eligible=not errors, errors=errors))
    return TransitionEligibility(
        target=target,
        quantity=ctx.source.quantity,
        eligibilities=tuple(eligibilities),
        subscription_eligibilities=tuple(merges),
    )


def targets_for(ctx: TransitionContext, eligibility_type: str) -> tuple[TargetData, ...]:
    """Immediate: the higher offers only; scheduled: the lower ones too (a change at renewal)."""
    if eligibility_type == EligibilityType.SCHEDULED:
        return ctx.targets
    return tuple(t for t in ctx.targets if t.direction == Direction.HIGHER)


def evaluate(ctx: TransitionContext, eligibility_type: str) -> list[TransitionEligibility]:
    """One item per target catalog item, in the context's order (higher targets first, then lower ones)."""
    with legacy_rules.memoized_gettext():
        return [evaluate_target(ctx, target, eligibility_type) for target in targets_for(ctx, eligibility_type)]
