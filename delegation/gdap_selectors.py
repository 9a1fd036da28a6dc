"""Reads for the GDAP pages and API (scoped like every other read: another partner's row is not found)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from core.scoping import register, visible_to
from customers.models import CustomerAdminRole, CustomerAdminRoleName
from customers.selectors import acting_partner_id

from .models import DapGrant, GdapAccessAssignment, GdapRelationship

CUSTOMER_ADMIN = "customer_admin"  # the scope purpose of the customer's own pages (its global administrators)


def relationships_scope(actor) -> QuerySet[GdapRelationship]:
    partner_id = acting_partner_id(actor)
    return GdapRelationship.objects.filter(partner_id=partner_id) if partner_id else GdapRelationship.objects.none()


def dap_grants_scope(actor) -> QuerySet[DapGrant]:
    partner_id = acting_partner_id(actor)
    return DapGrant.objects.filter(partner_id=partner_id) if partner_id else DapGrant.objects.none()


def access_assignments_scope(actor) -> QuerySet[GdapAccessAssignment]:
    return GdapAccessAssignment.objects.filter(relationship__in=relationships_visible_to(actor))


def relationships_visible_to(actor) -> QuerySet[GdapRelationship]:
    """The acting partner's relationships (operators: all); customer admins use ``relationships_for_customer_admin``."""
    return visible_to(GdapRelationship, actor).select_related("customer", "partner")


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
    return visible_to(GdapRelationship, actor, purpose=CUSTOMER_ADMIN).select_related("customer", "partner")


def dap_grants_for_customer_admin(actor) -> QuerySet[DapGrant]:
    return (
        visible_to(DapGrant, actor, purpose=CUSTOMER_ADMIN)
        .select_related("customer", "partner")
        .order_by("customer__company_name", "partner__name")
    )


def relationships_of_customer_admin_scope(actor) -> QuerySet[GdapRelationship]:
    return GdapRelationship.objects.filter(customer_id__in=global_admin_customer_ids(actor))


def dap_grants_of_customer_admin_scope(actor) -> QuerySet[DapGrant]:
    return DapGrant.objects.filter(customer_id__in=global_admin_customer_ids(actor))


def register_scopes() -> None:
    """The delegation app's entries in the scoping registry (called from ``DelegationConfig.ready``)."""
    register(GdapRelationship, relationships_scope)
    register(DapGrant, dap_grants_scope)
    register(GdapAccessAssignment, access_assignments_scope)
    register(GdapRelationship, relationships_of_customer_admin_scope, purpose=CUSTOMER_ADMIN)
    register(DapGrant, dap_grants_of_customer_admin_scope, purpose=CUSTOMER_ADMIN)
