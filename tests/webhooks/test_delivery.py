"""Deliveries through a real local HTTP receiver: signed, retried with growing delays, delivered once."""

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from audit.models import AuditRecord
from core import events
from core.errors import InvalidInput
from webhooks import rules, services
from webhooks.models import Attempt, Delivery, DeliveryStatus, Event
from webhooks.tasks import deliver, sweep

pytestmark = pytest.mark.django_db


def register(admin, receiver, events_=("test-created", "subscription-updated")):
    return services.registration_create(actor=admin, url=receiver.url, events=list(events_))


def test_a_test_event_arrives_signed_with_the_registrations_secret(admin, receiver, clock, capture):
    created = register(admin, receiver)
    with capture(execute=True):
        event = services.test_event_send(actor=admin)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hooks"
    assert request.json() == {
        "EventName": "test-created",
        "ResourceUri": f"/v1/webhooks/registration/validationEvents/{event.pk}",
        "ResourceName": "test",
        "AuditUri": None,
        "ResourceChangeUtcDate": event.created.isoformat(),
        "EventId": str(event.pk),
    }
    timestamp = request.headers["X-Portal-Timestamp"]
    assert timestamp == str(int(clock.now.timestamp()))
    # verified by hand, as a receiver would: HMAC-SHA256 over "<timestamp>.<raw body>"
    digest = hmac.new(created.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Portal-Signature"] == f"t={timestamp},v1={digest}"
    assert request.headers["X-Portal-Event-Id"] == str(event.pk)
    delivery = Delivery.objects.get(event=event)
    assert (delivery.state, delivery.attempts, delivery.last_response_code) == ("delivered", 1, 200)


def test_a_failing_receiver_gets_retries_with_growing_delays_then_success_is_recorded_once(
    admin, receiver, clock, capture
):
    register(admin, receiver)
    receiver.answers = [500, 500, 500]
    start = clock.now
    with capture(execute=True):
        event = services.test_event_send(actor=admin)
    delivery = Delivery.objects.get(event=event)
    assert (delivery.state, delivery.attempts, delivery.next_attempt) == ("pending", 1, start + timedelta(minutes=1))
    assert delivery.last_response_code == 500 and len(delivery.last_response_body) == 1000  # truncated
    clock.advance(timedelta(seconds=59))
    assert sweep() == 0  # not due yet
    waits = [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    clock.set(start)
    for wait in waits:
        clock.advance(wait)
        assert sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_response_code) == ("delivered", 4, 200)
    assert list(Attempt.objects.filter(delivery=delivery).values_list("number", "response_code")) == [
        (1, 500),
        (2, 500),
        (3, 500),
        (4, 200),
    ]
    # the attempts were 1, 2 and 4 minutes apart
    starts = list(Attempt.objects.filter(delivery=delivery).values_list("started", flat=True))
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == waits
    # delivered once: neither the sweep nor a retried task sends it again
    clock.advance(timedelta(hours=2))
    assert sweep() == 0
    deliver(str(delivery.pk))
    assert len(receiver.requests) == 4


def test_a_delivery_fails_a_day_after_the_event(admin, receiver, clock, capture):
    register(admin, receiver)
    receiver.answers = [503] * 100
    start = clock.now
    with capture(execute=True):
        event = services.test_event_send(actor=admin)
    for _ in range(40):
        clock.advance(timedelta(hours=1))
        sweep()
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == DeliveryStatus.FAILED and delivery.next_attempt is None
    assert Attempt.objects.filter(delivery=delivery).latest("number").started <= start + timedelta(days=1)
    # 1+2+4+8+16+32 minutes, then hourly until the day is over
    assert 25 <= delivery.attempts <= 30


def test_the_same_event_and_registration_is_never_a_second_delivery(admin, receiver, capture):
    register(admin, receiver)
    with capture(execute=True):
        event = services.test_event_send(actor=admin)
    delivery = Delivery.objects.get(event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            event=event, registration=delivery.registration, partner=delivery.partner, url=delivery.url
        )
    deliver(str(delivery.pk))
    deliver(str(delivery.pk))
    assert len(receiver.requests) == 1


def test_a_delivery_whose_worker_died_is_taken_over_by_the_sweep(admin, receiver, clock, capture, settings):
    register(admin, receiver)
    settings.WEBHOOKS_CLAIM_TIMEOUT = 120
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        # the worker claims it and dies before sending: simulated by claiming without sending
        with capture(execute=False):
            event = services.test_event_send(actor=admin)
    delivery = Delivery.objects.get(event=event)
    Delivery.objects.filter(pk=delivery.pk).update(claimed=clock.now)
    deliver(str(delivery.pk))  # a second copy of the task: the claim holds
    assert receiver.requests == []
    clock.advance(timedelta(seconds=60))
    assert sweep() == 0
    clock.advance(timedelta(seconds=61))
    assert sweep() == 1
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and len(receiver.requests) == 1


def test_a_rolled_back_change_sends_nothing(admin, receiver, capture):
    register(admin, receiver, events_=("subscription-updated",))
    with capture(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            events.emit(
                events.SUBSCRIPTION_UPDATED,
                partner_id=admin.partner_id,
                resource_uri="/v1/customers/x/subscriptions/y",
                resource_name="Subscription",
            )
            raise RuntimeError("rolled back")
    assert Event.objects.count() == 0 and receiver.requests == []


def test_an_event_nobody_asked_for_is_not_recorded(admin, receiver, capture):
    register(admin, receiver, events_=("test-created",))
    with capture(execute=True):
        events.emit(events.SUBSCRIPTION_UPDATED, partner_id=admin.partner_id, resource_uri="/x", resource_name="S")
        events.emit(events.SUBSCRIPTION_UPDATED, partner_id=None, resource_uri="/x", resource_name="S")
    assert Event.objects.count() == 0 and receiver.requests == []


def test_redirects_are_not_followed(admin, receiver, capture):
    register(admin, receiver)
    receiver.answers = [302]
    with capture(execute=True):
        event = services.test_event_send(actor=admin)
    delivery = Delivery.objects.get(event=event)
    assert (delivery.state, delivery.last_response_code, len(receiver.requests)) == ("pending", 302, 1)


@override_settings(WEBHOOKS_ALLOW_PRIVATE=False)
def test_private_addresses_are_refused_unless_allowed(admin, receiver, capture):
    register(admin, receiver)
    with capture(execute=True):
        event = services.test_event_send(actor=admin)
    delivery = Delivery.objects.get(event=event)
    assert receiver.requests == []
    assert delivery.last_error == "the host resolves to a private or local address"
    assert delivery.last_response_code is None and delivery.state == "pending"


@override_settings(WEBHOOKS_ALLOW_HTTP=False)
def test_http_urls_are_refused_in_production(admin):
    with pytest.raises(InvalidInput) as error:
        services.registration_create(actor=admin, url="http://hooks.example.com/", events=["test-created"])
    assert error.value.field == "WebhookUrl"


def test_resend_sends_a_failed_delivery_again_and_is_audited(admin, receiver, clock, capture):
    register(admin, receiver)
    receiver.answers = [500]
    with capture(execute=True):
        event = services.test_event_send(actor=admin)
    delivery = Delivery.objects.get(event=event)
    Delivery.objects.filter(pk=delivery.pk).update(state="failed", next_attempt=None)
    before = AuditRecord.objects.count()
    with capture(execute=True):
        services.delivery_resend(actor=admin, delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, len(receiver.requests)) == ("delivered", 2, 2)
    assert AuditRecord.objects.count() == before + 1


def test_rotating_the_secret_signs_with_the_new_one(admin, receiver, clock, capture):
    old = register(admin, receiver).secret
    new = services.registration_secret_rotate(actor=admin).secret
    assert new != old
    with capture(execute=True):
        services.test_event_send(actor=admin)
    request = receiver.requests[0]
    header = request.headers["X-Portal-Signature"]
    now = int(clock.now.timestamp())
    assert rules.signature_valid(new, header, request.body, now=now)
    assert not rules.signature_valid(old, header, request.body, now=now)
