"""While a direct order is queued or running, the tenant's admin writes answer 423 (pages and /v1/me) and reads
keep working; once it has run, both work again (domain.md §6: the tenant is locked during the upgrade)."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from direct import pipeline, services
from direct.execution import direct_order_execute
from tests.builders import assign, direct_subscription


@pytest.fixture
def api(client, admin):
    _, raw = ApiToken.issue(user=admin)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def page(name, customer, **kwargs):
    return reverse(f"direct:{name}", kwargs={"tenant_id": customer.tenant_id, **kwargs})


def me(customer, tail):
    return f"/v1/me/customers/{customer.tenant_id}{tail}"


@pytest.fixture
def placed(admin, customer, e4):
    """E4 → Office 365 E5 by card, no credit check: queued (the worker hasn't run it yet)."""
    users = assign(e4, 2)
    spare = direct_subscription(customer, "m365-e3", quantity=5)
    order = services.direct_upgrade_place(
        actor=admin, customer=customer, subscription_id=e4.pk, target_offer_id="o365-e5", payment_method="credit_card"
    )
    assert (order.status, order.credit_check) == ("queued", "not_required")
    return order, users, spare


def page_writes(client, customer, e4, spare, users):
    purchase = {"offer_id": "o365-e3", "quantity": 1, "billing_cycle": "monthly", "payment_method": "credit_card"}
    return [
        client.post(page("purchase", customer), purchase).status_code,
        client.post(
            page("licenses_move", customer),
            {"source_id": e4.pk, "target_id": spare.pk, "user_ids": [str(users[0].object_id)]},
        ).status_code,
        client.post(page("cancel", customer, subscription_id=spare.pk), {"confirm": "yes"}).status_code,
        client.post(
            page("checkout", customer, subscription_id=spare.pk, target_offer_id="m365-e5"),
            {"quantity": 5, "billing_cycle": "monthly", "payment_method": "credit_card"},
        ).status_code,
    ]


def page_reads(client, customer, e4, order):
    return [
        client.get(page("products", customer)).status_code,
        client.get(page("subscription", customer, subscription_id=e4.pk)).status_code,
        client.get(page("upgrade", customer, subscription_id=e4.pk)).status_code,
        client.get(page("order", customer, order_id=order.pk)).status_code,
    ]


def me_writes(client, api, customer, e4, spare, users):
    responses = [
        client.post(
            me(customer, "/orders"),
            {"offerId": "o365-e3", "quantity": 1, "paymentMethod": "credit_card"},
            content_type="application/json",
            **api,
        ),
        client.post(
            me(customer, "/licenseMoves"),
            {
                "sourceSubscriptionId": str(e4.pk),
                "targetSubscriptionId": str(spare.pk),
                "userIds": [str(users[0].object_id)],
            },
            content_type="application/json",
            **api,
        ),
        client.post(
            me(customer, f"/subscriptions/{spare.pk}/orders"),
            {"targetOfferId": "m365-e5", "paymentMethod": "credit_card"},
            content_type="application/json",
            **api,
        ),
    ]
    return responses


def me_reads(client, api, customer, e4, order):
    return [
        client.get(me(customer, "/subscriptions"), **api).status_code,
        client.get(me(customer, f"/subscriptions/{e4.pk}/upgradeOptions"), **api).status_code,
        client.get(me(customer, f"/orders/{order.pk}"), **api).status_code,
    ]


@pytest.mark.parametrize("state", ["queued", "running"])
def test_pages_lock_writes_and_keep_reads_while_an_order_is_open(admin_client, customer, e4, placed, state):
    order, users, spare = placed
    if state == "running":
        pipeline.operation_started(order)
        order.operation.refresh_from_db()
        assert order.operation.status == "in_progress"
    assert page_writes(admin_client, customer, e4, spare, users) == [423, 423, 423, 423]
    refused = admin_client.post(page("cancel", customer, subscription_id=spare.pk), {"confirm": "yes"})
    assert b"locked while an order is queued or running" in refused.content
    assert page_reads(admin_client, customer, e4, order) == [200, 200, 200, 200]
    products = admin_client.get(page("products", customer))
    assert b'data-locked="upgrade"' in products.content
    spare.refresh_from_db()
    assert spare.status == "active" and users[0].licenses.get().subscription_id == e4.pk


@pytest.mark.parametrize("state", ["queued", "running"])
def test_me_api_answers_423_on_writes_and_200_on_reads_while_an_order_is_open(client, api, customer, e4, placed, state):
    order, users, spare = placed
    if state == "running":
        pipeline.operation_started(order)
    refused = me_writes(client, api, customer, e4, spare, users)
    assert [r.status_code for r in refused] == [423, 423, 423]
    assert {r.json()["errorName"] for r in refused} == {"tenant_locked"}
    assert "queued or running" in refused[0].json()["description"]
    assert me_reads(client, api, customer, e4, order) == [200, 200, 200]


def test_after_the_order_ran_pages_and_me_api_write_again(admin_client, client, api, customer, e4, placed):
    order, users, spare = placed
    direct_order_execute(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "completed" and not services.is_tenant_locked(customer)
    new = order.target_subscription

    assert page_reads(admin_client, customer, new, order) == [200, 200, 200, 200]
    assert b"data-locked" not in admin_client.get(page("products", customer)).content
    moved = admin_client.post(
        page("licenses_move", customer),
        {"source_id": new.pk, "target_id": spare.pk, "user_ids": [str(users[0].object_id)]},
    )
    assert moved.status_code == 302
    assert users[0].licenses.get().subscription_id == spare.pk

    assert me_reads(client, api, customer, new, order) == [200, 200, 200]
    moved_back = client.post(
        me(customer, "/licenseMoves"),
        {
            "sourceSubscriptionId": str(spare.pk),
            "targetSubscriptionId": str(new.pk),
            "userIds": [str(users[0].object_id)],
        },
        content_type="application/json",
        **api,
    )
    assert moved_back.status_code == 200 and moved_back.json()["moved"] == 1
    bought = client.post(
        me(customer, "/orders"),
        {"offerId": "o365-e3", "quantity": 1, "paymentMethod": "credit_card"},
        content_type="application/json",
        **api,
    )
    assert bought.status_code == 201 and bought.json()["status"] == "queued"
