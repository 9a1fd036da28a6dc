"""Reads of new commerce (domain.md §8): transition eligibility of one subscription.

Partner Center's "Get transition eligibilities":
https://learn.microsoft.com/en-us/partner-center/developer/transition-a-new-commerce-subscription
"""

from __future__ import annotations

import uuid

from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import TermDuration
from core.errors import InvalidInput
from core.scoping import register, visible_to
from subscriptions.selectors import subscriptions_visible_to

from .context import load_transition_context, subscription_not_found
from .models import Transition
from .rules import evaluate
from .types import EligibilityType, TransitionEligibility


def parse_eligibility_type(value) -> str:
    """``immediate`` or ``scheduled`` (case-insensitive, as Partner Center's enums); else a 400 naming the field.

    Missing or empty: ``immediate`` (Partner Center documents the path without the parameter too).
    """
    if value is None or value == "":
        return EligibilityType.IMMEDIATE
    text = str(value).strip().lower()
    if text not in EligibilityType.ALL:
        raise InvalidInput(
            _("must be one of: %(values)s.") % {"values": ", ".join(EligibilityType.ALL)}, field="eligibilityType"
        )
    return text


def parse_term_duration(value) -> str | None:
    """An optional ``termDuration`` (P1M, P1Y, P3Y); empty = the source's term."""
    if value in (None, ""):
        return None
    text = str(value).strip().upper()
    if text not in TermDuration.values:
        raise InvalidInput(
            _("must be one of: %(values)s.") % {"values": ", ".join(TermDuration.values)}, field="termDuration"
        )
    return text


def transition_eligibilities_for(
    *, actor, customer_tenant_id, subscription_id, eligibility_type, term_duration=None
) -> list[TransitionEligibility]:
    """One item per target catalog item (higher offers; for ``scheduled`` lower ones too), each with both
    transition types and, for ``immediate``, the customer's subscriptions of the target as merge targets.

    Scoped: a subscription outside the actor's upgradable scope, or not of that customer, is ``NotFound``.
    Fixed query count (``commerce.context``).
    """
    eligibility_type = parse_eligibility_type(eligibility_type)
    term_duration = parse_term_duration(term_duration)
    loaded = load_transition_context(actor=actor, subscription_id=subscription_id, term_duration=term_duration)
    try:
        tenant_id = uuid.UUID(str(customer_tenant_id))
    except (TypeError, ValueError, AttributeError):
        tenant_id = None
    if loaded.subscription.customer.tenant_id != tenant_id:
        raise subscription_not_found(subscription_id)
    return evaluate(loaded.ctx, eligibility_type)


def transitions_scope(actor):
    """Transitions of subscriptions the actor may read (the registry adds the operator's bypass)."""
    return Transition.objects.filter(source__in=subscriptions_visible_to(actor))


def register_scopes() -> None:
    register(Transition, transitions_scope)


def transitions_of(*, actor, subscription) -> list[Transition]:
    """The transitions of ``subscription`` as source or target, newest first, read through the actor's scope;
    one query."""
    return list(
        visible_to(Transition, actor).filter(Q(source=subscription) | Q(target=subscription)).order_by("-created", "id")
    )


def transition_for(*, actor, transition_id) -> Transition:
    """One transition through the actor's scope (``Transition.DoesNotExist`` outside it), with its source, target
    and customer; one query."""
    return (
        visible_to(Transition, actor)
        .select_related("source__offer", "target__offer", "target_offer", "customer")
        .get(pk=transition_id)
    )
