"""Reads behind a subscription's page (``portal.subscription_views``), all through the scoping selectors.

Each costs one query whatever the number of seats, operations or audit records: the page's cost is fixed.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from audit.models import AuditRecord
from audit.selectors import audit_records_visible_to
from subscriptions.models import LicenseAssignment, Subscription
from subscriptions.selectors import assignments_visible_to, subscriptions_visible_to
from upgrades.models import UpgradeOperation
from upgrades.selectors import upgrade_operations_visible_to

ASSIGNMENTS_SHOWN = 200  # the page lists this many assigned users (the total is always shown)
AUDIT_RECORDS_SHOWN = 50


def subscription_detail_for(actor, customer, *, subscription_id) -> Subscription:
    """One subscription of ``customer`` visible to the actor, with its offer, partner and assigned count;
    ``Subscription.DoesNotExist`` (→ 404) otherwise."""
    return (
        subscriptions_visible_to(actor)
        .filter(customer=customer)
        .select_related("offer", "partner", "customer", "parent__offer")
        .annotate(assigned_count=Count("assignments"))
        .get(pk=subscription_id)
    )


def assignments_of_subscription(actor, subscription, *, limit: int = ASSIGNMENTS_SHOWN) -> list[LicenseAssignment]:
    """The first ``limit`` users holding a license of ``subscription``, by user principal name."""
    return list(
        assignments_visible_to(actor)
        .filter(subscription=subscription)
        .select_related("user")
        .order_by("user__user_principal_name", "pk")[:limit]
    )


def upgrade_operations_of_subscription(actor, subscription) -> QuerySet[UpgradeOperation]:
    """The upgrade operations from or to ``subscription``, newest first."""
    return (
        upgrade_operations_visible_to(actor)
        .filter(Q(source=subscription) | Q(target=subscription))
        .select_related("source__offer", "target_offer", "target")
        .order_by("-created", "pk")
    )


def audit_records_about_subscription(actor, subscription, *, limit: int = AUDIT_RECORDS_SHOWN) -> list[AuditRecord]:
    """The newest audit records naming ``subscription`` (``id`` of an update, ``subscriptionId`` of an upgrade or
    license move, as the old or the new value)."""
    key = str(subscription.pk)
    about = (
        Q(resource_old_value__id=key)
        | Q(resource_new_value__id=key)
        | Q(resource_old_value__subscriptionId=key)
        | Q(resource_new_value__subscriptionId=key)
    )
    return list(
        audit_records_visible_to(actor)
        .filter(customer_id=subscription.customer_id)
        .filter(about)
        .order_by("-operation_date", "pk")[:limit]
    )
