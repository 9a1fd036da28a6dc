"""Pluggable credit checks (``settings.CREDIT_CHECK_BACKEND``), domain.md §6 "Credit check".

A backend's ``start(order)`` returns a :class:`Decision` to decide at once, or ``None`` to leave the order
waiting (then an operator decides in the Django admin, or the deadline passes and it counts as declined).
Backends decide only; ``direct.services.credit_check_*`` apply the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from subscriptions.models import Subscription


@dataclass(frozen=True)
class Decision:
    approved: bool
    note: str = ""


class CreditCheckBackend:
    """Base class: every order waits for a decision."""

    def start(self, order) -> Decision | None:
        return None


class OperatorCreditCheck(CreditCheckBackend):
    """An operator approves or declines waiting orders in the Django admin (actions on Direct orders)."""


class AutomaticCreditCheck(CreditCheckBackend):
    """Demo backend: approves unless the tenant has an unpaid balance or the order exceeds
    ``settings.DIRECT_AUTOMATIC_CREDIT_LIMIT`` (default 50,000 in the order's currency)."""

    def start(self, order) -> Decision:
        limit = Decimal(str(getattr(settings, "DIRECT_AUTOMATIC_CREDIT_LIMIT", "50000.00")))
        unpaid = Subscription.objects.filter(customer_id=order.customer_id).aggregate(total=Sum("unpaid_balance"))[
            "total"
        ] or Decimal("0")
        if unpaid > 0:
            return Decision(False, _("Declined: the tenant has an unpaid balance of %(amount)s.") % {"amount": unpaid})
        if order.subtotal > limit:
            return Decision(
                False,
                _("Declined: the order total exceeds the automatic credit limit of %(limit)s.") % {"limit": limit},
            )
        return Decision(True, _("Approved automatically."))


def credit_check_backend() -> CreditCheckBackend:
    return import_string(settings.CREDIT_CHECK_BACKEND)()
