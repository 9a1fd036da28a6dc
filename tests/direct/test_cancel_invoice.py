"""Cancelling a subscription under /v1/me and on the page (after a confirmation step); an order's invoice."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ApiToken
from audit.models import AuditRecord
from direct import invoices, services
from subscriptions.models import Subscription
from tests import factories
from tests.builders import assign, direct_subscription, tokens_just_used

MARCH_11 = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


@pytest.fixture
def api(client, admin):
    _, raw = ApiToken.issue(user=admin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def cancel_url(customer, subscription):
    return f"/v1/me/customers/{customer.tenant_id}/subscriptions/{subscription.pk}/cancel"


def test_the_api_cancels_through_the_service(api, customer, e4):
    response = api.post(cancel_url(customer, e4), {"confirm": True}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert (response.json()["id"], response.json()["status"]) == (str(e4.pk), "deleted")
    assert Subscription.objects.get(pk=e4.pk).status == "deleted"
    record = AuditRecord.objects.get(operation_type="update_subscription")
    assert (record.resource_old_value, record.resource_new_value) == (
        {"id": str(e4.pk), "status": "active"},
        {"id": str(e4.pk), "status": "deleted"},
    )
    again = api.post(cancel_url(customer, e4), {"confirm": True}, content_type="application/json")
    assert again.status_code == 409 and again.json()["errorName"] == "conflict"


def test_the_api_refuses_without_confirmation_or_while_users_hold_licenses(api, customer, e4):
    unconfirmed = api.post(cancel_url(customer, e4), {"confirm": False}, content_type="application/json")
    assert unconfirmed.status_code == 400
    assert unconfirmed.json()["data"] == ["confirm: set confirm to true to cancel the subscription."]
    assign(e4, 2)
    held = api.post(cancel_url(customer, e4), {"confirm": True}, content_type="application/json")
    assert held.status_code == 400
    assert held.json()["data"] == ["subscriptionId: Move the 2 users who still hold its licenses first."]
    assert Subscription.objects.get(pk=e4.pk).status == "active" and not AuditRecord.objects.exists()


def test_the_api_answers_404_for_another_tenant_and_403_for_a_reader(client, customer, e4):
    theirs = direct_subscription(factories.CustomerFactory(company_name="Northwind"))
    reader = factories.UserFactory(username="lars")
    factories.CustomerAdminRoleFactory(user=reader, customer=customer, role="user_administrator")
    _, raw = ApiToken.issue(user=reader)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "content_type": "application/json"}
    assert client.post(cancel_url(customer, theirs), {"confirm": True}, **auth).status_code == 404
    assert client.post(cancel_url(customer, e4), {"confirm": True}, **auth).status_code == 403
    assert set(Subscription.objects.values_list("status", flat=True)) == {"active"}


def test_the_page_asks_for_confirmation_first(admin_client, customer, e4):
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": e4.pk}
    detail = admin_client.get(reverse("direct:subscription", kwargs=kwargs)).content.decode()
    assert f'href="{reverse("direct:cancel", kwargs=kwargs)}"' in detail  # a link to the confirmation, no form
    confirm = admin_client.get(reverse("direct:cancel", kwargs=kwargs))
    assert confirm.status_code == 200
    assert "Cancel Office 365 E4 (10 licenses)?" in confirm.content.decode()
    assert Subscription.objects.get(pk=e4.pk).status == "active"
    unconfirmed = admin_client.post(reverse("direct:cancel", kwargs=kwargs))
    assert unconfirmed.status_code == 400 and "Confirm that you want to cancel" in unconfirmed.content.decode()
    assert Subscription.objects.get(pk=e4.pk).status == "active"
    done = admin_client.post(reverse("direct:cancel", kwargs=kwargs), {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse(
        "direct:products", kwargs={"tenant_id": customer.tenant_id}
    )
    assert Subscription.objects.get(pk=e4.pk).status == "deleted"


# -- invoice ----------------------------------------------------------------------------------------------------


@pytest.fixture
def order(admin, customer, e4):
    direct_subscription(customer, "extra-file-storage", parent=e4, quantity=10)
    return services.direct_upgrade_place(
        actor=admin,
        customer=customer,
        subscription_id=e4.pk,
        target_offer_id="o365-e5",
        payment_method="credit_card",
        now=MARCH_11,
    )


EXPECTED_TOTALS = {
    "currency": "USD",
    "total": "380.00",  # 38.00 × 10 licenses
    "chargeToday": "257.42",  # 38.00 × 10 × 21 / 31 = 257.419…
    "proratedCredit": "149.03",  # E4: 22.00 × 10 × 21 / 31 = 149.032…
    "forfeited": "0.00",
    "amountDue": "108.39",  # 257.42 − 149.03
}


def test_the_invoice_reads_the_orders_records(admin, customer, order):
    invoice = invoices.order_invoice(order)
    assert invoice.sold_to == {
        "companyName": "Fabrikam AB",
        "domain": "fabrikam.onmicrosoft.com",
        "country": "SE",
        "tenantId": str(customer.tenant_id),
    }
    assert invoice.billed_to == {
        "paymentMethod": "credit_card",
        "paymentMethodName": "Credit card",
        "name": admin.get_full_name() or "greta",
        "email": admin.email,
    }
    assert [(i.offer_id, i.kind, i.quantity, str(i.unit_price), str(i.amount)) for i in invoice.items] == [
        ("o365-e5", "item", 10, "38.00", "380.00"),
        ("extra-file-storage", "addon_move", 10, "None", "0.00"),
    ]


def test_the_invoice_api_and_page(api, admin_client, customer, order):
    body = api.get(f"/v1/me/customers/{customer.tenant_id}/orders/{order.pk}/invoice").json()
    assert {k: body[k] for k in EXPECTED_TOTALS} == EXPECTED_TOTALS
    assert (body["orderId"], body["soldTo"]["companyName"], body["billedTo"]["paymentMethod"]) == (
        str(order.pk),
        "Fabrikam AB",
        "credit_card",
    )
    assert body["items"][0] == {
        "description": "Office 365 E5 (Monthly)",
        "offerId": "o365-e5",
        "kind": "item",
        "quantity": 10,
        "unitPrice": "38.00",
        "amount": "380.00",
    }
    assert body["attributes"] == {"objectType": "DirectInvoice"}
    page = admin_client.get(reverse("direct:invoice", kwargs={"tenant_id": customer.tenant_id, "order_id": order.pk}))
    content = page.content.decode()
    assert page.status_code == 200
    for expected in ("Sold to", "Billed to", "Items in this order", "257.42 USD", "−149.03 USD", "108.39 USD"):
        assert expected in content
    status_page = admin_client.get(
        reverse("direct:order", kwargs={"tenant_id": customer.tenant_id, "order_id": order.pk})
    )
    assert reverse("direct:invoice", kwargs={"tenant_id": customer.tenant_id, "order_id": order.pk}) in (
        status_page.content.decode()
    )


def test_another_tenants_invoice_is_not_found(api, admin_client, customer):
    other = factories.CustomerFactory(company_name="Northwind")
    their_admin = factories.UserFactory(username="nils")
    factories.CustomerAdminRoleFactory(user=their_admin, customer=other, role="global_administrator")
    theirs = services.direct_upgrade_place(
        actor=their_admin,
        customer=other,
        subscription_id=direct_subscription(other).pk,
        target_offer_id="o365-e5",
        payment_method="credit_card",
        now=MARCH_11,
    )
    for tenant in (customer, other):
        assert api.get(f"/v1/me/customers/{tenant.tenant_id}/orders/{theirs.pk}/invoice").status_code == 404
        kwargs = {"tenant_id": tenant.tenant_id, "order_id": theirs.pk}
        assert admin_client.get(reverse("direct:invoice", kwargs=kwargs)).status_code == 404


def test_the_invoice_reads_a_fixed_number_of_queries_whatever_the_add_ons(api, admin, customer):
    counts = []
    for addons in (1, 4):
        tenant = factories.CustomerFactory(company_name=f"Tenant {addons}")
        factories.CustomerAdminRoleFactory(user=admin, customer=tenant, role="global_administrator")
        e4 = direct_subscription(tenant)
        for offer_id in ("exchange-online-archiving", "phone-system", "audio-conferencing", "extra-file-storage")[
            :addons
        ]:
            direct_subscription(tenant, offer_id, parent=e4, quantity=10)
        placed = services.direct_upgrade_place(
            actor=admin,
            customer=tenant,
            subscription_id=e4.pk,
            target_offer_id="o365-e5",
            payment_method="credit_card",
            now=MARCH_11,
        )
        tokens_just_used()
        with CaptureQueriesContext(connection) as queries:
            body = api.get(f"/v1/me/customers/{tenant.tenant_id}/orders/{placed.pk}/invoice").json()
        assert len(body["items"]) == 1 + addons
        counts.append(len(queries))
    assert counts[0] == counts[1]
