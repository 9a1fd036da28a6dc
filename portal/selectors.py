"""Reads behind the portal pages, built on the scoping selectors (every row comes through them).

Each page costs a fixed number of queries whatever the number of customers or subscriptions and whichever page:
lists paginate bare, indexed, ordered rows; counts, the partner's relationship and delegated access are read
for the page's rows only, in one query each.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from catalog.models import ServiceFamily
from customers.models import Customer, ResellerRelationship
from customers.selectors import acting_partner_id, customers_visible_to
from delegation.models import DapGrant, GdapRelationship
from delegation.selectors import delegated_access_for
from subscriptions.models import Subscription, SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to
from upgrades.models import OPEN_STATUSES, OperationStatus, UpgradeOperation
from upgrades.policies import upgradable_subscriptions
from upgrades.selectors import upgrade_operations_visible_to


def customer_rows_for(actor, *, search: str = "") -> QuerySet[Customer]:
    """The actor's customers for the list page, by (company name, id) (index ``customer_name_id``), optionally
    filtered by company name or domain. Bare rows: paginate them, then :func:`customer_page_rows` adds what a
    row shows for the page's rows only, so the last page costs what the first costs."""
    queryset = customers_visible_to(actor)
    if search:
        queryset = queryset.filter(Q(company_name__icontains=search) | Q(domain__icontains=search))
    return queryset.order_by("company_name", "pk")


def customer_page_rows(actor, customers) -> list[Customer]:
    """Set on each row of one page ``subscription_count`` (the actor's visible, not cancelled subscriptions),
    ``relationship`` (this partner's relationship, None for an operator) and ``delegated_access``: four queries
    whatever the page (one for the counts, one for the relationships, two for delegated access)."""
    customers = list(customers)
    ids = [customer.pk for customer in customers]
    counts = (
        dict(
            subscriptions_visible_to(actor)
            .filter(customer_id__in=ids)
            .exclude(status=SubscriptionStatus.DELETED)
            .order_by()
            .values("customer_id")
            .annotate(total=Count("pk"))
            .values_list("customer_id", "total")
        )
        if ids
        else {}
    )
    partner_id = acting_partner_id(actor)
    relationships = {}
    if partner_id is not None and ids:
        relationships = dict(
            ResellerRelationship.objects.filter(partner_id=partner_id, customer_id__in=ids).values_list(
                "customer_id", "relationship"
            )
        )
    for customer in customers:
        customer.subscription_count = counts.get(customer.pk, 0)
        customer.relationship = relationships.get(customer.pk)
    return attach_delegated_access(actor, customers)


def attach_delegated_access(actor, customers) -> list[Customer]:
    """Set ``customer.delegated_access`` (a ``DelegatedAccess`` or None) on each row: two queries per page."""
    customers = list(customers)
    partner_id = acting_partner_id(actor)
    access = {}
    if partner_id is not None and customers:
        access = delegated_access_for(partner_id=partner_id, customer_ids=[c.pk for c in customers])
    for customer in customers:
        customer.delegated_access = access.get(customer.pk)
    return customers


def customer_delegation_for(actor, customer) -> dict:
    """The partner's delegated admin state with one customer: DAP grant, GDAP relationships, summary."""
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return {"access": None, "dap": None, "gdap": []}
    return {
        "access": getattr(attach_delegated_access(actor, [customer])[0], "delegated_access", None),
        "dap": DapGrant.objects.filter(partner_id=partner_id, customer=customer).first(),
        "gdap": list(
            GdapRelationship.objects.filter(partner_id=partner_id, customer=customer).order_by("-created_date_time")
        ),
    }


def partner_relationship_for(actor, customer) -> ResellerRelationship | None:
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return None
    return ResellerRelationship.objects.filter(partner_id=partner_id, customer=customer).first()


def upgradable_subscription_for(actor, customer, *, subscription_id) -> Subscription:
    """One subscription of ``customer`` the actor sold (channel csp through a managed partner), with its
    offer and partner, and its assigned-license count; ``Subscription.DoesNotExist`` (→ 404) otherwise."""
    return (
        upgradable_subscriptions(actor)
        .filter(customer=customer)
        .select_related("offer", "partner", "customer")
        .annotate(assigned_count=Count("assignments"))
        .get(pk=subscription_id)
    )


OPEN_FILTER = "open"


def upgrade_operation_rows_for(
    actor, *, status: str = "", target: str = "", search: str = ""
) -> QuerySet[UpgradeOperation]:
    """The "Upgrades" list: the actor's operations, newest first (index ``upgrade_op_created_id``), bare rows:
    paginate them, then :func:`upgrade_operation_page_rows` reads what a row shows for the page.

    ``status``: an operation status or ``open`` (every not-final one); ``target``: the target offer id; ``search``: customer name or domain, source or target offer name."""
    queryset = upgrade_operations_visible_to(actor)
    if status == OPEN_FILTER:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if target:
        queryset = queryset.filter(target_offer_id=target)
    if search:
        queryset = queryset.filter(
            Q(customer__company_name__icontains=search)
            | Q(customer__domain__icontains=search)
            | Q(source__offer__name__icontains=search)
            | Q(target_offer__name__icontains=search)
        )
    return queryset.order_by("-created", "pk")


def upgrade_operation_page_rows(actor, operations) -> list[UpgradeOperation]:
    """One page's operations (already read through the scope) with their source, offers and customer, in the
    page's order: one query whatever the page."""
    ids = [operation.pk for operation in operations]
    rows = (
        upgrade_operations_visible_to(actor)
        .filter(pk__in=ids)
        .select_related("source__offer", "target_offer", "customer", "target")
    )
    by_id = {row.pk: row for row in rows} if ids else {}
    return [by_id[pk] for pk in ids if pk in by_id]


def upgrade_target_choices_for(actor) -> list[tuple[str, str]]:
    """(offer id, name) of every target offer among the actor's operations, by name (one query)."""
    rows = (
        upgrade_operations_visible_to(actor).order_by().values_list("target_offer_id", "target_offer__name").distinct()
    )
    return sorted(rows, key=lambda row: (row[1], row[0]))


def upgrade_made_from(actor, source) -> UpgradeOperation | None:
    """The newest upgrade of ``source`` that succeeded or is still running (one query), else None."""
    return (
        upgrade_operations_visible_to(actor)
        .filter(source=source)
        .exclude(status__in=[OperationStatus.FAILED, OperationStatus.DECLINED])
        .order_by("-created", "pk")
        .first()
    )


def family_names() -> dict[str, str]:
    """Service family code → display name, to label the families listed in affected accounts (one query)."""
    return dict(ServiceFamily.objects.values_list("code", "name"))
