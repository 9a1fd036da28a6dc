"""Credit check: two business days in the customer's country, the tenant locked meanwhile, decline = no change."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from core.errors import Conflict, Locked
from direct import services
from direct.models import DirectOrder
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import assign, direct_subscription

FRIDAY = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)  # Tuesday 6 Jan (Epiphany) is a Swedish holiday


def place_invoice_order(admin, customer, e4, **kwargs):
    return services.direct_upgrade_place(
        actor=admin,
        customer=customer,
        subscription_id=e4.pk,
        target_offer_id="o365-e5",
        quantity=20,
        billing_cycle="monthly",
        payment_method="invoice",
        now=FRIDAY,
        **kwargs,
    )


def test_invoice_order_waits_two_swedish_business_days_and_locks_writes(admin, admin_client, customer, e4):
    users = assign(e4, 5)
    spare = direct_subscription(customer, "o365-e5", quantity=10)
    order = place_invoice_order(admin, customer, e4)
    assert order.status == "awaiting_credit_check" and order.credit_check == "pending"
    assert order.credit_check_deadline == datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
    assert order.operation.status == "awaiting_credit_check"

    # reads keep working, writes are refused (423) — users keep E4
    products = admin_client.get(reverse("direct:products", kwargs={"tenant_id": customer.tenant_id}))
    assert products.status_code == 200 and b"waiting for a credit check" in products.content
    move = admin_client.post(
        reverse("direct:licenses_move", kwargs={"tenant_id": customer.tenant_id}),
        {"source_id": e4.pk, "target_id": spare.pk, "all_users": "on"},
    )
    assert move.status_code == 423
    with pytest.raises(Locked):
        services.direct_purchase_place(
            actor=admin,
            customer=customer,
            offer_id="o365-e3",
            quantity=1,
            billing_cycle="monthly",
            payment_method="credit_card",
        )
    assert LicenseAssignment.objects.filter(subscription=e4).count() == len(users)

    # the Upgrade tab explains the wait
    tab = admin_client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk})
    )
    assert b'data-code="upgrade_in_progress"' in tab.content

    assert services.credit_check_deadlines_process(now=datetime(2026, 1, 6, 23, 0, tzinfo=UTC)) == 0
    assert DirectOrder.objects.get().status == "awaiting_credit_check"
    assert services.credit_check_deadlines_process(now=datetime(2026, 1, 7, 10, 0, tzinfo=UTC)) == 1
    order.refresh_from_db()
    assert order.status == "declined" and order.operation.status == "declined"
    e4.refresh_from_db()
    assert e4.status == "active" and e4.assignments.count() == len(users)
    assert Subscription.objects.filter(customer=customer).count() == 2  # nothing bought
    assert not services.is_tenant_locked(customer)


def test_operator_declines_in_the_admin_and_nothing_changes(admin, customer, e4, client):
    assign(e4, 3)
    order = place_invoice_order(admin, customer, e4)
    operator = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    response = client.post(
        reverse("admin:direct_directorder_changelist"),
        {"action": "decline_credit_check", "_selected_action": [order.pk]},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "declined" and order.credit_check_note
    e4.refresh_from_db()
    assert e4.status == "active" and e4.assignments.count() == 3
    with pytest.raises(Conflict):
        services.credit_check_approve(actor=operator, order_id=order.pk)


def test_operator_approves_and_the_upgrade_runs(admin, customer, e4, client, django_capture_on_commit_callbacks):
    assign(e4, 3)
    order = place_invoice_order(admin, customer, e4)
    operator = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:direct_directorder_changelist"),
            {"action": "approve_credit_check", "_selected_action": [order.pk]},
        )
    order.refresh_from_db()
    assert order.status == "completed" and order.credit_check == "approved"
    assert order.target_subscription.assignments.count() == 3
    assert [c.to_status for c in order.operation.history] == [
        "pending",
        "awaiting_credit_check",
        "in_progress",
        "succeeded",
    ]


@override_settings(CREDIT_CHECK_BACKEND="direct.credit.AutomaticCreditCheck")
def test_automatic_backend_decides_at_once(admin, customer, e4, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_invoice_order(admin, customer, e4)
    order.refresh_from_db()
    assert order.credit_check == "approved" and order.status == "completed"


@override_settings(CREDIT_CHECK_BACKEND="direct.credit.AutomaticCreditCheck", CREDIT_CHECK_THRESHOLD=100)
def test_automatic_backend_declines_with_an_unpaid_balance(admin, customer, e4):
    direct_subscription(customer, "o365-e3", unpaid_balance="10.00")
    order = services.direct_upgrade_place(
        actor=admin,
        customer=customer,
        subscription_id=e4.pk,
        target_offer_id="o365-e5",
        payment_method="credit_card",
        now=FRIDAY,
    )
    assert order.status == "declined" and "unpaid" in order.credit_check_note
    e4.refresh_from_db()
    assert e4.status == "active"


def test_no_credit_check_for_a_small_card_order(admin, customer, e4):
    order = services.direct_upgrade_place(
        actor=admin, customer=customer, subscription_id=e4.pk, target_offer_id="o365-e5", payment_method="credit_card"
    )
    assert order.credit_check == "not_required" and order.status == "queued"
