"""Scoping for subscriptions and license assignments (built on ``customers.selectors``)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from core.scoping import register, visible_to
from customers.selectors import acting_partner_id, customers_visible_to

from .models import LicenseAssignment, Subscription


def subscriptions_visible_to(actor) -> QuerySet[Subscription]:
    """Subscriptions the actor may read.

    A partner sees, inside its customers, only the subscriptions it sold itself (channel ``csp`` through
    this partner): another channel's subscription is a multichannel case it cannot act on (domain.md §5).
    Customer admins see every subscription of their tenant; operators see everything (the registry's bypass).
    """
    return visible_to(Subscription, actor)


def subscriptions_scope(actor) -> QuerySet[Subscription]:
    """The registered ``Subscription`` scope (see :func:`subscriptions_visible_to`)."""
    queryset = Subscription.objects.filter(customer__in=customers_visible_to(actor))
    partner_id = acting_partner_id(actor)
    if partner_id is not None:
        queryset = queryset.sold_by(partner_id)
    return queryset


def subscription_list_for_customer(actor, customer) -> QuerySet[Subscription]:
    """A customer page's rows: offer, seats, assigned count and channel, in one query."""
    return (
        subscriptions_visible_to(actor)
        .filter(customer=customer)
        .select_related("offer", "partner")
        .annotate(assigned_count=Count("assignments"))
        .order_by("offer__name", "created")
    )


def assignments_scope(actor) -> QuerySet[LicenseAssignment]:
    return LicenseAssignment.objects.filter(subscription__in=subscriptions_visible_to(actor))


def assignments_visible_to(actor) -> QuerySet[LicenseAssignment]:
    return visible_to(LicenseAssignment, actor)


def register_scopes() -> None:
    """The subscriptions app's entries in the scoping registry (called from ``SubscriptionsConfig.ready``)."""
    register(Subscription, subscriptions_scope)
    register(LicenseAssignment, assignments_scope)
