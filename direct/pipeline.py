"""Thin adapter over the shared operation pipeline (``upgrades.pipeline``) for direct orders.

A direct *upgrade* order owns one ``UpgradeOperation`` (flow ``direct``): its status moves (pending →
awaiting_credit_check → in_progress → succeeded, or → declined/failed) are the history the "Check upgrade
status" view shows, and CSP eligibility's ``concurrency_conflicts`` sees it. Purchases have no operation:
every function here is a no-op for them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.scoping import principal_of
from upgrades import pipeline as shared
from upgrades.models import OperationStatus, UpgradeFlow, UpgradeOperation, UpgradeType


def operation_open(*, actor, quote) -> UpgradeOperation:
    return shared.operation_create(
        flow=UpgradeFlow.DIRECT,
        source=quote.source,
        target_offer=quote.target,
        customer=quote.customer,
        actor_user=principal_of(actor) if getattr(actor, "pk", None) else None,
        actor_upn=(getattr(actor, "email", "") or getattr(actor, "username", "")),
        upgrade_type=UpgradeType.UPGRADE_WITH_LICENSE_TRANSFER,
        quantity=quote.quantity,
        billing_cycle=quote.billing_cycle,
        note=_("Order placed in the admin center."),
    )


def _move(order, to_status: str, note: str, **fields) -> None:
    if order.operation_id is None:
        return
    operation = order.operation
    if operation.status == to_status:
        return
    shared.operation_transition(operation, to_status=to_status, note=note, **fields)


def operation_awaiting_credit_check(order) -> None:
    _move(
        order,
        OperationStatus.AWAITING_CREDIT_CHECK,
        _("Waiting for a credit check until %(deadline)s.") % {"deadline": order.credit_check_deadline},
    )


def operation_declined(order, *, note: str) -> None:
    _move(order, OperationStatus.DECLINED, note)


def operation_started(order) -> None:
    _move(order, OperationStatus.IN_PROGRESS, _("Upgrade started."))


def operation_succeeded(order, *, result: dict, note: str) -> None:
    _move(order, OperationStatus.SUCCEEDED, note, target=order.target_subscription, result=result)


def operation_failed(order, *, reason: str) -> None:
    _move(
        order,
        OperationStatus.FAILED,
        reason,
        errors=[{"code": 0, "errorName": "other", "description": reason, "additionalDetails": ""}],
    )


def customer_has_open_operation(customer) -> bool:
    return UpgradeOperation.objects.open().filter(customer=customer).exists()
