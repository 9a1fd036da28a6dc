"""Side-effect-free previews of a CSP upgrade, for the portal's upgrade icons and its review step.

Nothing here writes. Everything is computed by the code the upgrade itself runs, so a preview cannot
drift from what the upgrade then does:

- :func:`upgrade_preview` parses the input with ``services.parse_upgrade_request``, loads the context with
  ``eligibility.context.load_context`` (as the service does, without the row locks) and plans it with the
  service's own planning step (eligibility re-check, quantity and upgrade type rules: the same exceptions
  the upgrade raises); the billing effect is ``billing.upgrade_proration`` called with exactly the
  arguments ``steps.book_billing`` receives; the affected accounts are read like ``steps.transfer_licenses``
  reads them (same fields and shapes), without moving anything.
- :func:`upgrade_states_for` evaluates many subscriptions with the pure eligibility engine in a fixed number
  of queries (the customer page's upgrade icons): the contexts come from ``eligibility.context.load_contexts``
  (the loader every evaluation uses), the rules are the engine's.

Fixed query counts: ``upgrade_preview`` = ``load_context`` + 3; ``upgrade_states_for`` = one
``load_contexts`` (≤ 11 for one selling partner) whatever the number of subscriptions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from catalog.models import Offer
from partners.roles import Capability, can
from subscriptions.models import LicenseAssignment, Subscription

from . import services
from .billing import upgrade_proration
from .eligibility.context import load_context, load_contexts
from .eligibility.engine import evaluate, evaluate_all, source_errors
from .eligibility.types import UpgradeOption, UpgradeTypeName
from .policies import is_upgradable
from .steps import read_affected_accounts

# --- one target: the review step -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillingLine:
    kind: str  # "credit" | "charge"
    amount: Decimal
    currency: str
    unit_price: Decimal
    quantity: int
    period_start: date
    period_end: date  # last day included
    days: int
    period_days: int


@dataclass
class UpgradePreview:
    source: Subscription
    target_offer: Offer
    option: UpgradeOption
    upgrade_type: str
    quantity: int
    billing_cycle: str
    credit: BillingLine
    charge: BillingLine
    net: dict[str, Decimal]
    assigned_users: int
    affected_accounts: list[dict[str, Any]] = field(default_factory=list)
    delegated_roles: frozenset[str] = frozenset()

    @property
    def transfers_licenses(self) -> bool:
        return self.upgrade_type == UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER


@dataclass
class TargetChoice:
    """Step 2 of the wizard: one target's option for the source and the billing cycles it can be billed on."""

    source: Subscription
    option: UpgradeOption
    billing_cycles: tuple[str, ...]
    can_transfer_licenses: bool
    delegated_roles: frozenset[str]


def target_choice_for(*, actor, subscription, target_offer_id: str) -> TargetChoice:
    """The option for one target (code 8 outside the matrix) plus the cycles with a price in its currency."""
    target_offer_id = str(target_offer_id or "")
    loaded = load_context(actor=actor, subscription=subscription, extra_target_ids=(target_offer_id,))
    option = evaluate(loaded.ctx, target_offer_id, target_offer=loaded.offers.get(target_offer_id))
    target = loaded.ctx.offers.get(target_offer_id)
    cycles = tuple(c for c in ("monthly", "annual") if target is not None and c in target.billing_cycles)
    return TargetChoice(
        source=loaded.subscription,
        option=option,
        billing_cycles=cycles,
        can_transfer_licenses=loaded.access.can_transfer_licenses,
        delegated_roles=loaded.access.roles,
    )


def upgrade_preview(
    *,
    actor,
    subscription,
    target_offer_id: str,
    quantity: int | None = None,
    billing_cycle: str | None = None,
    upgrade_type: str | None = None,
    today: date | None = None,
) -> UpgradePreview:
    """What ``services.subscription_upgrade`` would do with these arguments, without doing it.

    Raises what the upgrade raises for the same input: ``InvalidUpgradeInput`` (field + reason),
    ``UpgradeNotEligible`` (every reason), ``Forbidden``, ``NotFound``, ``PermissionDenied``.
    """
    request = services.parse_upgrade_request(
        target_offer_id=target_offer_id, upgrade_type=upgrade_type, quantity=quantity, billing_cycle=billing_cycle
    )
    loaded = load_context(
        actor=actor,
        subscription=subscription,
        billing_cycle=request.billing_cycle,
        extra_target_ids=(request.target_offer_id,),
    )
    # The service's own planning step (pure: eligibility on the loaded data, quantity and type rules).
    plan = services.upgrade_plan(loaded, request)
    source, target_offer = loaded.subscription, loaded.offers[request.target_offer_id]
    option = evaluate(loaded.ctx, request.target_offer_id, target_offer=target_offer)

    # Exactly what ``services._execute`` hands to ``steps.book_billing`` (which falls back to 0 without a price).
    source_price = loaded.price(source.offer_id, source.billing_cycle) or Decimal("0")
    target_price = loaded.price(target_offer.pk, plan.billing_cycle) or Decimal("0")
    proration = upgrade_proration(
        term_start=source.term_start_date,
        source_cycle=source.billing_cycle,
        target_cycle=plan.billing_cycle,
        today=today or timezone.localdate(),
        source_unit_price=source_price,
        source_quantity=source.quantity,
        target_unit_price=target_price,
        target_quantity=plan.quantity,
    )
    period_start, period_end = proration.start, max(proration.last_day, proration.start)
    credit = BillingLine(
        kind="credit",
        amount=proration.credit,
        currency=source.offer.currency,
        unit_price=source_price,
        quantity=source.quantity,
        period_days=proration.source_period.days,
        period_start=period_start,
        period_end=period_end,
        days=proration.remaining_days,
    )
    charge = BillingLine(
        kind="charge",
        amount=proration.charge,
        currency=target_offer.currency,
        unit_price=target_price,
        quantity=plan.quantity,
        period_days=proration.target_period.days,
        period_start=period_start,
        period_end=period_end,
        days=proration.remaining_days,
    )
    net: dict[str, Decimal] = defaultdict(Decimal)
    for line in (credit, charge):
        net[line.currency] += line.amount

    transfer = plan.upgrade_type == UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER
    accounts = (
        affected_accounts_preview(source=source, target_plan_families=loaded.plan_families.get(target_offer.pk, {}))
        if transfer
        else []
    )
    return UpgradePreview(
        source=source,
        target_offer=target_offer,
        option=option,
        upgrade_type=plan.upgrade_type,
        quantity=plan.quantity,
        billing_cycle=plan.billing_cycle,
        credit=credit,
        charge=charge,
        net=dict(net),
        assigned_users=LicenseAssignment.objects.filter(subscription_id=source.pk).count(),
        affected_accounts=accounts,
        delegated_roles=loaded.access.roles,
    )


def affected_accounts_preview(
    *, source: Subscription, target_plan_families: dict[str, str], keep_disabled_plans: bool = True
) -> list[dict[str, Any]]:
    """The ``affectedAccounts`` a license transfer of ``source`` to a new subscription would report: the reader
    ``steps.transfer_licenses`` uses (``steps.read_affected_accounts``), nothing moved. Two queries."""
    accounts, _patterns = read_affected_accounts(
        source=source,
        moving=LicenseAssignment.objects.filter(subscription_id=source.pk),
        target_plan_families=target_plan_families,
        keep_disabled_plans=keep_disabled_plans,
        other_than=(source.pk,),
    )
    return accounts


# --- many subscriptions of one customer: the customer page's icons ---------------------------------------------


@dataclass(frozen=True)
class UpgradeState:
    """``eligible``: at least one target is eligible now. ``reasons``: when none is, the distinct reasons."""

    subscription_id: Any
    target_count: int
    eligible_count: int
    reasons: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return self.eligible_count > 0


def upgrade_states_for(*, actor, subscriptions: Iterable[Subscription]) -> dict[Any, UpgradeState]:
    """Upgrade state of each subscription that has matrix paths and that the actor may upgrade.

    ``subscriptions``: rows already loaded (usually one customer's). Subscriptions without any matrix row, not
    sold through a managed CSP partner, cancelled (``deleted``: nothing left to upgrade), or an actor without the
    upgrade capability get no entry. The contexts
    come from ONE batch load (``eligibility.context.load_contexts``): fixed queries whatever the number of rows.
    """
    if not can(actor, Capability.UPGRADE):
        return {}
    rows = [s for s in subscriptions if is_upgradable(s)]
    if not rows:
        return {}
    loaded = load_contexts(actor=actor, subscriptions=rows)
    states = {}
    for row in rows:
        item = loaded.get(row.pk)
        if item is None or not item.matrix_target_ids:
            continue
        options = evaluate_all(item.ctx)
        if not options:  # no path in this market: the source rules explain it (code 7)
            errors = source_errors(item.ctx)
        else:
            errors = tuple(error for option in options for error in option.errors)
        reasons = tuple(dict.fromkeys(str(error.description) for error in errors))
        eligible = sum(1 for option in options if option.is_eligible)
        states[row.pk] = UpgradeState(
            subscription_id=row.pk,
            target_count=len(options),
            eligible_count=eligible,
            reasons=() if eligible else reasons,
        )
    return states
