"""The partner's webhook settings page: register (the secret shown once), events, test event, deliveries with
"Resend", empty states; global admins only; another partner's delivery 404."""

import pytest
from django.test import Client

from tests import factories
from webhooks import services
from webhooks.models import Delivery, Registration

pytestmark = pytest.mark.django_db

PAGE = "/partner/settings/webhooks/"


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_empty_state_then_register_and_the_secret_is_shown_once(admin, receiver):
    client = client_of(admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b'data-empty="webhook-registration"' in page.content
    response = client.post(
        PAGE, {"url": receiver.url, "events": ["test-created", "subscription-updated"], "active": "on"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.events == ["test-created", "subscription-updated"] and registration.active
    shown = client.get(PAGE)
    assert registration.secret.encode() in shown.content
    assert b'data-empty="webhook-deliveries"' in shown.content
    assert registration.secret.encode() not in client.get(PAGE).content  # once


def test_a_bad_url_is_a_400_naming_the_field(admin):
    response = client_of(admin).post(PAGE, {"url": "ftp://x.example.com/", "events": ["test-created"]})
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == ["must be an http or https URL."]
    assert Registration.objects.count() == 0


def test_test_event_deliveries_and_resend(admin, receiver, capture):
    services.registration_create(actor=admin, url=receiver.url, events=["test-created"])
    client = client_of(admin)
    receiver.answers = [500]
    with capture(execute=True):
        assert client.post(f"{PAGE}test/").status_code == 302
    delivery = Delivery.objects.get()
    page = client.get(PAGE)
    assert f'data-delivery="{delivery.pk}"'.encode() in page.content and b"500" in page.content
    with capture(execute=True):
        assert client.post(f"{PAGE}deliveries/{delivery.pk}/resend/").status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, len(receiver.requests)) == ("delivered", 2, 2)


def test_rotate_and_delete(admin, receiver):
    old = services.registration_create(actor=admin, url=receiver.url, events=["test-created"]).secret
    client = client_of(admin)
    assert client.post(f"{PAGE}secret/").status_code == 302
    new = Registration.objects.get().secret
    assert new != old and new.encode() in client.get(PAGE).content
    assert client.post(f"{PAGE}delete/").status_code == 302
    assert Registration.objects.count() == 0


def test_another_partners_delivery_is_404(admin, other_admin, receiver, capture):
    services.registration_create(actor=other_admin, url=receiver.url, events=["test-created"])
    with capture(execute=True):
        services.test_event_send(actor=other_admin)
    theirs = Delivery.objects.get()
    assert client_of(admin).post(f"{PAGE}deliveries/{theirs.pk}/resend/").status_code == 404


@pytest.mark.parametrize("role", ["admin_agent", "sales_agent", "billing_admin"])
def test_other_roles_get_403(partner, role):
    user = factories.PartnerUserFactory(partner=partner, roles=[role])
    client = client_of(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}test/").status_code == 403


def test_the_page_costs_the_same_queries_for_2_and_20_deliveries(admin, receiver, queries_for_2_and_20_deliveries):
    services.registration_create(actor=admin, url=receiver.url, events=["test-created"])
    client = client_of(admin)

    def get():
        assert client.get(PAGE).status_code == 200

    small, large = queries_for_2_and_20_deliveries(admin, get)
    assert small == large


def test_the_approval_settings_page_links_global_admins_here(admin, partner):
    assert b'data-link="webhook-settings"' in client_of(admin).get("/partner/settings/approval/").content
    agent = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"])
    assert b'data-link="webhook-settings"' not in client_of(agent).get("/partner/settings/approval/").content
