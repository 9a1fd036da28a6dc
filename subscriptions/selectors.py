"""Scoping for subscriptions and license assignments (built on ``customers.selectors``)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from customers.selectors import acting_partner_id, customers_visible_to

from .models import LicenseAssignment, Subscription


def subscriptions_visible_to(actor) -> QuerySet[Subscription]:
    """Subscriptions the actor may read.

    A partner sees, inside its customers, only the subscriptions it sold itself (channel ``csp`` through
    this partner): another channel's subscription is a multichannel case it cannot act on (domain.md §5).
    Customer admins see every subscription of their tenant; operators see everything.
    """
    queryset = Subscription.objects.filter(customer__in=customers_visible_to(actor))
    if getattr(actor, "is_superuser", False):
        return queryset
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


def assignments_visible_to(actor) -> QuerySet[LicenseAssignment]:
    return LicenseAssignment.objects.filter(subscription__in=subscriptions_visible_to(actor))
