"""Reads of the admin center. Every read is scoped through ``customers_visible_to`` AND the actor's customer admin
roles: a customer admin sees their own tenant(s) only; anything else answers 404 (``NotFound``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import DirectOption, Offer, OfferPrice, ServicePlan
from core.errors import NotFound
from core.scoping import register, visible_to
from core.workflow import history
from customers.models import Customer, CustomerAdminRole, TenantUser
from customers.selectors import customers_visible_to
from subscriptions.models import LicenseAssignment, Subscription, SubscriptionStatus
from subscriptions.selectors import subscriptions_scope
from upgrades.eligibility import direct as rules
from upgrades.eligibility import direct_paths

from . import pipeline
from .e4_models import RetiredCspSubscription
from .models import DirectOrder, HighVolumeCondition, Payment

ACTIVE_HOLDING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING)


def admin_customers_for(actor) -> QuerySet[Customer]:
    """Tenants the actor administers (customer admin roles), inside the standard customer scope."""
    if actor is None or getattr(actor, "is_application", False) or not getattr(actor, "pk", None):
        return Customer.objects.none()
    admin_of = CustomerAdminRole.objects.filter(user_id=actor.pk).values("customer_id")
    return customers_visible_to(actor).filter(pk__in=admin_of)


def admin_customer_for(actor, *, tenant_id) -> Customer:
    try:
        return admin_customers_for(actor).get(tenant_id=tenant_id)
    except (Customer.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such tenant."), field="tenant_id") from None


def admin_subscriptions(actor, customer: Customer) -> QuerySet[Subscription]:
    """Billing › Your products: the tenant's subscriptions with their assigned count (one query)."""
    return (
        Subscription.objects.filter(customer__in=admin_customers_for(actor), customer=customer)
        .select_related("offer", "partner", "parent")
        .annotate(assigned_count=Count("assignments"))
        .order_by("offer__name", "created")
    )


def admin_subscription_for(actor, customer: Customer, subscription_id) -> Subscription:
    try:
        return admin_subscriptions(actor, customer).get(pk=subscription_id)
    except (Subscription.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such subscription."), field="subscription_id") from None


def admin_orders(actor, customer: Customer) -> QuerySet[DirectOrder]:
    return visible_to(
        DirectOrder.objects.filter(customer__in=admin_customers_for(actor), customer=customer), actor
    ).select_related("target_offer", "source__offer", "target_subscription", "operation")


def direct_orders_scope(actor) -> QuerySet[DirectOrder]:
    """Orders of the tenants the actor sees (customer admins: their own; operators: all, the registry's bypass)."""
    return DirectOrder.objects.filter(customer__in=customers_visible_to(actor))


def payments_scope(actor) -> QuerySet[Payment]:
    """Payments of the tenants the actor sees (as orders)."""
    return Payment.objects.filter(customer__in=customers_visible_to(actor))


def retired_csp_scope(actor) -> QuerySet[RetiredCspSubscription]:
    """Retired CSP plans (the admin's proxy of ``Subscription``) within the actor's subscriptions scope."""
    return RetiredCspSubscription.objects.filter(pk__in=subscriptions_scope(actor).values("pk"))


def register_scopes() -> None:
    register(DirectOrder, direct_orders_scope)
    register(Payment, payments_scope)
    register(RetiredCspSubscription, retired_csp_scope)


def admin_order_for(actor, customer: Customer, order_id) -> DirectOrder:
    try:
        return admin_orders(actor, customer).get(pk=order_id)
    except (DirectOrder.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such order."), field="order_id") from None


def tenant_users(customer: Customer) -> QuerySet[TenantUser]:
    return TenantUser.objects.filter(customer=customer)


def plans_prefetch(path: str) -> Prefetch:
    """An offer's service plans with their families and the plans each includes (``ServicePlan.includes``)."""
    included = Prefetch("includes", queryset=ServicePlan.objects.select_related("family"))
    return Prefetch(path, queryset=ServicePlan.objects.select_related("family").prefetch_related(included))


def offer_plans(offer: Offer) -> list[ServicePlan]:
    """The offer's service plans and those they include (Exchange Online (Plan 2) includes Exchange Online
    Archiving): what the offer provides, as the derived rule compares it. Plans prefetched by ``plans_prefetch``."""
    plans = list(offer.service_plans.all())
    return plans + [included for plan in plans for included in plan.includes.all()]


def offer_facts(offers: list[Offer]) -> dict[str, rules.OfferFacts]:
    """``OfferFacts`` for the given offers (their plans prefetched by ``plans_prefetch``; an add-on's base offers
    are read only when prefetched)."""
    provided = {offer.id: offer_plans(offer) for offer in offers}
    return {
        offer.id: rules.OfferFacts(
            id=offer.id,
            name=offer.name,
            retired=offer.retired,
            family_levels=rules.family_levels((p.family_id, p.level) for p in provided[offer.id]),
            family_names={p.family_id: p.family.name for p in provided[offer.id]},
            market=offer.market,
            sku_part_number=offer.sku_part_number,
            is_addon=offer.is_addon,
            data_families=frozenset(p.family_id for p in provided[offer.id] if p.family.data_related),
            base_offers=frozenset(b.pk for b in offer.base_offers.all())
            if "base_offers" in getattr(offer, "_prefetched_objects_cache", {})
            else frozenset(),
        )
        for offer in offers
    }


def offers_with_plans(ids) -> dict[str, Offer]:
    plans = plans_prefetch("service_plans")
    return {offer.id: offer for offer in Offer.objects.filter(id__in=list(ids)).prefetch_related(plans, "prices")}


def tenant_has_open_upgrade(customer: Customer) -> bool:
    """Another upgrade of this tenant is running or waiting for a credit check (direct orders or CSP operations)."""
    return DirectOrder.objects.open().filter(customer=customer).exists() or pipeline.customer_has_open_operation(
        customer
    )


def subscription_facts(subscription: Subscription) -> rules.SubscriptionFacts:
    """The plain facts of one subscription (a fixed number of queries)."""
    customer = subscription.customer
    counts = Subscription.objects.filter(customer=customer).aggregate(
        same=Count("pk", filter=Q(offer_id=subscription.offer_id, status__in=ACTIVE_HOLDING, parent__isnull=True)),
        addons=Count("pk", filter=Q(parent=subscription, status=SubscriptionStatus.ACTIVE)),
    )
    assigned = LicenseAssignment.objects.filter(subscription=subscription).count()
    offer = offer_facts([offers_with_plans([subscription.offer_id])[subscription.offer_id]])[subscription.offer_id]
    return rules.SubscriptionFacts(
        offer=offer,
        status=subscription.status,
        provisioning_state=subscription.provisioning_state,
        channel=subscription.channel,
        channel_partner_name=(subscription.partner.name if subscription.partner else subscription.channel_partner_name),
        quantity=subscription.quantity,
        assigned=assigned,
        prepaid=subscription.prepaid,
        unpaid_balance=subscription.unpaid_balance,
        active_addon_count=counts["addons"],
        same_product_count=counts["same"],
        segment=customer.segment,
        service_health_incident=customer.service_health_incident,
        upgrade_in_progress=tenant_has_open_upgrade(customer),
        high_volume=HighVolumeCondition.in_effect(),
    )


def direct_targets(offer_id: str) -> list[rules.OfferFacts]:
    """The Upgrade tab's targets of an offer, derived from the catalog (``direct_paths.derived_targets``): every
    base offer is a candidate (an add-on gets none); the catalog's ``DirectOption`` rows (E4's published options) only give the display
    order, the others follow by name. A fixed number of queries whatever the catalog's size."""
    plans = plans_prefetch("service_plans")
    facts = offer_facts(list(Offer.objects.filter(is_addon=False).prefetch_related(plans)))
    source = facts.get(offer_id)
    if source is None:  # an add-on (or an unknown offer) has no upgrade of its own
        return []
    listed = list(
        DirectOption.objects.filter(source_id=offer_id).order_by("kind", "position").values_list("target_id", flat=True)
    )
    position = {target_id: index for index, target_id in enumerate(listed)}
    ordered = sorted(facts.values(), key=lambda o: (position.get(o.id, len(position)), o.name, o.id))
    return direct_paths.derived_targets(source, ordered)


def upgrade_tab_for(subscription: Subscription) -> rules.UpgradeTab:
    """The Upgrade tab of one subscription (its scope checked by the caller's ``admin_subscription_for``)."""
    return rules.upgrade_tab(subscription_facts(subscription), direct_targets(subscription.offer_id))


def target_prices(offer_ids, billing_cycle: str) -> dict[str, OfferPrice]:
    """The price per license of each offer for one billing cycle in the offer's own currency (one query): the
    Upgrade tab shows what each target costs."""
    prices = OfferPrice.objects.filter(offer_id__in=list(offer_ids), billing_cycle=billing_cycle).select_related(
        "offer"
    )
    return {price.offer_id: price for price in prices if price.currency == price.offer.currency}


def upgrade_tab_prices(subscription: Subscription, tab: rules.UpgradeTab) -> dict[str, OfferPrice]:
    """Prices of the subscription's plan and of every plan its Upgrade tab lists, in its billing cycle."""
    targets = [v.target.id for v in tab.upgrades + tab.plan_changes]
    return target_prices([subscription.offer_id, *targets], subscription.billing_cycle)


def addons_of(subscription: Subscription) -> QuerySet[Subscription]:
    """The active add-ons of a subscription with their plans, prices and allowed base offers."""
    plans = plans_prefetch("offer__service_plans")
    return (
        Subscription.objects.filter(parent=subscription, status=SubscriptionStatus.ACTIVE)
        .select_related("offer")
        .prefetch_related(plans, "offer__prices", "offer__base_offers")
    )


def assigned_users(customer: Customer, subscription_id) -> list[TenantUser]:
    """Users holding a license of one of the tenant's subscriptions (for the move form)."""
    try:
        return list(
            TenantUser.objects.filter(customer=customer, licenses__subscription_id=subscription_id).order_by(
                "user_principal_name"
            )
        )
    except (ValidationError, ValueError):
        return []


def order_steps(order: DirectOrder) -> list[dict]:
    """The order status page's rows: each step with its time (and ``failed`` for a declined or failed one), from
    the operation's status history."""
    steps: list[dict] = []
    operation = order.operation
    if operation is None:
        steps.append({"label": _("Order placed"), "time": order.placed_at, "note": ""})
        if order.credit_check_decided_at:
            steps.append(
                {
                    "label": _("Credit check: %(result)s") % {"result": order.get_credit_check_display()},
                    "time": order.credit_check_decided_at,
                    "note": order.credit_check_note,
                }
            )
        if order.completed_at:
            steps.append(
                {
                    "label": order.get_status_display(),
                    "time": order.completed_at,
                    "note": order.completed_notice or order.failure_reason,
                    "failed": order.status in FAILED_STEPS,
                }
            )
        return steps
    labels = {
        "pending": _("Order placed"),
        "awaiting_credit_check": _("Waiting for a credit check"),
        "in_progress": _("Upgrade started"),
        "declined": _("Credit check declined: nothing was changed"),
        "failed": _("Upgrade failed: nothing was changed"),
    }
    for change in history(operation):
        if change.to_status == "succeeded":
            result = operation.result or {}
            target = order.target_offer.name
            for label in (
                _("Bought %(offer)s × %(count)s") % {"offer": target, "count": order.quantity},
                _("Moved %(count)s users to %(offer)s") % {"count": result.get("licensesMoved", 0), "offer": target},
                add_ons_label(len(result.get("addOnsMoved", [])), len(result.get("addOnsRemoved", []))),
                *(item["reason"] for item in result.get("addOnsNotAllowed", [])),
                _("Cancelled %(offer)s") % {"offer": order.source.offer.name if order.source else ""},
                _("Billing switched over with a prorated credit of %(credit)s %(currency)s")
                % {"credit": order.credit, "currency": order.currency},
            ):
                steps.append({"label": label, "time": change.at, "note": ""})
            continue
        steps.append(
            {
                "label": labels.get(change.to_status, change.to_status),
                "time": change.at,
                "note": change.reason,
                "failed": change.to_status in FAILED_STEPS,
            }
        )
    return steps


FAILED_STEPS = ("declined", "failed")


def add_ons_label(moved: int, removed: int) -> str:
    """``Moved 2 add-ons, removed 1 included add-on`` with each count's own plural."""
    return _("%(moved)s, %(removed)s") % {
        "moved": ngettext("Moved %(count)s add-on", "Moved %(count)s add-ons", moved) % {"count": moved},
        "removed": ngettext("removed %(count)s included add-on", "removed %(count)s included add-ons", removed)
        % {"count": removed},
    }
