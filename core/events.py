"""Domain events: what happened, told to whoever listens above (the ``webhooks`` app), after the commit.

The services of the lower apps (upgrades, commerce, subscriptions, bulk, delegation, direct) call ``emit`` at the
moment something happened; nothing is sent unless and until their transaction commits (a rolled-back change
sends nothing). ``emit_lazy`` takes a builder run only after the commit, so the emitting transaction pays no
query for it. Listeners connect to ``domain_event`` (``sender=DomainEvent``, keyword ``event``); a listener that
fails is logged and never undoes the committed change (``send_robust``).

The lower apps import only this module: they know no listener (the layering keeps ``webhooks`` above them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

domain_event = Signal()

# The event names ({resource}-{action}; Partner Center's where it has one: subscription-updated, test-created,
# granular-admin-relationship-approved / -expired). ``webhooks.rules.EVENT_TYPES`` describes each one.
SUBSCRIPTION_UPGRADED = "subscription-upgraded"
SUBSCRIPTION_TRANSITIONED = "subscription-transitioned"
SUBSCRIPTION_UPDATED = "subscription-updated"
UPGRADE_BATCH_FINISHED = "upgrade-batch-finished"
APPROVAL_REQUESTED = "approval-requested"
GDAP_APPROVED = "granular-admin-relationship-approved"
GDAP_EXPIRING = "granular-admin-relationship-expiring"
GDAP_EXPIRED = "granular-admin-relationship-expired"
CREDIT_CHECK_DECIDED = "credit-check-decided"
TEST_CREATED = "test-created"


@dataclass(frozen=True)
class DomainEvent:
    """One happening. ``name``: ``{resource}-{action}`` (Partner Center's event names); ``partner_ids``: the
    partners told (empty: nobody); ``resource_uri``: the /v1/ (or portal) path of the resource now;
    ``resource_name``: its type; ``audit_id``: the audit record, when one was written."""

    name: str
    partner_ids: tuple[int, ...]
    resource_uri: str
    resource_name: str
    payload: dict[str, Any] = field(default_factory=dict)
    audit_id: str | None = None


def send_now(event: DomainEvent | None) -> None:
    if event is None or not event.partner_ids:
        return
    for receiver, result in domain_event.send_robust(sender=DomainEvent, event=event):
        if isinstance(result, Exception):
            logger.error("domain event %s: listener %r failed", event.name, receiver, exc_info=result)


def emit_lazy(build: Callable[[], DomainEvent | None]) -> None:
    """Once the current transaction commits (at once outside one): ``build()`` and tell the listeners."""
    transaction.on_commit(lambda: send_now(build()))


def emit(
    name: str,
    *,
    partner_id: int | None,
    resource_uri: str,
    resource_name: str,
    payload: dict[str, Any] | None = None,
    audit_id: Any = None,
) -> None:
    """``name`` happened to a resource of ``partner_id`` (None: no partner to tell, nothing is sent)."""
    if partner_id is None:
        return
    event = DomainEvent(
        name=name,
        partner_ids=(partner_id,),
        resource_uri=resource_uri,
        resource_name=resource_name,
        payload=dict(payload or {}),
        audit_id=str(audit_id) if audit_id else None,
    )
    transaction.on_commit(lambda: send_now(event))
