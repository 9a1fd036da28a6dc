"""The lower apps' services emit events (``core.events``) that reach a registered partner's URL once committed:
an upgrade, a finished batch, an approval request, a subscription update, GDAP approval / expiring / expired,
a credit check decision. Nobody else's partner is told."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core import events
from delegation import services as gdap_services
from delegation.expiry import relationships_expire_or_extend, relationships_mark_expiring
from delegation.models import GdapStatus
from direct.services import credit_check_event
from subscriptions.services import subscription_update
from tests import factories
from tests.builders import item, make_upgradable, run_batch
from upgrades.services import subscription_upgrade
from webhooks import services
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def register(admin, receiver, *names):
    services.registration_create(actor=admin, url=receiver.url, events=list(names))


def received(receiver):
    return [(r.json()["EventName"], r.json()["ResourceUri"]) for r in receiver.requests]


def test_an_upgrade_tells_the_partner(admin, receiver, sales_agent, partner, other_admin, capture):
    register(admin, receiver, events.SUBSCRIPTION_UPGRADED)
    services.registration_create(actor=other_admin, url=receiver.url + "/other", events=[events.SUBSCRIPTION_UPGRADED])
    upgradable = make_upgradable(partner=partner, agent=sales_agent)
    with capture(execute=True):
        result = subscription_upgrade(
            actor=sales_agent, subscription_id=upgradable.subscription.pk, target_offer_id="o365-e3"
        )
    source = upgradable.subscription
    assert received(receiver) == [
        (
            "subscription-upgraded",
            f"/v1/customers/{source.customer.tenant_id}/subscriptions/{source.pk}/upgrades/{result.operation_id}",
        )
    ]
    event = Event.objects.get()
    assert event.partner_id == partner.pk and event.audit_id
    assert receiver.requests[0].json()["AuditUri"] == f"/v1/auditrecords?recordId={event.audit_id}"


def test_a_finished_batch_tells_the_partner_once(admin, receiver, api, partner, sales_agent, capture):
    register(admin, receiver, events.UPGRADE_BATCH_FINISHED)
    upgradables = [make_upgradable(partner=partner, agent=sales_agent, licensed=1) for _ in range(2)]
    batch, _response = run_batch(api, {"items": [item(u) for u in upgradables]}, capture)
    assert received(receiver) == [("upgrade-batch-finished", f"/v1/upgradeBatches/{batch.pk}")]
    assert Event.objects.get().payload == {"status": "succeeded", "dryRun": False}


def test_a_batch_above_the_threshold_asks_for_approval(admin, receiver, api, partner, sales_agent, capture):
    register(admin, receiver, events.APPROVAL_REQUESTED, events.UPGRADE_BATCH_FINISHED)
    partner.approval_items = 1
    partner.save()
    upgradables = [make_upgradable(partner=partner, agent=sales_agent, licensed=1) for _ in range(2)]
    batch, _response = run_batch(api, {"items": [item(u) for u in upgradables]}, capture)
    assert batch.status == "awaiting_approval"
    assert received(receiver) == [("approval-requested", f"/v1/upgradeBatches/{batch.pk}")]


def test_a_subscription_update_tells_the_partner(admin, receiver, sales_agent, partner, capture):
    register(admin, receiver, events.SUBSCRIPTION_UPDATED)
    upgradable = make_upgradable(partner=partner, agent=sales_agent)
    subscription = upgradable.subscription
    with capture(execute=True):
        subscription_update(actor=sales_agent, subscription=subscription, changes={"quantity": 12})
    assert received(receiver) == [
        ("subscription-updated", f"/v1/customers/{subscription.customer.tenant_id}/subscriptions/{subscription.pk}")
    ]
    assert Event.objects.get().payload == {"changed": ["quantity"]}


def test_gdap_approval_expiring_and_expired(admin, receiver, partner, capture):
    register(admin, receiver, events.GDAP_APPROVED, events.GDAP_EXPIRING, events.GDAP_EXPIRED)
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    customer_ga = factories.UserFactory(username="cga")
    factories.CustomerAdminRoleFactory(user=customer_ga, customer=customer, role="global_administrator")
    pending = factories.GdapRelationshipFactory(
        partner=partner,
        customer=customer,
        status=GdapStatus.APPROVAL_PENDING,
        activated_date_time=None,
        end_date_time=None,
        auto_extend_duration=timedelta(0),
        duration=timedelta(days=20),
    )
    with capture(execute=True):
        gdap_services.relationship_approve(actor=customer_ga, relationship_id=pending.pk)
    uri = f"/v1/delegatedAdminRelationships/{pending.pk}"
    assert received(receiver) == [("granular-admin-relationship-approved", uri)]
    with capture(execute=True):
        relationships_mark_expiring()
    later = timezone.now() + timedelta(days=21)
    with capture(execute=True):
        relationships_expire_or_extend(now=later)
    assert received(receiver) == [
        ("granular-admin-relationship-approved", uri),
        ("granular-admin-relationship-expiring", uri),
        ("granular-admin-relationship-expired", uri),
    ]
    assert [e.payload["status"] for e in Event.objects.order_by("created")] == ["active", "expiring", "expired"]


def test_a_credit_check_decision_tells_the_customers_partners(admin, receiver, partner, other_partner, capture):
    register(admin, receiver, events.CREDIT_CHECK_DECIDED)
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    order_id = uuid.uuid4()
    event = credit_check_event(order_id=order_id, customer_id=customer.pk, decision="approved")
    assert event.partner_ids == (partner.pk,)
    with capture(execute=True):
        events.emit_lazy(lambda: event)
    assert received(receiver) == [("credit-check-decided", f"/v1/me/customers/{customer.tenant_id}/orders/{order_id}")]
    lonely = factories.CustomerFactory()
    assert credit_check_event(order_id=order_id, customer_id=lonely.pk, decision="declined").partner_ids == ()


def test_a_failing_listener_never_undoes_the_change(admin, receiver, sales_agent, partner, capture, monkeypatch):
    register(admin, receiver, events.SUBSCRIPTION_UPDATED)
    upgradable = make_upgradable(partner=partner, agent=sales_agent)

    def broken(**kwargs):
        raise RuntimeError("listener down")

    monkeypatch.setattr(services.Registration.objects, "filter", broken)
    with capture(execute=True):
        subscription_update(actor=sales_agent, subscription=upgradable.subscription, changes={"quantity": 12})
    upgradable.subscription.refresh_from_db()
    assert upgradable.subscription.quantity == 12 and receiver.requests == []


def test_events_of_a_partner_without_a_registration_cost_no_query(admin, receiver, partner, other_partner):
    """The set of partners with a registration is read once per WEBHOOKS_REGISTRATION_CACHE_SECONDS per process
    (a batch of thousands of upgrades pays no webhook query per item when nobody registered); a registration saved
    in this process is seen at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from webhooks.selectors import registered_partners

    def deliver(partner_id):
        event = events.DomainEvent(
            name=events.SUBSCRIPTION_UPGRADED,
            partner_ids=(partner_id,),
            resource_uri="/v1/customers/x/subscriptions/y/upgrades/z",
            resource_name="UpgradeOperation",
        )
        with CaptureQueriesContext(connection) as queries:
            deliveries = services.domain_event_received(sender=events.DomainEvent, event=event)
        return len(queries), len(deliveries)

    registered_partners.forget()
    assert deliver(other_partner.pk) == (1, 0)  # reads who registered (nobody)
    assert deliver(other_partner.pk) == (0, 0)  # and remembers it
    register(admin, receiver, events.SUBSCRIPTION_UPGRADED)  # saved here: forgotten at once
    queries, deliveries = deliver(partner.pk)
    assert deliveries == 1 and queries > 0
    assert deliver(other_partner.pk) == (0, 0)
