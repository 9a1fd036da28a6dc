"""/v1/me/ for customer admins' tokens: options with reasons, cart, order, status, license moves."""

import pytest

from accounts.models import ApiToken
from direct.models import DirectOrder, HighVolumeCondition
from tests import factories
from tests.builders import assign, direct_subscription


@pytest.fixture
def api(client, admin):
    _, raw = ApiToken.issue(user=admin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def url(customer, tail=""):
    return f"/v1/me/customers/{customer.tenant_id}{tail}"


def test_subscriptions_and_upgrade_options(api, customer, e4):
    assign(e4, 4)
    listed = api.get(url(customer, "/subscriptions")).json()
    assert listed["totalCount"] == 1 and listed["items"][0]["assignedLicenses"] == 4
    options = api.get(url(customer, f"/subscriptions/{e4.pk}/upgradeOptions")).json()
    assert options["canUpgrade"] is True and options["reasons"] == []
    assert [o["targetOffer"]["id"] for o in options["upgrades"]] == ["o365-e5", "m365-e5", "m365-e5-no-audio"]
    assert [o["targetOffer"]["id"] for o in options["planChanges"]] == ["o365-e3", "m365-e3"]
    assert options["planChanges"][0]["reasons"][0]["code"] == "fewer_services"


def test_reasons_alone_and_together(api, customer, e4):
    HighVolumeCondition.objects.create()
    body = api.get(url(customer, f"/subscriptions/{e4.pk}/upgradeOptions")).json()
    assert [r["code"] for r in body["reasons"]] == ["high_volume"]
    assert body["reasons"][0]["whatToDo"] == "Try again in about an hour."
    customer.segment = "government"
    customer.service_health_incident = True
    customer.save()
    assign(e4, 11)
    body = api.get(url(customer, f"/subscriptions/{e4.pk}/upgradeOptions")).json()
    assert {r["code"] for r in body["reasons"]} == {
        "high_volume",
        "segment_not_supported",
        "service_health_incident",
        "license_conflict",
    }
    refused = api.post(
        url(customer, f"/subscriptions/{e4.pk}/orders"),
        {"targetOfferId": "o365-e5", "paymentMethod": "credit_card"},
        content_type="application/json",
    )
    assert refused.status_code == 409 and refused.json()["errorName"] == "upgrade_not_available"
    assert len(refused.json()["data"]) == 4 and not DirectOrder.objects.exists()


def test_cart_order_and_status(api, customer, e4, django_capture_on_commit_callbacks):
    assign(e4, 3)
    direct_subscription(customer, "audio-conferencing", parent=e4)
    quote = api.post(
        url(customer, f"/subscriptions/{e4.pk}/cart"),
        {"targetOfferId": "o365-e5", "quantity": 20},
        content_type="application/json",
    ).json()
    assert quote["total"] == "760.00" and quote["soldTo"]["companyName"] == "Fabrikam AB"
    assert [m["paymentMethod"] for m in quote["paymentMethods"]] == ["credit_card", "invoice"]
    assert quote["addOns"][0]["action"] == "remove"
    low = api.post(
        url(customer, f"/subscriptions/{e4.pk}/cart"),
        {"targetOfferId": "o365-e5", "quantity": 5},
        content_type="application/json",
    )
    assert low.status_code == 400 and low.json()["data"][0].startswith("quantity:")
    with django_capture_on_commit_callbacks(execute=True):
        placed = api.post(
            url(customer, f"/subscriptions/{e4.pk}/orders"),
            {"targetOfferId": "m365-e5", "paymentMethod": "credit_card"},
            content_type="application/json",
        )
    assert placed.status_code == 201
    status = api.get(url(customer, f"/orders/{placed.json()['id']}")).json()
    assert status["status"] == "completed" and status["targetSubscriptionId"]
    assert any("Moved 3 users" in step["description"] for step in status["steps"])


def test_license_moves_and_purchase(api, customer, e4, django_capture_on_commit_callbacks):
    users = assign(e4, 3)
    with django_capture_on_commit_callbacks(execute=True):
        bought = api.post(
            url(customer, "/orders"),
            {"offerId": "o365-e3", "quantity": 5, "paymentMethod": "credit_card"},
            content_type="application/json",
        )
    assert bought.status_code == 201
    target = DirectOrder.objects.get().target_subscription_id
    moved = api.post(
        url(customer, "/licenseMoves"),
        {"sourceSubscriptionId": str(e4.pk), "targetSubscriptionId": str(target), "userIds": [str(users[0].object_id)]},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["moved"] == 1
    bad = api.post(
        url(customer, "/licenseMoves"),
        {"sourceSubscriptionId": str(e4.pk), "targetSubscriptionId": str(target)},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "userIds" in bad.json()["description"]


def test_scope_and_tokens(client, api, customer, e4):
    other = factories.CustomerFactory()
    assert api.get(url(other, "/subscriptions")).status_code == 404
    assert api.get(url(customer, f"/subscriptions/{direct_subscription(other).pk}/upgradeOptions")).status_code == 404
    partner_user = factories.PartnerUserFactory()
    _, raw = ApiToken.issue(user=partner_user)
    response = client.get(url(customer, "/subscriptions"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    _, raw = ApiToken.issue(partner=partner_user.partner)
    assert client.get(url(customer, "/subscriptions"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    assert client.get(url(customer, "/subscriptions"), HTTP_AUTHORIZATION="").status_code == 401
