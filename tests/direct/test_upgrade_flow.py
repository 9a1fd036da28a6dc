"""E4 upgrades end to end through the admin center pages (cart → checkout → place order → executed)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from direct.models import DirectOrder
from notifications.models import Notification
from subscriptions.models import LicenseAssignment, Subscription
from tests.builders import assign, direct_subscription
from upgrades.models import BillingEntry


def checkout_url(customer, subscription, target):
    return reverse(
        "direct:checkout",
        kwargs={"tenant_id": customer.tenant_id, "subscription_id": subscription.pk, "target_offer_id": target},
    )


@pytest.mark.parametrize("target", ["o365-e5", "m365-e5", "m365-e5-no-audio"])
def test_e4_upgrade_end_to_end(admin_client, customer, e4, target, django_capture_on_commit_callbacks):
    users = assign(e4, 6, disabled=["MCOVOICECONF"]) + assign(e4, 2)
    other = direct_subscription(customer, "extra-file-storage", quantity=5)
    LicenseAssignment.objects.create(user=users[0], subscription=other)

    cart = admin_client.get(
        reverse(
            "direct:cart", kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk, "target_offer_id": target}
        )
    )
    assert cart.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            checkout_url(customer, e4, target),
            {"quantity": 12, "billing_cycle": "monthly", "payment_method": "credit_card"},
        )
    order = DirectOrder.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/orders/{order.pk}/")
    assert order.status == "completed" and order.credit > 0

    new = order.target_subscription
    assert (new.offer_id, new.quantity, new.channel, new.payment_method) == (target, 12, "direct", "credit_card")
    assert set(LicenseAssignment.objects.filter(subscription=new).values_list("user_id", flat=True)) == {
        u.pk for u in users
    }
    assert not LicenseAssignment.objects.filter(subscription=new).exclude(disabled_service_plans=[]).exists()
    assert LicenseAssignment.objects.filter(subscription=other, user=users[0]).exists()  # other pattern kept
    e4.refresh_from_db()
    assert e4.status == "deleted" and not e4.assignments.exists()
    credit = BillingEntry.objects.get(subscription=e4, kind="credit")
    assert credit.amount < 0 and credit.operation_id == order.operation_id
    assert BillingEntry.objects.filter(subscription=new, kind="charge").exists()
    assert order.operation.status == "succeeded"
    assert Notification.objects.filter(user=order.placed_by, customer=customer, level="success").exists()

    status_page = admin_client.get(response["Location"])
    assert status_page.status_code == 200
    assert b"Moved 8 users" in status_page.content and b"Cancelled Office 365 E4" in status_page.content
    products = admin_client.get(reverse("direct:products", kwargs={"tenant_id": customer.tenant_id}))
    assert f'data-notice="{order.pk}"'.encode() in products.content


def test_e4_to_e3_is_only_a_plan_change(admin_client, customer, e4):
    tab = admin_client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk})
    )
    content = tab.content.decode()
    upgrades, changes = content.split('id="plan-changes"')
    assert 'data-target="o365-e5"' in upgrades and 'data-target="o365-e3"' not in upgrades
    assert 'data-target="o365-e3"' in changes and 'data-target="m365-e3"' in changes
    response = admin_client.post(
        checkout_url(customer, e4, "o365-e3"),
        {"quantity": 10, "billing_cycle": "monthly", "payment_method": "credit_card"},
    )
    assert response.status_code == 409
    assert b'data-code="fewer_services"' in response.content
    assert not DirectOrder.objects.exists()


def test_addons_included_are_removed_others_move(admin_client, customer, e4, django_capture_on_commit_callbacks):
    assign(e4, 3)
    audio = direct_subscription(customer, "audio-conferencing", parent=e4)
    storage = direct_subscription(customer, "extra-file-storage", parent=e4, quantity=100)
    cart = admin_client.get(
        reverse(
            "direct:cart",
            kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk, "target_offer_id": "o365-e5"},
        )
    )
    assert b'data-addon="audio-conferencing" data-action="remove"' in cart.content
    assert b'data-addon="extra-file-storage" data-action="move"' in cart.content
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            checkout_url(customer, e4, "o365-e5"),
            {"quantity": 10, "billing_cycle": "monthly", "payment_method": "credit_card"},
        )
    order = DirectOrder.objects.get()
    audio.refresh_from_db()
    storage.refresh_from_db()
    assert order.status == "completed"
    assert audio.status == "deleted"
    assert storage.status == "active" and storage.parent_id == order.target_subscription_id
    assert BillingEntry.objects.filter(subscription=audio, kind="credit").exists()


def test_quantity_can_not_go_below_today(admin_client, customer, e4):
    response = admin_client.post(
        checkout_url(customer, e4, "o365-e5"),
        {"quantity": 9, "billing_cycle": "monthly", "payment_method": "credit_card"},
    )
    assert response.status_code == 400 and b"lower than 10" in response.content
    assert not DirectOrder.objects.exists()


def test_invoice_only_above_the_minimum_total(admin_client, customer, e4):
    small = admin_client.get(checkout_url(customer, e4, "o365-e5"), {"quantity": 10, "billing_cycle": "monthly"})
    assert b'value="invoice"' not in small.content  # 10 × 38.00 = 380.00 ≤ 500.00
    refused = admin_client.post(
        checkout_url(customer, e4, "o365-e5"), {"quantity": 10, "billing_cycle": "monthly", "payment_method": "invoice"}
    )
    assert refused.status_code == 400 and not DirectOrder.objects.exists()
    large = admin_client.get(checkout_url(customer, e4, "o365-e5"), {"quantity": 20, "billing_cycle": "monthly"})
    assert b'value="invoice"' in large.content
    assert b"Sold to" in large.content and b"Fabrikam AB" in large.content


def test_prepaid_e4_forfeit_must_be_confirmed(admin_client, customer, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    e4 = direct_subscription(
        customer,
        prepaid=True,
        billing_cycle="annual",
        term_start_date=today - timedelta(days=30),
        commitment_end_date=today + timedelta(days=334),
    )
    page = admin_client.get(checkout_url(customer, e4, "o365-e5"), {"quantity": 10, "billing_cycle": "monthly"})
    assert b"data-forfeit" in page.content and b"confirm_forfeit" in page.content
    data = {"quantity": 10, "billing_cycle": "monthly", "payment_method": "credit_card"}
    refused = admin_client.post(checkout_url(customer, e4, "o365-e5"), data)
    assert refused.status_code == 400 and not DirectOrder.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        placed = admin_client.post(checkout_url(customer, e4, "o365-e5"), {**data, "confirm_forfeit": "on"})
    assert placed.status_code == 302
    order = DirectOrder.objects.get()
    assert order.forfeit_confirmed and order.forfeited > Decimal("1500") and order.credit == Decimal("380.00")
    assert order.status == "completed"
    assert BillingEntry.objects.get(subscription=e4, kind="charge").amount == order.forfeited


def test_annual_order_keeps_the_prepaid_value(admin_client, customer):
    today = timezone.localdate()
    e4 = direct_subscription(customer, prepaid=True, billing_cycle="annual", term_start_date=today - timedelta(days=30))
    page = admin_client.get(checkout_url(customer, e4, "o365-e5"), {"quantity": 10, "billing_cycle": "annual"})
    assert b"data-forfeit" not in page.content


def test_other_tenants_and_partner_users_get_404(client, customer, e4):
    from tests import factories

    outsider = factories.UserFactory()
    factories.CustomerAdminRoleFactory(user=outsider, role="global_administrator")
    partner_user = factories.PartnerUserFactory()
    factories.RelationshipFactory(partner=partner_user.partner, customer=customer)
    urls = [
        reverse("direct:products", kwargs={"tenant_id": customer.tenant_id}),
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk}),
    ]
    for user in (outsider, partner_user):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404]


def test_roles(client, customer, e4):
    from tests import factories

    license_admin = factories.UserFactory()
    factories.CustomerAdminRoleFactory(user=license_admin, customer=customer, role="license_administrator")
    client.force_login(license_admin)
    assert client.get(reverse("direct:products", kwargs={"tenant_id": customer.tenant_id})).status_code == 200
    response = client.post(
        checkout_url(customer, e4, "o365-e5"),
        {"quantity": 10, "billing_cycle": "monthly", "payment_method": "credit_card"},
    )
    assert response.status_code == 403 and not DirectOrder.objects.exists()
    assert Subscription.objects.get(pk=e4.pk).status == "active"
