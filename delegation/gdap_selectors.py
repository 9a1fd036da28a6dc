"""Reads for the GDAP pages and API (scoped like every other read: another partner's row is not found)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from customers.models import CustomerAdminRole, CustomerAdminRoleName
from customers.selectors import acting_partner_id

from .models import DapGrant, GdapAccessAssignment, GdapRelationship


def relationships_visible_to(actor) -> QuerySet[GdapRelationship]:
    """The acting partner's relationships (operators: all); customer admins use ``relationships_for_customer_admin``."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return GdapRelationship.objects.none()
    queryset = GdapRelationship.objects.select_related("customer", "partner")
    if getattr(actor, "is_superuser", False):
        return queryset
    partner_id = acting_partner_id(actor)
    return queryset.filter(partner_id=partner_id) if partner_id else GdapRelationship.objects.none()


def relationship_detail_for(actor, relationship_id) -> GdapRelationship:
    """One relationship with its assignments and groups; raises ``GdapRelationship.DoesNotExist`` outside scope."""
    return (
        relationships_visible_to(actor)
        .prefetch_related(
            Prefetch(
                "access_assignments",
                queryset=GdapAccessAssignment.objects.select_related("group").order_by("group__name"),
            )
        )
        .get(pk=relationship_id)
    )


def assignments_of(relationship) -> QuerySet[GdapAccessAssignment]:
    return relationship.access_assignments.select_related("group").order_by("group__name")


def global_admin_customer_ids(actor) -> QuerySet:
    if actor is None or not getattr(actor, "is_authenticated", False) or getattr(actor, "is_application", False):
        return CustomerAdminRole.objects.none().values("customer_id")
    return CustomerAdminRole.objects.filter(user_id=actor.pk, role=CustomerAdminRoleName.GLOBAL_ADMINISTRATOR).values(
        "customer_id"
    )


def relationships_for_customer_admin(actor) -> QuerySet[GdapRelationship]:
    """Relationships of the tenants where the actor is a global administrator (the customer's own pages)."""
    if getattr(actor, "is_superuser", False):
        return GdapRelationship.objects.select_related("customer", "partner")
    return GdapRelationship.objects.filter(customer_id__in=global_admin_customer_ids(actor)).select_related(
        "customer", "partner"
    )


def dap_grants_for_customer_admin(actor) -> QuerySet[DapGrant]:
    queryset = DapGrant.objects.select_related("customer", "partner").order_by(
        "customer__company_name", "partner__name"
    )
    if getattr(actor, "is_superuser", False):
        return queryset
    return queryset.filter(customer_id__in=global_admin_customer_ids(actor))
