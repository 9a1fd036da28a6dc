"""Policies of the upgrades app that adapters (the wizard, the API) ask instead of deciding themselves.

- :func:`upgradable_subscriptions` / :func:`is_upgradable`: what an actor may upgrade (visible to it and sold
  through a managed CSP partner: ``Subscription.sold_by``), as a queryset and for a loaded row;
- :func:`runs_in_background`: whether an upgrade of this size runs in a Celery task rather than in the request
  (``UPGRADE_BACKGROUND_ASSIGNED_USERS`` assigned users, 1000 unless set);
- :func:`prefers_respond_async`: whether an API caller asked for an asynchronous answer (RFC 7240
  ``Prefer: respond-async``); Partner Center's SDK never sends it and keeps its synchronous ``UpgradeResult``.
"""

from __future__ import annotations

from django.conf import settings

from subscriptions.models import LicenseAssignment, Subscription, SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to

DEFAULT_BACKGROUND_ASSIGNED_USERS = 1000
RESPOND_ASYNC = "respond-async"


def upgradable_subscriptions(actor):
    """What the actor may upgrade: visible to it AND sold through a managed CSP partner (its own one)."""
    return subscriptions_visible_to(actor).sold_by()


def is_upgradable(subscription: Subscription) -> bool:
    """A loaded row (already in the actor's scope) that an upgrade can start from: sold through a managed CSP
    partner and not cancelled (``deleted``: nothing left to upgrade)."""
    return subscription.is_sold_by() and subscription.status != SubscriptionStatus.DELETED


def background_threshold() -> int:
    """More assigned users than this: the upgrade runs in the background."""
    return int(getattr(settings, "UPGRADE_BACKGROUND_ASSIGNED_USERS", DEFAULT_BACKGROUND_ASSIGNED_USERS))


def assigned_users(subscription: Subscription) -> int:
    """The subscription's assigned licenses (the ``assigned_count`` annotation when loaded, else one COUNT)."""
    annotated = getattr(subscription, "assigned_count", None)
    if annotated is not None:
        return int(annotated)
    return LicenseAssignment.objects.filter(subscription_id=subscription.pk).count()


def runs_in_background(*, subscription: Subscription | None = None, assigned: int | None = None) -> bool:
    """Whether an upgrade of ``subscription`` (or of a source with ``assigned`` users) runs in a Celery task."""
    if assigned is None:
        if subscription is None:
            raise TypeError("runs_in_background needs a subscription or an assigned count")
        assigned = assigned_users(subscription)
    return assigned > background_threshold()


def prefers_respond_async(prefer_header: str | None) -> bool:
    """RFC 7240: the ``Prefer`` header (comma-separated preferences, ``;`` parameters, names case-insensitive)
    holds ``respond-async``."""
    for preference in (prefer_header or "").split(","):
        name = preference.split(";", 1)[0].split("=", 1)[0].strip().lower()
        if name == RESPOND_ASYNC:
            return True
    return False
