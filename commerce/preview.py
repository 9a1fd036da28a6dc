"""What a transition would do, before it is made (domain.md §8): the portal's review step.

The preview runs the service's own steps (``commerce.services``: parse, resolve, lock and re-check, plan, the
target's term and billing) and stops before any write, so the review shows exactly what the submit will do and
refuses exactly what it would refuse (``InvalidInput`` naming the field, ``TransitionNotEligible``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from customers.models import TenantUser
from subscriptions.models import LicenseAssignment

from .billing import TransitionBilling
from .services import (
    Plan,
    locked_plan,
    moving_users,
    parse_transition_request,
    plan_billing,
    target_term,
)


@dataclass(frozen=True)
class TransitionPreview:
    plan: Plan
    billing: TransitionBilling
    currency: str
    target_currency: str
    target_end: date | None
    moving_users: tuple[TenantUser, ...]  # license transfer only: the users whose licenses would move
    assigned_users: int
    removed_scheduled_changes: dict | None  # the source's scheduled changes the transition deletes

    @property
    def seats_left(self) -> int:
        return self.plan.source.quantity - self.plan.quantity

    @property
    def net(self):
        """Credit + charge when both are in one currency, else None."""
        if self.currency != self.target_currency:
            return None
        return self.billing.credit.amount + self.billing.charge.amount


def users_moving(plan: Plan) -> tuple[TenantUser, ...]:
    """The users :func:`commerce.services.moving_users` picks (one query), in the order they are listed."""
    if not plan.transfer:
        return ()
    chosen = moving_users(plan)
    users = TenantUser.objects.filter(licenses__subscription_id=plan.source.pk)
    if chosen is not None:
        users = users.filter(pk__in=chosen)
    return tuple(users.order_by("user_principal_name", "pk"))


def transition_preview(
    *, actor, subscription_id, customer_tenant_id, today: date | None = None, **fields
) -> TransitionPreview:
    """The plan, billing and moving users of ``subscription_transition`` with these arguments (``fields``: those
    of ``parse_transition_request``); writes nothing.

    The rows are locked (NOWAIT) only for the check's transaction, as the submit locks them."""
    today = today or timezone.localdate()
    request = parse_transition_request(**fields)
    with transaction.atomic():
        loaded, plan = locked_plan(
            actor=actor, subscription_id=subscription_id, request=request, customer_tenant_id=customer_tenant_id
        )
        target_offer_id = plan.target_offer_id
        end, anchor = target_term(plan, today=today)
        source = plan.source
        return TransitionPreview(
            plan=plan,
            billing=plan_billing(plan, anchor=anchor, today=today),
            currency=source.offer.currency,
            target_currency=loaded.legacy.offers[target_offer_id].currency,
            target_end=end,
            moving_users=users_moving(plan),
            assigned_users=LicenseAssignment.objects.filter(subscription_id=source.pk).count(),
            removed_scheduled_changes=source.scheduled_next_term_instructions,
        )
