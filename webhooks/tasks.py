"""Celery adapters of webhooks: one task per delivery attempt, and the beat sweep of due deliveries."""

from celery import shared_task


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(delivery_id: str) -> None:
    """Idempotent: a delivery already delivered, failed, not yet due or claimed by another worker is left alone."""
    from .services import delivery_attempt

    delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep() -> int:
    from .services import deliveries_sweep

    return deliveries_sweep()
