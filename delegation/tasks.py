"""Celery adapters for delegated admin: they take ids, call the services, and return plain data."""

from celery import shared_task

from core.tasks import TRANSIENT_DATABASE_RETRY

from . import services


@shared_task(name="delegation.tasks.delegation_sweep")
def delegation_sweep() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE "delegation-sweep"): lapse, expiry/auto-extension, notices, terminations."""
    return services.relationships_sweep()


@shared_task(name="delegation.tasks.relationship_terminate", **TRANSIENT_DATABASE_RETRY)
def relationship_terminate(relationship_id: str) -> str:
    """Finish a requested termination (terminationRequested → terminating → terminated); idempotent."""
    relationship = services.relationship_termination_complete(relationship_id=relationship_id)
    return relationship.status if relationship is not None else ""


@shared_task(name="delegation.tasks.grants_resync", **TRANSIENT_DATABASE_RETRY)
def grants_resync_task(partner_id: int | None = None, customer_id: int | None = None) -> dict:
    """Recompute guardian grants for a scope (e.g. after a bulk import)."""
    return services.grants_resync(partner=partner_id, customer=customer_id)
