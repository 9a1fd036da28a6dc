"""The cart and checkout quote: what an order will cost and what happens to the add-ons (domain.md §6).

``quote_upgrade`` and ``quote_purchase`` validate the input (each error names its field) and price the order;
the page, the API and ``direct.services`` all use them, so the rules live here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import BillingCycle, Offer
from core.errors import Conflict, InvalidInput
from customers.models import Customer
from subscriptions.models import PaymentMethod, Subscription
from upgrades.billing import upgrade_proration
from upgrades.eligibility import direct as rules
from upgrades.eligibility import direct_paths

from . import pricing, selectors
from .models import AddonAction


class UpgradeBlocked(Conflict):
    """The requested upgrade isn't available: ``reasons`` holds every reason ({code, message, action}),
    ``data`` the same as ``"code: message"`` lines (the API's ServiceFault)."""

    error_name = "upgrade_not_available"

    def __init__(self, message, *, reasons: list[dict], field: str | None = None):
        super().__init__(message, field=field, data=[f"{r['code']}: {r['message']}" for r in reasons])
        self.reasons = reasons


@dataclass(frozen=True)
class AddonPlan:
    subscription: Subscription
    action: str  # AddonAction
    credit: Decimal

    @property
    def name(self) -> str:
        return self.subscription.offer.name

    @property
    def reason(self) -> str:
        """Why the add-on is removed (empty when it moves), shown in the cart and recorded in the order."""
        if self.action == AddonAction.REMOVE:
            return str(_("removed: the new plan already includes it"))
        if self.action == AddonAction.EXCLUDED:
            return str(_("removed: the catalog doesn't allow it with the new plan, so it can't move there"))
        return ""


@dataclass(frozen=True)
class Quote:
    customer: Customer
    source: Subscription | None
    target: Offer
    quantity: int
    billing_cycle: str
    currency: str
    unit_price: Decimal
    subtotal: Decimal  # the order value: price per license × licenses for one billing period
    charge: Decimal  # charged today: prorated to the end of the source's current billing period
    credit: Decimal
    forfeited: Decimal
    amount_due: Decimal
    addons: tuple[AddonPlan, ...] = field(default_factory=tuple)

    @property
    def payment_methods(self) -> tuple[str, ...]:
        """Credit card always; invoice only above the configured order total."""
        if self.subtotal > settings.DIRECT_INVOICE_MINIMUM_TOTAL:
            return (PaymentMethod.CREDIT_CARD.value, PaymentMethod.INVOICE.value)
        return (PaymentMethod.CREDIT_CARD.value,)

    @property
    def requires_forfeit_confirmation(self) -> bool:
        return self.forfeited > 0

    def credit_check_required(self, payment_method: str) -> bool:
        return payment_method == PaymentMethod.INVOICE or self.subtotal > settings.CREDIT_CHECK_THRESHOLD

    @property
    def credit_check(self) -> str:
        """Announced before the order is placed: ``always`` (the total needs one whatever the payment method),
        ``invoice`` (only paying by invoice needs one) or ``""`` (none: invoice isn't offered for this total)."""
        if self.credit_check_required(PaymentMethod.CREDIT_CARD):
            return "always"
        return "invoice" if PaymentMethod.INVOICE in self.payment_methods else ""

    @property
    def billing_cycle_label(self) -> str:
        return str(BillingCycle(self.billing_cycle).label)

    @property
    def moved_addons(self) -> tuple[AddonPlan, ...]:
        return tuple(a for a in self.addons if a.action == AddonAction.MOVE)

    @property
    def removed_addons(self) -> tuple[AddonPlan, ...]:
        return tuple(a for a in self.addons if a.action != AddonAction.MOVE)


def _clean_quantity(quantity, *, offer: Offer, at_least: int | None = None) -> int:
    """A whole number of seats within ``offer``'s limits (``Offer.quantity_problem``); ``at_least``: an upgrade
    keeps at least the source's seats."""
    try:
        value = int(quantity)
    except (TypeError, ValueError):
        raise InvalidInput(_("Quantity must be a whole number."), field="quantity") from None
    if at_least is not None and value < at_least:
        raise InvalidInput(
            _(
                "Quantity can't be lower than %(minimum)s: licenses can't be removed as part of an "
                "upgrade (reduce them before or after)."
            )
            % {"minimum": at_least},
            field="quantity",
        )
    problem = offer.quantity_problem(value)
    if problem:
        raise InvalidInput(problem, field="quantity")
    return value


def _clean_cycle(billing_cycle) -> str:
    if billing_cycle not in BillingCycle.values:
        raise InvalidInput(_("Billing cycle must be monthly or annual."), field="billing_cycle")
    return billing_cycle


def unit_price(offer: Offer, billing_cycle: str) -> Decimal:
    for price in offer.prices.all():
        if price.billing_cycle == billing_cycle and price.currency == offer.currency:
            return price.unit_price
    raise InvalidInput(
        _("%(offer)s can't be billed %(cycle)s.") % {"offer": offer.name, "cycle": billing_cycle}, field="billing_cycle"
    )


def _unused(subscription: Subscription, today: date) -> Decimal:
    price = unit_price(subscription.offer, subscription.billing_cycle)
    return pricing.unused_value(
        unit_price=price,
        quantity=subscription.quantity,
        term_start=subscription.term_start_date,
        billing_cycle=subscription.billing_cycle,
        today=today,
    )


def upgrade_target(source: Subscription, target_offer_id: str) -> tuple[rules.UpgradeTab, rules.TargetVerdict]:
    """The verdict for one requested target; raises when it isn't offered or the tab is blocked."""
    tab = selectors.upgrade_tab_for(source)
    verdicts = {v.target.id: v for v in tab.upgrades + tab.plan_changes}
    verdict = verdicts.get(target_offer_id)
    if verdict is None:
        raise InvalidInput(
            _("%(offer)s isn't an upgrade option for this subscription.") % {"offer": target_offer_id},
            field="target_offer_id",
        )
    if not verdict.is_eligible:
        raise UpgradeBlocked(
            _("This subscription can't be upgraded to %(offer)s right now.") % {"offer": verdict.target.name},
            field="target_offer_id",
            reasons=[r.as_dict() for r in verdict.reasons],
        )
    return tab, verdict


def quote_upgrade(
    *, source: Subscription, target_offer_id: str, quantity=None, billing_cycle=None, today: date | None = None
) -> Quote:
    today = today or timezone.localdate()
    upgrade_target(source, target_offer_id)
    offers = selectors.offers_with_plans([target_offer_id, source.offer_id])
    target, source.offer = offers[target_offer_id], offers[source.offer_id]
    quantity = _clean_quantity(
        source.quantity if quantity in (None, "") else quantity, offer=target, at_least=source.quantity
    )
    cycle = _clean_cycle(billing_cycle or source.billing_cycle)
    price = unit_price(target, cycle)
    subtotal = pricing.money(price * quantity)
    held = list(selectors.addons_of(source))
    facts = selectors.offer_facts([target, *(addon.offer for addon in held)])  # one load for the target and add-ons
    target_facts = facts[target.id]
    addons, addon_credit = [], Decimal("0")
    for addon in held:
        action = direct_paths.addon_action(facts[addon.offer_id], target_facts)
        if action == AddonAction.MOVE:
            addons.append(AddonPlan(addon, AddonAction.MOVE, Decimal("0.00")))
            continue
        credit = _unused(addon, today)
        addon_credit += credit
        addons.append(AddonPlan(addon, AddonAction(action), credit))
    proration = upgrade_proration(
        term_start=source.term_start_date,
        source_cycle=source.billing_cycle,
        target_cycle=cycle,
        today=today,
        source_unit_price=unit_price(source.offer, source.billing_cycle),
        source_quantity=source.quantity,
        target_unit_price=price,
        target_quantity=quantity,
    )
    settlement = pricing.settle(subtotal=subtotal, remaining=-proration.credit, prepaid=source.prepaid)
    credit = settlement.credit + addon_credit
    return Quote(
        customer=source.customer,
        source=source,
        target=target,
        quantity=quantity,
        billing_cycle=cycle,
        currency=target.currency,
        unit_price=price,
        subtotal=subtotal,
        charge=proration.charge,
        credit=credit,
        forfeited=settlement.forfeited,
        amount_due=proration.charge - credit,
        addons=tuple(addons),
    )


def purchasable_offers(customer) -> list[Offer]:
    """Base offers a tenant can buy directly (not retired, not add-ons, its market or global)."""
    return list(
        Offer.objects.filter(retired=False, is_addon=False, market__in=["global", customer.market])
        .prefetch_related("prices")
        .order_by("name")
    )


def quote_purchase(*, customer, offer_id: str, quantity, billing_cycle) -> Quote:
    offer = next((o for o in purchasable_offers(customer) if o.id == offer_id), None)
    if offer is None:
        raise InvalidInput(_("%(offer)s can't be bought.") % {"offer": offer_id}, field="offer_id")
    quantity = _clean_quantity(quantity, offer=offer)
    cycle = _clean_cycle(billing_cycle or BillingCycle.MONTHLY)
    price = unit_price(offer, cycle)
    subtotal = pricing.money(price * quantity)
    return Quote(
        customer=customer,
        source=None,
        target=offer,
        quantity=quantity,
        billing_cycle=cycle,
        currency=offer.currency,
        unit_price=price,
        subtotal=subtotal,
        charge=subtotal,
        credit=Decimal("0.00"),
        forfeited=Decimal("0.00"),
        amount_due=subtotal,
    )
