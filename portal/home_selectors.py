"""The figures of the partner home page (the dashboard at ``/``), read through the scoping selectors.

``dashboard_for`` costs a fixed number of aggregate queries whatever the size of the book: one count of the
customers, one GROUP BY of the subscriptions, one of the upgrade operations (open ones and the outcomes of those
finished in the last 30 days together), one count of the open batches and one read of the GDAP relationships ending soon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from bulk.models import OPEN_BATCH_STATUSES, BatchStatus
from bulk.selectors import upgrade_batches_visible_to
from customers.selectors import acting_partner_id, customers_visible_to
from delegation.selectors import relationships_ending_within
from subscriptions.models import SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to
from upgrades.models import OPEN_STATUSES, TERMINAL_STATUSES, OperationStatus
from upgrades.selectors import upgrade_operations_visible_to

from .approval_selectors import waiting_count

RECENT_DAYS = 30  # "upgrades of the last 30 days" and "GDAP relationships ending within 30 days"


@dataclass(frozen=True)
class Dashboard:
    """What the home page shows; every mapping is ``status value → count`` in the statuses' declared order."""

    customers: int
    subscriptions_by_status: dict[str, int] = field(default_factory=dict)
    upgrades_open_by_status: dict[str, int] = field(default_factory=dict)
    upgrades_recent_by_outcome: dict[str, int] = field(default_factory=dict)
    batches_in_progress: int = 0
    gdap_ending: int = 0
    pending_approvals: int = 0

    @property
    def subscriptions(self) -> int:
        return sum(self.subscriptions_by_status.values())

    @property
    def upgrades_in_progress(self) -> int:
        return sum(self.upgrades_open_by_status.values())

    @property
    def upgrades_recent(self) -> int:
        return sum(self.upgrades_recent_by_outcome.values())


def pending_approvals_for(actor) -> int:
    """The batches and upgrades of the actor's partner waiting for approval (domain.md §9; one query).
    ``dashboard_for`` counts them within its own queries."""
    return waiting_count(actor)


def _ordered(counts: dict[str, int], values) -> dict[str, int]:
    return {value: counts[value] for value in values if counts.get(value)}


def dashboard_for(actor, *, now=None) -> Dashboard:
    """The home page's figures for ``actor`` (a partner user or an operator): five queries at any book size."""
    now = now or timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    subscriptions = dict(
        subscriptions_visible_to(actor)
        .order_by()
        .values("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    open_counts: dict[str, int] = {}
    recent_counts: dict[str, int] = {}
    for row in (
        upgrade_operations_visible_to(actor)
        .order_by()
        .values("status")
        .annotate(total=Count("pk"), recent=Count("pk", filter=Q(completed__gte=since)))
    ):
        if row["status"] in OPEN_STATUSES:  # waiting for approval: its own figure, not "in progress"
            open_counts[row["status"]] = row["total"]
        elif row["recent"]:
            recent_counts[row["status"]] = row["recent"]
    waiting = BatchStatus.AWAITING_APPROVAL
    batches = upgrade_batches_visible_to(actor).aggregate(
        in_progress=Count("pk", filter=Q(status__in=OPEN_BATCH_STATUSES) & ~Q(status=waiting)),
        waiting=Count("pk", filter=Q(status=waiting)),
    )
    return Dashboard(
        customers=customers_visible_to(actor).count(),
        subscriptions_by_status=_ordered(subscriptions, SubscriptionStatus.values),
        upgrades_open_by_status=_ordered(
            open_counts, [s for s in OPEN_STATUSES if s != OperationStatus.AWAITING_APPROVAL]
        ),
        upgrades_recent_by_outcome=_ordered(recent_counts, TERMINAL_STATUSES),
        batches_in_progress=batches["in_progress"],
        gdap_ending=len(relationships_ending_within(acting_partner_id(actor), RECENT_DAYS, now=now)),
        # the waiting batches and upgrades (in the two counts above: no query of its own)
        pending_approvals=batches["waiting"] + open_counts.get(OperationStatus.AWAITING_APPROVAL, 0),
    )
