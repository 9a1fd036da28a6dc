"""Scoping: which customers an actor may see. Every read of customer data starts here.

Returns querysets built on a ``pk__in`` subquery, so the cost is one query whatever the number of
customers, and the result composes with further filters, ``select_related`` and pagination.
"""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Customer, CustomerAdminRole, RelationshipToPartner, ResellerRelationship


def acting_partner_id(actor) -> int | None:
    """The partner an actor works for (user or application), or None."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if getattr(actor, "is_application", False):
        return actor.partner.pk
    return getattr(actor, "partner_id", None)


def customers_visible_to(actor) -> QuerySet[Customer]:
    """Customers the actor may read.

    - platform operators (superusers): every customer;
    - partner users and application tokens: customers with a reseller or advisor relationship to their partner;
    - customer tenant admins: their own tenant(s);
    - anybody else: nothing.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return Customer.objects.none()
    if actor.is_superuser:
        return Customer.objects.all()
    partner_id = acting_partner_id(actor)
    if partner_id is not None:
        related = (ResellerRelationship.objects.filter(partner_id=partner_id)
                   .exclude(relationship=RelationshipToPartner.NONE).values("customer_id"))
        return Customer.objects.filter(pk__in=related)
    admin_of = CustomerAdminRole.objects.filter(user_id=actor.pk).values("customer_id")
    return Customer.objects.filter(pk__in=admin_of)


def customer_for(actor, *, tenant_id) -> Customer:
    """One customer by tenant id inside the actor's scope; raises ``Customer.DoesNotExist`` (→ 404) otherwise."""
    return customers_visible_to(actor).get(tenant_id=tenant_id)
