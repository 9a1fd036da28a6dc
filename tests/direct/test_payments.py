"""Paying an unpaid balance (simulated provider): recorded, audited, and then the Upgrade tab opens."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import ApiToken
from audit.models import AuditRecord
from core.errors import Conflict, Forbidden, InvalidInput
from direct import payments
from direct.models import Payment
from subscriptions.models import Subscription
from tests import factories
from tests.builders import direct_subscription


def upgrade_tab_codes(client, customer, subscription):
    response = client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": subscription.pk})
    )
    assert response.status_code == 200
    section = response.content.decode().split('id="plan-changes"')[0]
    return {chunk.split('"')[0] for chunk in section.split('data-code="')[1:]}


@pytest.fixture
def owing(e4):
    e4.unpaid_balance = Decimal("12.50")
    e4.save()
    return e4


def test_paying_on_the_page_opens_the_upgrade_tab(admin_client, customer, owing):
    assert upgrade_tab_codes(admin_client, customer, owing) == {"unpaid_balance"}
    tab = admin_client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": owing.pk})
    ).content.decode()
    assert "Pay 12.50 USD now" in tab
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": owing.pk}
    paid = admin_client.post(reverse("direct:pay", kwargs=kwargs), {"amount": "12.50"})
    assert paid.status_code == 302 and paid["Location"] == reverse("direct:upgrade", kwargs=kwargs)
    assert upgrade_tab_codes(admin_client, customer, owing) == set()
    page = admin_client.get(reverse("direct:upgrade", kwargs=kwargs)).content.decode()
    assert 'data-target="o365-e5"' in page and "Unpaid balance" not in page
    payment = Payment.objects.get()
    assert (payment.amount, payment.currency, payment.payment_method, payment.backend) == (
        Decimal("12.50"),
        "USD",
        "credit_card",
        "direct.payments.RecordingPaymentBackend",
    )
    assert payment.reference.startswith("SIM-") and len(payment.reference) == 16
    assert Subscription.objects.get(pk=owing.pk).unpaid_balance == Decimal("0.00")
    record = AuditRecord.objects.get(operation_type="create_payment")
    assert record.resource_type == "payment" and record.customer_id == customer.pk
    assert record.resource_old_value == {"subscriptionId": str(owing.pk), "unpaidBalance": "12.50"}
    assert record.resource_new_value == {
        "id": str(payment.pk),
        "subscriptionId": str(owing.pk),
        "amount": "12.50",
        "currency": "USD",
        "reference": payment.reference,
        "unpaidBalance": "0.00",
    }


def test_the_api_pays_the_balance(client, admin, customer, owing):
    _, raw = ApiToken.issue(user=admin)
    url = f"/v1/me/customers/{customer.tenant_id}/subscriptions/{owing.pk}/payments"
    response = client.post(
        url, {"amount": "12.50"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["currency"], body["paymentMethod"], body["unpaidBalance"]) == (
        "12.50",
        "USD",
        "credit_card",
        "0.00",
    )
    assert body["attributes"] == {"objectType": "Payment"} and body["id"] == str(Payment.objects.get().pk)
    options = client.get(
        f"/v1/me/customers/{customer.tenant_id}/subscriptions/{owing.pk}/upgradeOptions",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).json()
    assert options["canUpgrade"] is True and options["reasons"] == []
    again = client.post(url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert again.status_code == 409 and again.json()["data"] == [
        "subscriptionId: There's no unpaid balance on this subscription."
    ]


def test_a_stale_amount_is_refused(admin, customer, owing):
    with pytest.raises(InvalidInput) as refused:
        payments.balance_pay(actor=admin, customer=customer, subscription_id=owing.pk, amount="10.00")
    assert (refused.value.field, refused.value.message) == ("amount", "Amount must be the unpaid balance, 12.50.")
    assert not Payment.objects.exists() and Subscription.objects.get(pk=owing.pk).unpaid_balance == Decimal("12.50")


@override_settings(PAYMENTS_BACKEND="direct.payments.DecliningPaymentBackend")
def test_a_declined_payment_changes_nothing(admin, customer, owing):
    with pytest.raises(Conflict) as refused:
        payments.balance_pay(actor=admin, customer=customer, subscription_id=owing.pk)
    assert (refused.value.error_name, refused.value.message) == (
        "payment_declined",
        "The payment was declined: The card was declined.",
    )
    assert not Payment.objects.exists() and not AuditRecord.objects.exists()
    assert Subscription.objects.get(pk=owing.pk).unpaid_balance == Decimal("12.50")


def test_a_role_without_the_buy_right_cannot_pay(client, customer, owing):
    reader = factories.UserFactory(username="lars")
    factories.CustomerAdminRoleFactory(user=reader, customer=customer, role="license_administrator")
    with pytest.raises(Forbidden):
        payments.balance_pay(actor=reader, customer=customer, subscription_id=owing.pk)
    client.force_login(reader)
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": owing.pk}
    assert client.post(reverse("direct:pay", kwargs=kwargs)).status_code == 403
    assert not Payment.objects.exists()


def test_another_tenants_balance_is_not_found(admin_client, customer):
    theirs = direct_subscription(factories.CustomerFactory(company_name="Northwind"), unpaid_balance="5.00")
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": theirs.pk}
    assert admin_client.post(reverse("direct:pay", kwargs=kwargs)).status_code == 404
    assert not Payment.objects.exists()
