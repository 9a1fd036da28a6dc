"""A Django admin view of retired plans (Office 365 E4) sold through CSP: a proxy of ``Subscription``, no table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from subscriptions.models import Channel, Subscription


class RetiredCspSubscriptionManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(channel=Channel.CSP, offer__retired=True)


class RetiredCspSubscription(Subscription):
    objects = RetiredCspSubscriptionManager()  # type: ignore[assignment,misc]  # only the retired CSP plans

    class Meta:
        proxy = True
        verbose_name = _("retired CSP plan (Office 365 E4)")
        verbose_name_plural = _("retired CSP plans (Office 365 E4)")
