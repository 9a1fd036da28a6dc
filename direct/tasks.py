"""Celery adapters: take ids, call the services."""

from __future__ import annotations

from celery import shared_task

from core.tasks import TRANSIENT_DATABASE_RETRY

from .execution import direct_order_execute
from .partner_e4 import suspended_e4_deprovision
from .services import credit_check_deadlines_process


@shared_task(name="direct.execute_order", **TRANSIENT_DATABASE_RETRY)
def direct_order_execute_task(order_id: str) -> str:
    """Run a queued order (idempotent: an order that is no longer queued is left alone)."""
    return direct_order_execute(order_id=order_id).status


@shared_task(name="direct.process_credit_check_deadlines")
def credit_check_deadlines_task() -> int:
    """Decline orders whose two-business-day credit check deadline passed without approval."""
    return credit_check_deadlines_process()


@shared_task(name="direct.deprovision_suspended_csp_e4")
def suspended_e4_deprovision_task() -> int:
    """Deprovision (status deleted) CSP Office 365 E4 subscriptions suspended 120 days ago or more."""
    return suspended_e4_deprovision()
