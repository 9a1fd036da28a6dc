"""Every /v1/me/ fault names the field as the client sent it (camelCase), whatever the service calls it."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from direct.api.faults import camel_case
from tests.builders import assign, direct_subscription


@pytest.fixture
def api(client, admin):
    _, raw = ApiToken.issue(user=admin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


@pytest.fixture
def world(customer, e4):
    """The E4 (10 licenses, 4 assigned) and an E3."""
    assign(e4, 4)
    e3 = direct_subscription(customer, "o365-e3", quantity=2)
    return {"e4": e4, "e3": e3}


def prepaid(subscription):
    """Prepaid, annual, a month into its term: more value left than a monthly E5 order costs."""
    today = timezone.localdate()
    subscription.prepaid = True
    subscription.billing_cycle = "annual"
    subscription.term_start_date = today - timedelta(days=30)
    subscription.commitment_end_date = today + timedelta(days=334)
    subscription.save()


def owing(subscription):
    subscription.unpaid_balance = Decimal("12.50")
    subscription.save()


# (case, the subscription in the URL (or None), tail, body, setup, status, the field named first in data)
CASES = [
    ("cart: not an option", "e3", "cart", {"targetOfferId": "o365-e1"}, None, 400, "targetOfferId"),
    (
        "order: invoice below the minimum",
        "e4",
        "orders",
        {"targetOfferId": "o365-e5", "paymentMethod": "invoice"},
        None,
        400,
        "paymentMethod",
    ),
    (
        "order: forfeit not confirmed",
        "e4",
        "orders",
        {"targetOfferId": "o365-e5", "quantity": 10, "billingCycle": "monthly", "paymentMethod": "credit_card"},
        prepaid,
        400,
        "confirmForfeit",
    ),
    (
        "purchase: unknown offer",
        None,
        "orders",
        {"offerId": "nope", "quantity": 1, "paymentMethod": "credit_card"},
        None,
        400,
        "offerId",
    ),
    (
        "license move: unknown target",
        None,
        "licenseMoves",
        {"sourceSubscriptionId": "e4", "targetSubscriptionId": str(uuid.UUID(int=7)), "allUsers": True},
        None,
        400,
        "targetSubscriptionId",
    ),
    (
        "license move: same subscription",
        None,
        "licenseMoves",
        {"sourceSubscriptionId": "e4", "targetSubscriptionId": "e4", "allUsers": True},
        None,
        400,
        "targetSubscriptionId",
    ),
    ("seats: below the assigned", "e4", "seatChanges", {"quantity": 3}, None, 400, "quantity"),
    ("seats: a partner's subscription", "csp", "seatChanges", {"quantity": 3}, None, 400, "subscriptionId"),
    ("payment: by invoice", "e4", "payments", {"paymentMethod": "invoice"}, owing, 400, "paymentMethod"),
    ("payment: stale amount", "e4", "payments", {"amount": "1.00"}, owing, 400, "amount"),
    ("payment: nothing to pay", "e4", "payments", {}, None, 409, "subscriptionId"),
    ("cancel: not confirmed", "e4", "cancel", {"confirm": False}, None, 400, "confirm"),
    ("cancel: users still hold licenses", "e4", "cancel", {"confirm": True}, None, 400, "subscriptionId"),
]


@pytest.mark.parametrize(("case", "sub", "tail", "body", "setup", "status", "field"), CASES, ids=[c[0] for c in CASES])
def test_faults_name_the_camel_case_field(api, customer, world, case, sub, tail, body, setup, status, field):
    world["csp"] = direct_subscription(customer, "o365-e3", channel="csp", payment_method="")
    if setup:
        setup(world[sub])
    body = {k: str(world[v].pk) if isinstance(v, str) and v in world else v for k, v in body.items()}
    base = f"/v1/me/customers/{customer.tenant_id}"
    url = f"{base}/subscriptions/{world[sub].pk}/{tail}" if sub else f"{base}/{tail}"
    response = api.post(url, body, content_type="application/json")
    assert response.status_code == status, response.json()
    fault = response.json()
    assert fault["data"][0].split(":")[0] == field
    assert "_" not in fault["data"][0].split(":")[0]


def test_url_faults_name_the_url_parameters(api, customer):
    base = f"/v1/me/customers/{customer.tenant_id}"
    assert api.get(f"{base}/orders/not-a-guid").json()["data"][0].split(":")[0] == "orderId"
    missing = api.get(f"{base}/orders/{uuid.UUID(int=9)}/invoice").json()
    assert missing["data"][0].split(":")[0] == "orderId"
    elsewhere = api.get(f"/v1/me/customers/{uuid.UUID(int=5)}/subscriptions").json()
    assert elsewhere["data"][0].split(":")[0] == "customerTenantId"


@pytest.mark.parametrize(
    ("snake", "camel"),
    [
        ("payment_method", "paymentMethod"),
        ("target_offer_id", "targetOfferId"),
        ("confirm_forfeit", "confirmForfeit"),
        ("quantity", "quantity"),
    ],
)
def test_camel_case(snake, camel):
    assert camel_case(snake) == camel
