"""/v1/webhooks/registration in Partner Center's shape: register, read, update, delete, the event list,
validation (test) events, deliveries and redelivery; partner global admins only; another partner's objects 404."""

import uuid

import pytest

from audit.models import AuditRecord
from tests import factories
from tests.builders import api_for
from webhooks import rules, services
from webhooks.models import Delivery, Registration

pytestmark = pytest.mark.django_db

BASE = "/v1/webhooks/registration"


def put(api, path, data):
    return api.call("put", path, data)


def delete(api, path):
    return api.call("delete", path)


def test_register_read_update_delete(admin_api, receiver, partner):
    response = admin_api.post(BASE, {"WebhookUrl": receiver.url, "WebhookEvents": ["test-created"]})
    assert response.status_code == 201, response.json()
    body = response.json()
    secret = body.pop("WebhookSecret")
    registration = Registration.objects.get()
    assert secret == registration.secret and len(secret) >= 40
    assert body == {
        "SubscriberId": partner.code,
        "RegistrationId": str(registration.pk),
        "WebhookUrl": receiver.url,
        "WebhookEvents": ["test-created"],
        "Active": True,
        "SecretRotatedUtcDate": body["SecretRotatedUtcDate"],
    }
    read = admin_api.get(BASE).json()
    assert "WebhookSecret" not in read and read["WebhookUrl"] == receiver.url
    updated = put(admin_api, BASE, {"WebhookEvents": ["subscription-updated", "test-created"], "Active": False})
    assert updated.status_code == 200
    assert (updated.json()["WebhookEvents"], updated.json()["Active"]) == (
        ["subscription-updated", "test-created"],
        False,
    )
    assert admin_api.post(BASE, {"WebhookUrl": receiver.url, "WebhookEvents": ["test-created"]}).status_code == 409
    assert delete(admin_api, BASE).status_code == 204
    assert admin_api.get(BASE).status_code == 404
    assert AuditRecord.objects.filter(resource_type="WebhookRegistration", partner=partner).count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"WebhookEvents": ["test-created"]}, "WebhookUrl"),
        ({"WebhookUrl": "ftp://x.example.com/", "WebhookEvents": ["test-created"]}, "WebhookUrl"),
        ({"WebhookUrl": "https://x.example.com/", "WebhookEvents": ["no-such-event"]}, "WebhookEvents"),
        ({"WebhookUrl": "https://x.example.com/", "WebhookEvents": []}, "WebhookEvents"),
        ({"WebhookUrl": "https://x.example.com/", "WebhookEvents": "test-created"}, "WebhookEvents"),
        ({"WebhookUrl": 5, "WebhookEvents": ["test-created"]}, "WebhookUrl"),
    ],
)
def test_bad_bodies_answer_400_naming_the_field(admin_api, body, field):
    response = admin_api.post(BASE, body)
    assert response.status_code == 400
    assert response.json()["data"][0].startswith(f"{field}: ")
    assert response.json()["description"].startswith(f"{field}: ")
    assert Registration.objects.count() == 0


def test_a_body_that_is_not_an_object_is_400(admin_api):
    response = admin_api.call("post", BASE, raw_body="[1, 2]")
    assert response.status_code == 400 and response.json()["data"] == ["body: The body must be a JSON object."]


def test_the_event_list(admin_api):
    response = admin_api.get(f"{BASE}/events")
    assert response.status_code == 200 and response.json() == list(rules.EVENT_NAMES)


def test_a_validation_event_and_its_status(admin_api, receiver, capture):
    admin_api.post(BASE, {"WebhookUrl": receiver.url, "WebhookEvents": ["subscription-updated"]})
    with capture(execute=True):
        created = admin_api.post(f"{BASE}/validationEvents")
    assert created.status_code == 200
    correlation_id = created.json()["correlationId"]
    status = admin_api.get(f"{BASE}/validationEvents/{correlation_id}").json()
    assert status["correlationId"] == correlation_id and status["status"] == "completed"
    assert [(r["responseCode"], r["systemMessage"]) for r in status["results"]] == [
        ("200", "Request successfully delivered")
    ]
    assert receiver.requests[0].json()["EventName"] == "test-created"
    assert admin_api.get(f"{BASE}/validationEvents/not-a-guid").status_code == 400
    assert admin_api.get(f"{BASE}/validationEvents/{uuid.uuid4()}").status_code == 404


def test_deliveries_list_with_attempts_and_redeliver(admin_api, admin, receiver, capture):
    services.registration_create(actor=admin, url=receiver.url, events=["test-created"])
    receiver.answers = [500]
    with capture(execute=True):
        services.test_event_send(actor=admin)
    listing = admin_api.get(f"{BASE}/deliveries").json()
    assert listing["totalCount"] == 1
    entry = listing["items"][0]
    assert (entry["status"], entry["attempts"], entry["lastResponseCode"]) == ("pending", 1, 500)
    assert [(a["number"], a["responseCode"]) for a in entry["attemptLog"]] == [(1, 500)]
    with capture(execute=True):
        again = admin_api.post(f"{BASE}/deliveries/{entry['id']}/redeliver")
    assert again.status_code == 202 and again.json()["status"] == "pending"
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)


def test_the_deliveries_list_costs_the_same_queries_for_2_and_20(
    admin_api, admin, receiver, queries_for_2_and_20_deliveries
):
    services.registration_create(actor=admin, url=receiver.url, events=["test-created"])

    def get():
        assert admin_api.get(f"{BASE}/deliveries").status_code == 200

    small, large = queries_for_2_and_20_deliveries(admin, get)
    assert small == large


def test_another_partners_delivery_and_validation_event_are_404(admin, other_admin, receiver, capture):
    services.registration_create(actor=admin, url=receiver.url, events=["test-created"])
    services.registration_create(actor=other_admin, url=receiver.url, events=["test-created"])
    with capture(execute=True):
        theirs = services.test_event_send(actor=other_admin)
    delivery = Delivery.objects.get(event=theirs)
    api = api_for(user=admin)
    assert api.post(f"{BASE}/deliveries/{delivery.pk}/redeliver").status_code == 404
    assert api.get(f"{BASE}/validationEvents/{theirs.pk}").status_code == 404
    assert api.get(f"{BASE}/deliveries").json()["totalCount"] == 0
    assert api.get(BASE).json()["WebhookUrl"] == receiver.url  # its own registration


@pytest.mark.parametrize("role", ["admin_agent", "sales_agent", "billing_admin", "user_management_admin"])
def test_only_global_admins_manage_webhooks(partner, role):
    user = factories.PartnerUserFactory(partner=partner, roles=[role])
    api = api_for(user=user)
    assert api.get(BASE).status_code == 403
    assert (
        api.post(BASE, {"WebhookUrl": "https://x.example.com/", "WebhookEvents": ["test-created"]}).status_code == 403
    )
    assert Registration.objects.count() == 0


def test_an_application_token_is_refused(partner):
    assert api_for(partner=partner).get(BASE).status_code == 403


def test_rotate_shows_the_new_secret_once(admin_api, receiver):
    first = admin_api.post(BASE, {"WebhookUrl": receiver.url, "WebhookEvents": ["test-created"]}).json()
    rotated = admin_api.post(f"{BASE}/secret")
    assert rotated.status_code == 200
    assert rotated.json()["WebhookSecret"] != first["WebhookSecret"]
    assert rotated.json()["WebhookSecret"] == Registration.objects.get().secret


def test_a_bad_active_flag_creates_nothing(admin_api, receiver):
    """Registering checks every field first and writes in one transaction: no registration, no audit record."""
    response = admin_api.post(BASE, {"WebhookUrl": receiver.url, "WebhookEvents": ["test-created"], "Active": "no"})
    assert response.status_code == 400 and response.json()["data"][0].startswith("Active: "), response.json()
    assert not Registration.objects.exists()
    assert not AuditRecord.objects.filter(resource_type="WebhookRegistration").exists()


def test_an_inactive_registration_in_one_call(admin_api, receiver):
    response = admin_api.post(BASE, {"WebhookUrl": receiver.url, "WebhookEvents": ["test-created"], "Active": False})
    assert response.status_code == 201 and response.json()["Active"] is False
    assert Registration.objects.get().active is False
    assert AuditRecord.objects.filter(resource_type="WebhookRegistration").count() == 1
