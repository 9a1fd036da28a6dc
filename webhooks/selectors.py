"""Reads of webhooks, through the scoping registry: a partner sees its own registration, events, deliveries."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.actors import acting_partner_id
from core.errors import Forbidden, NotFound
from core.scoping import register, visible_to
from partners.roles import Capability, require

from .models import Attempt, Delivery, Event, Registration


def _partner_scope(model, lookup: str = "partner_id"):
    def scope(actor) -> QuerySet:
        partner_id = acting_partner_id(actor)
        if partner_id is None:
            return model.objects.none()
        return model.objects.filter(**{lookup: partner_id})

    scope.__qualname__ = f"{model.__name__.lower()}_scope"
    return scope


class RegisteredPartners:
    """The ids of the partners with an active registration, read at most once every
    ``WEBHOOKS_REGISTRATION_CACHE_SECONDS`` per process: an event of a partner outside it costs no query (a batch of
    thousands of upgrades pays no webhook query per item when nobody registered). Any save or delete of a
    registration in this process forgets it (``forget``, connected in ``apps.py``); another process sees a new
    registration within that many seconds."""

    def __init__(self):
        self.read_at: float | None = None
        self.ids: frozenset[int] = frozenset()

    def get(self) -> frozenset[int]:
        ttl = float(getattr(settings, "WEBHOOKS_REGISTRATION_CACHE_SECONDS", 10))
        now = time.monotonic()
        if self.read_at is None or now - self.read_at >= ttl:
            self.ids = frozenset(Registration.objects.filter(active=True).values_list("partner_id", flat=True))
            self.read_at = now
        return self.ids

    def forget(self, *args, **kwargs) -> None:
        self.read_at = None


registered_partners = RegisteredPartners()


def any_registered(partner_ids) -> bool:
    """Has any of these partners an active registration (``registered_partners``: no query most of the time)?"""
    return not registered_partners.get().isdisjoint(partner_ids)


registration_scope = _partner_scope(Registration)
event_scope = _partner_scope(Event)
delivery_scope = _partner_scope(Delivery)
attempt_scope = _partner_scope(Attempt, "delivery__partner_id")


def register_scopes() -> None:
    register(Registration, registration_scope)
    register(Event, event_scope)
    register(Delivery, delivery_scope)
    register(Attempt, attempt_scope)


def managing_partner_id(actor) -> int:
    """The partner whose webhooks ``actor`` manages: its global admins (``Capability.MANAGE_WEBHOOKS``); an
    operator has no partner. ``Forbidden`` otherwise (the pages and the API answer 403)."""
    require(actor, Capability.MANAGE_WEBHOOKS)
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        raise Forbidden(_("Webhooks belong to a partner: operators have none to register."))
    return partner_id


def registration_of(actor) -> Registration | None:
    """The acting partner's registration (None: not registered). An operator has no partner: None."""
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return None
    return visible_to(Registration, actor).filter(partner_id=partner_id).first()


def registration_required(actor) -> Registration:
    registration = registration_of(actor)
    if registration is None:
        raise NotFound(_("No webhook registration: register one first."), field="WebhookUrl")
    return registration


def deliveries_of(actor) -> QuerySet[Delivery]:
    """The acting partner's deliveries, newest first, with their event and attempts (a fixed number of queries)."""
    return (
        visible_to(Delivery, actor)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("number")))
        .order_by("-created", "-pk")
    )


def delivery_for(actor, *, delivery_id) -> Delivery:
    delivery = deliveries_of(actor).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(_("Delivery %(id)s was not found.") % {"id": delivery_id}, field="deliveryId")
    return delivery


def test_event_for(actor, *, event_id) -> Event:
    """A test event (``test-created``) of the acting partner, with its deliveries and their attempts."""
    event = (
        visible_to(Event, actor)
        .filter(pk=event_id, name="test-created")
        .prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.prefetch_related(
                    Prefetch("attempt_log", queryset=Attempt.objects.order_by("number"))
                ),
            )
        )
        .first()
    )
    if event is None:
        raise NotFound(_("Validation event %(id)s was not found.") % {"id": event_id}, field="batchId")
    return event
