"""Scoping: which customers an actor may see or act in. Every read of customer data starts here.

Both scopes read guardian's direct foreign-key permission tables (``CustomerGroupObjectPermission``,
``CustomerUserObjectPermission``), which ``delegation.grants`` keeps in step with reseller relationships,
DAP, GDAP access assignments and customer admin roles. Each returns a queryset built on ONE ``pk__in``
subquery, so the cost is one query whatever the number of customers, and the result composes with further
filters, ``select_related`` and pagination. (guardian's ``get_objects_for_user`` is kept off these hot paths.)
"""

from __future__ import annotations

from django.db.models import QuerySet

from core.actors import acting_partner_id
from core.scoping import is_signed_in, register, visible_to

from .models import (
    Customer,
    CustomerAdminRole,
    CustomerGroupObjectPermission,
    CustomerUserObjectPermission,
    ResellerRelationship,
    TenantUser,
)

VIEW = "view_customer"
MANAGE = "manage_customer"
TRANSFER = "transfer_licenses"
_PERM = {"permission__content_type__app_label": "customers", "permission__content_type__model": "customer"}


def _partner_prefix(partner_id: int) -> str:
    return f"partner:{partner_id}:"


def customers_visible_to(actor) -> QuerySet[Customer]:
    """Customers the actor may read (the registry's ``Customer`` scope):

    - platform operators: every customer (the registry's bypass);
    - partner users and application tokens: customers with a reseller or advisor relationship to their partner
      (``view_customer`` held by the partner's users group);
    - customer tenant admins: their own tenant(s) (``view_customer`` held by the user);
    - anybody else: nothing.
    """
    return visible_to(Customer, actor)


def customers_scope(actor) -> QuerySet[Customer]:
    """The registered ``Customer`` scope of a signed-in non-operator (see :func:`customers_visible_to`)."""
    partner_id = acting_partner_id(actor)
    if partner_id is not None:
        granted = CustomerGroupObjectPermission.objects.filter(
            group__name=f"{_partner_prefix(partner_id)}users",
            permission__codename=VIEW,
            **_PERM,
        ).values("content_object_id")
        return Customer.objects.filter(pk__in=granted)
    own = CustomerUserObjectPermission.objects.filter(user_id=actor.pk, permission__codename=VIEW, **_PERM).values(
        "content_object_id"
    )
    return Customer.objects.filter(pk__in=own)


def _delegated(actor, codename: str) -> QuerySet[Customer]:
    if not is_signed_in(actor):
        return Customer.objects.none()
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return Customer.objects.none()
    granted = CustomerGroupObjectPermission.objects.filter(
        group__name__startswith=f"{_partner_prefix(partner_id)}sg:", permission__codename=codename, **_PERM
    )
    if not getattr(actor, "is_application", False):
        # A user acts through the security groups they belong to; an application acts for the whole partner.
        granted = granted.filter(group__user=actor.pk)
    return Customer.objects.filter(pk__in=granted.values("content_object_id"))


def customers_manageable_scope(actor) -> QuerySet[Customer]:
    return _delegated(actor, MANAGE)


def customers_transferable_scope(actor) -> QuerySet[Customer]:
    return _delegated(actor, TRANSFER)


def customers_manageable_by(actor) -> QuerySet[Customer]:
    """Customers the actor may act in through delegated admin (DAP on, or an active GDAP access assignment of a
    group they belong to): guardian ``manage_customer`` held by one of their groups. Operators: all."""
    return visible_to(Customer, actor, purpose=MANAGE)


def customers_license_transferable_by(actor) -> QuerySet[Customer]:
    """Customers where one of the actor's groups holds a license-writing delegated role (``transfer_licenses``:
    DAP Admin Agents, or GDAP Directory Writers / License / User / Global Administrator)."""
    return visible_to(Customer, actor, purpose=TRANSFER)


def reseller_relationships_scope(actor) -> QuerySet[ResellerRelationship]:
    """Relationships of the customers the actor sees."""
    return ResellerRelationship.objects.filter(customer__in=customers_visible_to(actor))


def customer_admin_roles_scope(actor) -> QuerySet[CustomerAdminRole]:
    return CustomerAdminRole.objects.filter(customer__in=customers_visible_to(actor))


def tenant_users_scope(actor) -> QuerySet[TenantUser]:
    return TenantUser.objects.filter(customer__in=customers_visible_to(actor))


def tenant_users_visible_to(actor) -> QuerySet[TenantUser]:
    return visible_to(TenantUser, actor)


def register_scopes() -> None:
    """The customers app's entries in the scoping registry (called from ``CustomersConfig.ready``)."""
    register(Customer, customers_scope)
    register(Customer, customers_manageable_scope, purpose=MANAGE)
    register(Customer, customers_transferable_scope, purpose=TRANSFER)
    register(ResellerRelationship, reseller_relationships_scope)
    register(CustomerAdminRole, customer_admin_roles_scope)
    register(TenantUser, tenant_users_scope)


def customer_for(actor, *, tenant_id) -> Customer:
    """One customer by tenant id inside the actor's scope; raises ``Customer.DoesNotExist`` (→ 404) otherwise."""
    return customers_visible_to(actor).get(tenant_id=tenant_id)
