"""Celery adapters of the subscriptions app: take plain values, call the services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .renewals import subscriptions_renew_due


@shared_task(name="subscriptions.renew_due")
def subscriptions_renew_due_task() -> int:
    """Renew (or expire) the new commerce subscriptions whose term ended (idempotent: run it as often as you like)."""
    return subscriptions_renew_due(now=timezone.now())
