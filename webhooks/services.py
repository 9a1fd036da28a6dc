"""Webhooks' writes: a partner's registration (register, update, delete, rotate the secret), test events,
redelivery, the events the lower apps emit (``core.events``), and each delivery attempt.

Every change of a registration and every test event or redelivery writes an audit record (operation type
``update_partner``, resource type ``WebhookRegistration`` / ``WebhookDelivery``). Only the partner's global admins
manage webhooks (``Capability.MANAGE_WEBHOOKS``); an operator has no partner and is refused.

Delivery: ``domain_event_received`` writes the event and one delivery per registration that wants it (unique per
(event, registration): an event is never delivered twice as new), then enqueues ``webhooks.deliver`` per delivery
on commit. ``delivery_attempt`` claims a due delivery (a conditional UPDATE: one worker per attempt), POSTs it,
and records the attempt: a 2xx marks it delivered (once: a delivered delivery is never claimed again), anything
else schedules the next attempt (``rules.retry_delay``) or, a day after the event, fails it. The beat sweep
(``deliveries_sweep``) enqueues every due delivery, so a killed worker's delivery is picked up again.
"""

from __future__ import annotations

import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_build
from core import events as names
from core.errors import Conflict, Forbidden, InvalidInput
from core.events import DomainEvent
from core.tasks import enqueue, enqueue_on_commit

from . import rules, selectors
from .models import Attempt, Delivery, DeliveryStatus, Event, Registration
from .selectors import managing_partner_id, registration_required

logger = logging.getLogger(__name__)

RESPONSE_BODY_LIMIT = 1000
RESOURCE = "WebhookRegistration"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _require_https() -> bool:
    return not getattr(settings, "WEBHOOKS_ALLOW_HTTP", False)


def clean_url(url) -> str:
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput(_("is required."), field="WebhookUrl")
    url = url.strip()
    if len(url) > 500:
        raise InvalidInput(_("must be at most 500 characters."), field="WebhookUrl")
    problem = rules.url_problem(url, require_https=_require_https())
    if problem:
        raise InvalidInput(problem, field="WebhookUrl")
    return url


def clean_events(events) -> list[str]:
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise InvalidInput(_("must be a list of event names."), field="WebhookEvents")
    unknown = rules.unknown_events(events)
    if unknown:
        raise InvalidInput(
            _("unknown event(s): %(names)s (see /v1/webhooks/registration/events).") % {"names": ", ".join(unknown)},
            field="WebhookEvents",
        )
    if not events:
        raise InvalidInput(_("name at least one event."), field="WebhookEvents")
    return list(dict.fromkeys(events))


def _snapshot(registration: Registration) -> dict:
    return {
        "id": str(registration.pk),
        "webhookUrl": registration.url,
        "webhookEvents": list(registration.events),
        "active": registration.active,
    }


def _audit(actor, partner_id: int, *, old, new, resource: str = RESOURCE) -> None:
    record = audit_record_build(
        actor=actor, operation_type=OperationType.UPDATE_PARTNER, resource_type=resource, old=old, new=new
    )
    record.partner_id = partner_id
    record.save(force_insert=True)


@dataclass(frozen=True)
class WithSecret:
    registration: Registration
    secret: str  # shown once


def clean_active(active) -> bool:
    if not isinstance(active, bool):
        raise InvalidInput(_("must be true or false."), field="Active")
    return active


def registration_create(*, actor, url, events, active=True) -> WithSecret:
    """The partner's registration, active or not, in one transaction (every field checked first)."""
    partner_id = managing_partner_id(actor)
    url, events, active = clean_url(url), clean_events(events), clean_active(active)
    secret = new_secret()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                partner_id=partner_id, url=url, events=events, secret=secret, active=active
            )
            _audit(actor, partner_id, old=None, new=_snapshot(registration))
    except IntegrityError:
        raise Conflict(_("Your partner already has a webhook registration: update it."), field="WebhookUrl") from None
    return WithSecret(registration, secret)


def registration_update(*, actor, url=None, events=None, active=None) -> Registration:
    partner_id = managing_partner_id(actor)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration_required(actor).pk)
        old = _snapshot(registration)
        if url is not None:
            registration.url = clean_url(url)
        if events is not None:
            registration.events = clean_events(events)
        if active is not None:
            registration.active = clean_active(active)
        registration.save()
        _audit(actor, partner_id, old=old, new=_snapshot(registration))
    return registration


def registration_delete(*, actor) -> None:
    partner_id = managing_partner_id(actor)
    with transaction.atomic():
        registration = registration_required(actor)
        old = _snapshot(registration)
        registration.delete()
        _audit(actor, partner_id, old=old, new=None)


def registration_secret_rotate(*, actor) -> WithSecret:
    """A new secret (shown once); the old one stops signing at once."""
    partner_id = managing_partner_id(actor)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration_required(actor).pk)
        registration.secret = new_secret()
        registration.secret_rotated = timezone.now()
        registration.save(update_fields=["secret", "secret_rotated", "updated"])
        _audit(
            actor, partner_id, old={"id": str(registration.pk)}, new={"id": str(registration.pk), "secret": "rotated"}
        )
    return WithSecret(registration, registration.secret)


def test_event_send(*, actor) -> Event:
    """A ``test-created`` event to the registration (whatever events it asked for), delivered like any other."""
    partner_id = managing_partner_id(actor)
    with transaction.atomic():
        registration = registration_required(actor)
        event = Event.objects.create(
            name=names.TEST_CREATED,
            partner_id=partner_id,
            resource_uri="",
            resource_name="test",
            created=timezone.now(),
        )
        event.resource_uri = f"/v1/webhooks/registration/validationEvents/{event.pk}"
        event.save(update_fields=["resource_uri"])
        delivery = _delivery_create(event, registration)
        _audit(
            actor,
            partner_id,
            old=None,
            new={"eventId": str(event.pk), "eventName": event.name, "deliveryId": str(delivery.pk)},
            resource="WebhookEvent",
        )
        enqueue_on_commit("webhooks.deliver", str(delivery.pk))
    return event


def delivery_resend(*, actor, delivery: Delivery) -> Delivery:
    """Send ``delivery`` again now (its attempts go on counting; its day of retries starts again)."""
    partner_id = managing_partner_id(actor)
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.partner_id != partner_id:
            raise Forbidden(_("This delivery is not your partner's."))
        old = {"id": str(locked.pk), "state": locked.state, "attempts": locked.attempts}
        now = timezone.now()
        locked.state = DeliveryStatus.PENDING
        locked.next_attempt = now
        locked.claimed = None
        locked.created = now  # the day of retries counts from here
        locked.save(update_fields=["state", "next_attempt", "claimed", "created"])
        _audit(actor, partner_id, old=old, new={"id": str(locked.pk), "state": "resent"}, resource="WebhookDelivery")
        enqueue_on_commit("webhooks.deliver", str(locked.pk))
    return locked


# -- events -> deliveries ------------------------------------------------------------------------------------
def _delivery_create(event: Event, registration: Registration) -> Delivery:
    now = timezone.now()
    return Delivery.objects.create(
        event=event,
        registration=registration,
        partner_id=event.partner_id,
        url=registration.url,
        created=now,
        next_attempt=now,
    )


def domain_event_received(sender, event: DomainEvent, **kwargs) -> list[Delivery]:
    """``core.events.domain_event`` (sent after the emitting transaction committed): the event, once per partner
    whose active registration asked for it, and its deliveries (no query when none of its partners registered,
    ``selectors.any_registered``; one when nobody asked for this event)."""
    if event.name not in rules.EVENT_NAMES or not selectors.any_registered(event.partner_ids):
        return []
    registrations = [
        r for r in Registration.objects.filter(partner_id__in=event.partner_ids, active=True) if r.wants(event.name)
    ]
    deliveries = []
    with transaction.atomic():
        for registration in registrations:
            row = Event.objects.create(
                name=event.name,
                partner_id=registration.partner_id,
                resource_uri=event.resource_uri[:500],
                resource_name=event.resource_name[:80],
                audit_id=event.audit_id or "",
                payload=event.payload,
                created=timezone.now(),
            )
            deliveries.append(_delivery_create(row, registration))
        for delivery in deliveries:
            enqueue_on_commit("webhooks.deliver", str(delivery.pk))
    return deliveries


# -- sending -------------------------------------------------------------------------------------------------
class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is the answer (a failed attempt), never followed to another host


@dataclass(frozen=True)
class Response:
    code: int | None
    body: str
    error: str


def _address_problem(url: str) -> str | None:
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False):
        return None
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return "the host name does not resolve"
    if not infos or not all(rules.address_is_public(str(info[4][0])) for info in infos):
        return "the host resolves to a private or local address"
    return None


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to ``url`` (a short timeout, no redirects, http/https only, public addresses only unless
    ``WEBHOOKS_ALLOW_PRIVATE``)."""
    problem = rules.url_problem(url, require_https=_require_https()) or _address_problem(url)
    if problem:
        return Response(None, "", str(problem)[:300])
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT) as answer:
            text = answer.read(RESPONSE_BODY_LIMIT + 1).decode("utf-8", "replace")
            return Response(answer.status, rules.truncate(text, RESPONSE_BODY_LIMIT), "")
    except urllib.error.HTTPError as exc:
        text = exc.read(RESPONSE_BODY_LIMIT + 1).decode("utf-8", "replace") if exc.fp else ""
        return Response(exc.code, rules.truncate(text, RESPONSE_BODY_LIMIT), "")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Response(None, "", rules.truncate(f"{type(exc).__name__}: {exc}", 300))


def signed_request(delivery: Delivery, *, now: datetime) -> tuple[bytes, dict[str, str]]:
    event = delivery.event
    audit_uri = f"/v1/auditrecords?recordId={event.audit_id}" if event.audit_id else None
    body = rules.encode(
        rules.body_of(
            event_id=event.pk,
            name=event.name,
            resource_uri=event.resource_uri,
            resource_name=event.resource_name,
            audit_uri=audit_uri,
            at=event.created,
        )
    )
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "csp-portal-webhooks/1",
        rules.EVENT_ID_HEADER: str(event.pk),
        rules.EVENT_NAME_HEADER: event.name,
        rules.TIMESTAMP_HEADER: str(timestamp),
        rules.SIGNATURE_HEADER: rules.signature_header(delivery.registration.secret, timestamp, body),
    }
    return body, headers


def _claimable(now: datetime):
    stale = now - timedelta(seconds=settings.WEBHOOKS_CLAIM_TIMEOUT)
    return Delivery.objects.filter(state=DeliveryStatus.PENDING, next_attempt__lte=now).filter(
        Q(claimed__isnull=True) | Q(claimed__lt=stale)
    )


def delivery_attempt(*, delivery_id) -> Attempt | None:
    """One attempt of a due delivery; None when it is not due, delivered, failed or claimed by another worker."""
    now = timezone.now()
    if not _claimable(now).filter(pk=delivery_id).update(claimed=now):
        return None
    delivery = Delivery.objects.select_related("event", "registration").get(pk=delivery_id)
    registration = delivery.registration
    duration = 0
    if not registration.active:
        response = Response(None, "", "the registration is not active")
    else:
        body, headers = signed_request(delivery, now=now)
        started = time.monotonic()
        response = post(registration.url, body, headers)
        duration = int((time.monotonic() - started) * 1000)
    finished = timezone.now()
    number = delivery.attempts + 1
    with transaction.atomic():
        attempt = Attempt.objects.create(
            delivery=delivery,
            number=number,
            started=now,
            duration_ms=duration,
            response_code=response.code,
            response_body=response.body,
            error=response.error,
        )
        values: dict[str, object] = {
            "attempts": number,
            "claimed": None,
            "url": registration.url,
            "last_response_code": response.code,
            "last_response_body": response.body,
            "last_error": response.error,
        }
        if rules.is_success(response.code):
            values.update(state=DeliveryStatus.DELIVERED, delivered=finished, next_attempt=None)
        else:
            retry = (
                rules.next_attempt_after(attempts=number, failed_at=finished, first_created=delivery.created)
                if registration.active
                else None
            )
            values.update(state=DeliveryStatus.PENDING if retry else DeliveryStatus.FAILED, next_attempt=retry)
        Delivery.objects.filter(pk=delivery.pk, claimed=now).update(**values)
    return attempt


def deliveries_sweep(*, limit: int = 500) -> int:
    """Enqueue every due delivery (retries, and any whose worker died); returns how many."""
    due = list(_claimable(timezone.now()).order_by("next_attempt").values_list("pk", flat=True)[:limit])
    for pk in due:
        enqueue("webhooks.deliver", str(pk))
    return len(due)
