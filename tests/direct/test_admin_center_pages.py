"""The admin center's pages as a customer admin sees them (issue 14): the cart keeps its form after a fault and
refreshes its totals, checkout links back to the cart, the Upgrade tab shows prices, a deleted subscription offers
no upgrade, the order page names its kind and lists its steps, a purchase's fault shows once, the credit check is
announced before it is needed, and the admin center links to the tenant's orders and partner relationships.

Prices are the catalog's per license a month: Office 365 E4 22.00 USD, Office 365 E5 38.00 USD.
"""

import re

import pytest
from django.urls import reverse

from direct import services
from direct.models import DirectOrder
from tests import factories
from tests.builders import direct_subscription

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def cart_url(customer, subscription, target="o365-e5"):
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": subscription.pk, "target_offer_id": target}
    return reverse("direct:cart", kwargs=kwargs)


def checkout_url(customer, subscription, target="o365-e5"):
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": subscription.pk, "target_offer_id": target}
    return reverse("direct:checkout", kwargs=kwargs)


def test_cart_shows_totals_for_the_license_count(admin_client, customer, e4):
    page = admin_client.get(cart_url(customer, e4), {"quantity": "15", "billing_cycle": "monthly"})
    assert page.status_code == 200
    body = text(page)
    assert "data-subtotal>570.00 USD<" in body
    assert "38.00 USD per license" in body
    assert 'name="quantity" value="15"' in body


def test_cart_fragment_answers_the_totals_alone(admin_client, customer, e4):
    page = admin_client.get(cart_url(customer, e4), {"quantity": "12", "billing_cycle": "monthly", "fragment": "items"})
    assert page.status_code == 200
    body = text(page)
    assert "data-subtotal>456.00 USD<" in body
    assert "<form" not in body and "<html" not in body


def test_a_fault_in_the_cart_keeps_the_form_and_shows_the_fault_once(admin_client, customer, e4):
    page = admin_client.get(cart_url(customer, e4), {"quantity": "4", "billing_cycle": "monthly"})
    assert page.status_code == 400
    body = text(page)
    assert body.count("can&#x27;t be lower than 10") == 1  # on the field, not above the page too
    assert 'name="quantity" value="4"' in body and 'aria-invalid="true"' in body  # what was typed, marked
    assert "data-subtotal>380.00 USD<" in body  # today's 10 licenses
    assert "Check out" in body
    fragment = admin_client.get(cart_url(customer, e4), {"quantity": "4", "fragment": "items"})
    assert fragment.status_code == 400
    assert "data-cart-fault" in text(fragment) and "data-subtotal>380.00 USD<" in text(fragment)


def test_a_fault_reaching_checkout_goes_back_to_the_cart_form(admin_client, customer, e4):
    page = admin_client.get(checkout_url(customer, e4), {"quantity": "abc", "billing_cycle": "monthly"})
    assert page.status_code == 400
    body = text(page)
    assert "Quantity must be a whole number." in body and "Check out" in body and "Place order" not in body


def test_a_target_not_offered_shows_its_fault_without_a_form(admin_client, customer, e4):
    page = admin_client.get(cart_url(customer, e4, target="o365-e1"))
    assert page.status_code == 400
    assert "isn&#x27;t an upgrade option" in text(page) and "Check out" not in text(page)


def test_checkout_links_back_to_the_cart_with_the_choices(admin_client, customer, e4):
    page = admin_client.get(checkout_url(customer, e4), {"quantity": "15", "billing_cycle": "annual"})
    assert page.status_code == 200
    back = f"{cart_url(customer, e4)}?quantity=15&amp;billing_cycle=annual"
    assert f'href="{back}" data-back-to-cart' in text(page)
    assert "Office 365 E5 × <span data-cart-quantity>15</span> (Annual)" in text(page)


@pytest.mark.parametrize(
    ("quantity", "cycle", "announced"),
    [
        ("10", "monthly", None),  # 380.00 USD: invoice isn't offered, so no credit check either
        ("15", "monthly", "invoice"),  # 570.00 USD: invoice offered (above 500.00), and it needs a credit check
        ("15", "annual", "always"),  # 6,840.00 USD: above 5,000.00, a credit check whatever the method
    ],
)
def test_the_credit_check_is_announced_before_the_order(admin_client, customer, e4, quantity, cycle, announced):
    body = text(admin_client.get(cart_url(customer, e4), {"quantity": quantity, "billing_cycle": cycle}))
    found = re.findall(r'data-credit-check="(\w+)"', body)
    assert found == ([announced] if announced else [])


def test_upgrade_tab_shows_prices(admin_client, customer, e4):
    page = admin_client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk})
    )
    body = text(page)
    assert 'Today: Office 365 E4 · <span class="muted" data-price="22.00">22.00 USD per license a month' in body
    e5 = body.split('data-target="o365-e5"')[1].split("</li>")[0]
    assert "38.00 USD per license a month" in e5
    e3 = body.split('id="plan-changes"')[1].split('data-target="o365-e3"')[1].split("</li>")[0]
    assert "23.00 USD per license a month" in e3


def test_annual_subscription_shows_yearly_prices(admin_client, customer):
    annual = direct_subscription(customer, billing_cycle="annual")
    body = text(
        admin_client.get(
            reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": annual.pk})
        )
    )
    assert "456.00 USD per license a year" in body  # 38.00 × 12


def test_a_deleted_subscription_offers_no_upgrade(admin_client, customer):
    deleted = direct_subscription(customer, status="deleted")
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": deleted.pk}
    detail = text(admin_client.get(reverse("direct:subscription", kwargs=kwargs)))
    assert reverse("direct:upgrade", kwargs=kwargs) not in detail
    products = text(admin_client.get(reverse("direct:products", kwargs={"tenant_id": customer.tenant_id})))
    assert reverse("direct:upgrade", kwargs=kwargs) not in products
    tab = text(admin_client.get(reverse("direct:upgrade", kwargs=kwargs)))
    assert 'data-code="subscription_deleted"' in tab
    assert "can&#x27;t be upgraded or reactivated" in tab
    assert "Reactivate" not in tab


def test_a_disabled_subscription_with_a_balance_says_to_pay_it(admin_client, customer):
    disabled = direct_subscription(customer, status="disabled", unpaid_balance="44.00")
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": disabled.pk}
    tab = text(admin_client.get(reverse("direct:upgrade", kwargs=kwargs)))
    assert "The subscription is disabled." in tab
    assert "Pay the outstanding balance to reactivate the subscription, then try again." in tab


def test_purchase_of_zero_licenses_says_so_once(admin_client, customer):
    page = admin_client.post(
        reverse("direct:purchase", kwargs={"tenant_id": customer.tenant_id}),
        {"offer_id": "o365-e3", "quantity": "0", "billing_cycle": "monthly", "payment_method": "credit_card"},
    )
    assert page.status_code == 400
    body = text(page)
    assert body.count("Ensure this value is greater than or equal to 1.") == 1
    assert "can&#x27;t be removed as part of an upgrade" not in body
    assert not customer.direct_orders.exists()


def test_a_purchase_service_fault_shows_on_its_field(admin_client, customer):
    page = admin_client.post(
        reverse("direct:purchase", kwargs={"tenant_id": customer.tenant_id}),
        {"offer_id": "o365-e3", "quantity": "300001", "billing_cycle": "monthly", "payment_method": "credit_card"},
    )
    assert page.status_code == 400
    assert text(page).count("must be between 1 and 300000 for Office 365 E3.") == 1


def purchase(admin, customer, offer_id="o365-e3", quantity=2):
    """A purchase through the service; marked completed afterwards (test set-up), so that the next one isn't
    refused while this one is open."""
    order = services.direct_purchase_place(
        actor=admin,
        customer=customer,
        offer_id=offer_id,
        quantity=quantity,
        billing_cycle="monthly",
        payment_method="credit_card",
    )
    DirectOrder.objects.filter(pk=order.pk).update(status="completed")
    return order


def test_order_page_names_its_kind_and_lists_its_steps(admin_client, admin, customer):
    order = purchase(admin, customer)
    page = text(
        admin_client.get(reverse("direct:order", kwargs={"tenant_id": customer.tenant_id, "order_id": order.pk}))
    )
    assert "<h1>Check order status</h1>" in page and "Check upgrade status" not in page
    assert page.count("data-step>") >= 1
    assert '<ol class="timeline" data-steps>' in page


def test_orders_page_lists_the_tenant_orders_only(admin_client, admin, customer, django_assert_max_num_queries):
    mine = [purchase(admin, customer, quantity=n) for n in (1, 2, 3)]
    other = factories.CustomerFactory(company_name="Other AB")
    other_admin = factories.UserFactory(username="olle")
    factories.CustomerAdminRoleFactory(user=other_admin, customer=other, role="global_administrator")
    theirs = purchase(other_admin, other)
    url = reverse("direct:orders", kwargs={"tenant_id": customer.tenant_id})
    page = text(admin_client.get(url))
    for order in mine:
        assert f'data-order="{order.pk}"' in page
    assert str(theirs.pk) not in page
    assert admin_client.get(reverse("direct:orders", kwargs={"tenant_id": other.tenant_id})).status_code == 404

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(12):
        purchase(admin, customer, quantity=n + 1)
    assert count() == few  # flat as orders grow


def test_empty_orders_page(admin_client, customer):
    page = text(admin_client.get(reverse("direct:orders", kwargs={"tenant_id": customer.tenant_id})))
    assert "No orders yet" in page and "data-empty" in page


def test_admin_center_links_to_orders_and_to_relationships_for_the_global_admin(client, admin, customer):
    products = reverse("direct:products", kwargs={"tenant_id": customer.tenant_id})
    client.force_login(admin)
    page = text(client.get(products))
    assert 'data-subnav="orders"' in page and 'data-subnav="relationships"' in page
    billing = factories.UserFactory(username="bertil")
    factories.CustomerAdminRoleFactory(user=billing, customer=customer, role="billing_administrator")
    client.force_login(billing)
    page = text(client.get(products))
    assert 'data-subnav="orders"' in page
    assert 'data-subnav="relationships"' not in page  # only a global administrator approves relationships


def test_v1_me_upgrade_options_carry_prices(client, admin, customer, e4):
    from accounts.models import ApiToken

    _, raw = ApiToken.issue(user=admin)
    body = client.get(
        f"/v1/me/customers/{customer.tenant_id}/subscriptions/{e4.pk}/upgradeOptions",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).json()
    assert body["currentPrice"] == {"unitPrice": "22.00", "currency": "USD", "billingCycle": "monthly"}
    e5 = next(o for o in body["upgrades"] if o["targetOffer"]["id"] == "o365-e5")
    assert e5["price"] == {"unitPrice": "38.00", "currency": "USD", "billingCycle": "monthly"}
    e3 = next(o for o in body["planChanges"] if o["targetOffer"]["id"] == "o365-e3")
    assert e3["price"]["unitPrice"] == "23.00"
