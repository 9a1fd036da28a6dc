"""Reads of upgrade batches, scoped to the acting partner, and bulk eligibility.

A batch belongs to the partner of whoever created it: every user and application of that partner may read it;
another partner's batch answers ``NotFound`` (never reveal that it exists). Operators see every batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError, InvalidInput, NotFound
from core.scoping import register, visible_to
from customers.selectors import acting_partner_id
from partners.roles import Capability, require
from subscriptions.selectors import subscriptions_visible_to
from upgrades.eligibility.context import subscription_not_found
from upgrades.selectors import upgrade_options_for_many

from .models import ItemKind, ItemStatus, UpgradeBatch, UpgradeBatchItem

MAX_ELIGIBILITY_SUBSCRIPTIONS = 500


def upgrade_batches_scope(actor) -> QuerySet[UpgradeBatch]:
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return UpgradeBatch.objects.none()
    return UpgradeBatch.objects.filter(partner_id=partner_id)


def upgrade_batches_visible_to(actor) -> QuerySet[UpgradeBatch]:
    """The acting partner's batches (operators: all; the registry's bypass)."""
    return visible_to(UpgradeBatch, actor)


def register_scopes() -> None:
    register(UpgradeBatch, upgrade_batches_scope)


def upgrade_batch_for(actor, *, batch_id) -> UpgradeBatch:
    """One batch inside the actor's scope; ``NotFound`` otherwise."""
    batch = upgrade_batches_visible_to(actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("Upgrade batch %(id)s was not found.") % {"id": batch_id}, field="batchId")
    return batch


def _status_counts(prefix: str = "") -> dict:
    counts = {"total": Count(f"{prefix}pk")}
    for status in ItemStatus.values:
        counts[status] = Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": status}))
    return counts


def item_status_counts(*, batch_id) -> dict[str, int]:
    """``{"total": n, "pending": n, "running": n, ...}`` of a batch in ONE aggregate query."""
    return UpgradeBatchItem.objects.filter(batch_id=batch_id).aggregate(**_status_counts())


def batch_progress(counts: dict[str, int]) -> dict[str, int]:
    """The ``progress`` object of the API (``pending`` counts items not started yet)."""
    return {
        "total": counts["total"],
        "pending": counts[ItemStatus.PENDING],
        "running": counts[ItemStatus.RUNNING],
        "succeeded": counts[ItemStatus.SUCCEEDED],
        "failed": counts[ItemStatus.FAILED],
        "skipped": counts[ItemStatus.SKIPPED],
        "cancelled": counts[ItemStatus.CANCELLED],
    }


def upgrade_batch_with_progress(actor, *, batch_id) -> UpgradeBatch:
    """The batch (1 query) with ``.progress`` computed by one aggregate query."""
    batch = upgrade_batch_for(actor, batch_id=batch_id)
    batch.progress = batch_progress(item_status_counts(batch_id=batch.pk))
    return batch


def upgrade_batch_list_for(actor) -> QuerySet[UpgradeBatch]:
    """The actor's batches, newest first, each annotated with its item counts (one query per page)."""
    return (
        upgrade_batches_visible_to(actor)
        .annotate(**{f"n_{name}": expr for name, expr in _status_counts("items__").items()})
        .annotate(**{f"k_{kind}": Count("items__pk", filter=Q(items__kind=kind)) for kind in ItemKind.values})
        .order_by("-created", "pk")
    )


def kinds_of_annotated(batch: UpgradeBatch) -> list[str]:
    """The item kinds a listed batch holds (``upgrade_batch_list_for``'s annotations), in ``ItemKind`` order."""
    return [kind for kind in ItemKind.values if getattr(batch, f"k_{kind}", 0)]


def progress_of_annotated(batch: UpgradeBatch) -> dict[str, int]:
    return batch_progress({name: getattr(batch, f"n_{name}") for name in ["total", *ItemStatus.values]})


def upgrade_batch_items(batch: UpgradeBatch, *, status: str | None = None) -> QuerySet[UpgradeBatchItem]:
    """A batch's items in request order (``batch`` from ``upgrade_batch_for``), optionally one status."""
    queryset = UpgradeBatchItem.objects.filter(batch_id=batch.pk).order_by("position")
    return queryset.filter(status=status) if status else queryset


# -- bulk eligibility ---------------------------------------------------------------------------------------


@dataclass
class SubscriptionEligibility:
    """The upgrade options of one requested subscription, or why there are none (``error``)."""

    customer_tenant_id: uuid.UUID
    subscription_id: uuid.UUID
    options: list = field(default_factory=list)
    error: DomainError | None = None


def upgrade_eligibility_for_many(
    *, actor, subscriptions: Sequence[tuple[uuid.UUID, uuid.UUID]], billing_cycle: str | None = None
) -> list[SubscriptionEligibility]:
    """For each ``(customer tenant id, subscription id)``: its upgrade options (one per matrix target), in
    request order. Out of scope → a per-item ``NotFound``. Cost: one scope query, then ONE batch context load
    for the whole request (``upgrades.selectors.upgrade_options_for_many``): the same number of queries for
    1 and 500 subscriptions. A subscription listed twice is evaluated once."""
    require(actor, Capability.UPGRADE)
    if len(subscriptions) > MAX_ELIGIBILITY_SUBSCRIPTIONS:
        raise InvalidInput(
            _("must hold at most %(max)d subscriptions.") % {"max": MAX_ELIGIBILITY_SUBSCRIPTIONS},
            field="subscriptions",
        )
    wanted = {subscription_id for _customer, subscription_id in subscriptions}
    in_scope = set(subscriptions_visible_to(actor).filter(pk__in=wanted).values_list("pk", "customer__tenant_id"))
    visible_ids = {subscription_id for subscription_id, _customer in in_scope}
    options = (
        upgrade_options_for_many(actor=actor, subscriptions=visible_ids, billing_cycle=billing_cycle)
        if visible_ids
        else {}
    )
    entries = []
    for customer_id, subscription_id in subscriptions:
        entry = SubscriptionEligibility(customer_tenant_id=customer_id, subscription_id=subscription_id)
        if (subscription_id, customer_id) not in in_scope:
            entry.error = NotFound(
                _("Subscription %(id)s of customer %(customer)s was not found.")
                % {"id": subscription_id, "customer": customer_id},
                field="subscriptionId",
            )
        elif subscription_id in options:
            entry.options = options[subscription_id]
        else:  # visible, but not sold through this partner's CSP channel: not upgradable here
            entry.error = subscription_not_found(subscription_id)
        entries.append(entry)
    return entries
