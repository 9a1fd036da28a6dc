"""Reads of the upgrades app: upgrade options of a subscription and the operations an actor may see.

Every function takes the actor first and scopes through ``subscriptions.selectors``: another partner's
subscription (or one this partner did not sell) answers ``NotFound``.

Code 7 (no upgrade path): :func:`upgrade_options_for` answers an EMPTY list for a source without matrix
rows (there is no target to build an option for); :func:`source_upgrade_errors` explains why (code 7 and any
other source-level reason), :func:`upgrade_option_for` answers an option carrying code 7, and
``services.subscription_upgrade`` raises ``UpgradeNotEligible`` with code 7.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.scoping import register, visible_to
from core.workflow import attach_history
from subscriptions.selectors import subscriptions_visible_to

from .eligibility.context import LoadedContext, load_context, load_contexts
from .eligibility.engine import evaluate, evaluate_all, source_errors
from .eligibility.types import UpgradeError, UpgradeOption
from .models import UpgradeOperation


def upgrade_options_for(*, actor, subscription, billing_cycle: str | None = None) -> list[UpgradeOption]:
    """One option per matrix target of the source's market (eligible or not), in matrix order.

    ``subscription``: a ``Subscription`` or its id. Fixed query count (see ``eligibility.context``).
    """
    loaded = load_context(actor=actor, subscription=subscription, billing_cycle=billing_cycle)
    return evaluate_all(loaded.ctx, target_offers=loaded.offers)


def upgrade_options_for_many(
    *, actor, subscriptions, billing_cycle: str | None = None
) -> dict[Any, list[UpgradeOption]]:
    """:func:`upgrade_options_for` of many subscriptions (instances or ids, any customers) in ONE batch load.

    Keyed by subscription id; a subscription the actor may not upgrade gets no entry (answer it with
    ``eligibility.context.subscription_not_found``). Fixed query count whatever the number of subscriptions.
    """
    loaded = load_contexts(actor=actor, subscriptions=subscriptions, billing_cycle=billing_cycle)
    return {pk: evaluate_all(item.ctx, target_offers=item.offers) for pk, item in loaded.items()}


def upgrade_option_for(*, actor, subscription, target_offer_id: str, billing_cycle: str | None = None) -> UpgradeOption:
    """The option for one requested target; a target outside the matrix (or the catalog) carries code 8."""
    target_offer_id = str(target_offer_id or "")
    loaded = load_context(
        actor=actor, subscription=subscription, billing_cycle=billing_cycle, extra_target_ids=(target_offer_id,)
    )
    return upgrade_option_in(loaded, target_offer_id)


def upgrade_option_in(loaded: LoadedContext, target_offer_id: str) -> UpgradeOption:
    """The option for one target from an already loaded context (it must hold the target: ``extra_target_ids``)."""
    target_offer_id = str(target_offer_id or "")
    return evaluate(loaded.ctx, target_offer_id, target_offer=loaded.offers.get(target_offer_id))


def source_upgrade_errors(*, actor, subscription) -> tuple[UpgradeError, ...]:
    """Reasons that block every target of this subscription (empty when some target may be possible)."""
    return source_errors(load_context(actor=actor, subscription=subscription).ctx)


def upgrade_operations_scope(actor) -> QuerySet[UpgradeOperation]:
    return UpgradeOperation.objects.filter(source__in=subscriptions_visible_to(actor))


def upgrade_operations_visible_to(actor) -> QuerySet[UpgradeOperation]:
    """Operations on subscriptions the actor may read (operators: all; the registry's bypass)."""
    return visible_to(UpgradeOperation, actor)


def register_scopes() -> None:
    register(UpgradeOperation, upgrade_operations_scope)


def upgrade_operation_for(actor, *, operation_id, source=None) -> UpgradeOperation:
    """One operation (of ``source`` when given) with its subscriptions and history (``workflow_history``, kernel
    rows oldest first); ``UpgradeOperation.DoesNotExist`` (→ 404) otherwise."""
    queryset = upgrade_operations_visible_to(actor)
    if source is not None:
        queryset = queryset.filter(source=source)
    operation = (
        queryset.select_related("source__offer", "source__customer", "target__offer", "target_offer")
        .prefetch_related("billing_entries")
        .get(pk=operation_id)
    )
    attach_history([operation])
    return operation
