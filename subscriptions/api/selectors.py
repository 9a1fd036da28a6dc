"""Reads of the subscriptions /v1/ endpoints."""

from __future__ import annotations

from django.db.models import QuerySet

from subscriptions.models import LicenseAssignment
from subscriptions.selectors import assignments_visible_to


def licenses_for_api(actor, *, tenant_user) -> QuerySet[LicenseAssignment]:
    """A user's licenses in the subscriptions the actor may see."""
    return (
        assignments_visible_to(actor)
        .filter(user=tenant_user)
        .select_related("subscription__offer")
        .prefetch_related("subscription__offer__service_plans")
        .order_by("assigned", "pk")
    )
