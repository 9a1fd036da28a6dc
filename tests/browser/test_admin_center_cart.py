"""A direct customer's global administrator in the admin center: the cart's totals follow the license count,
checkout goes back to the cart with the choices kept, and cancelling a subscription asks first.

Prices are the catalog's (Office 365 E4 22.00 USD, Office 365 E5 38.00 USD per license a month); the invoice is
offered above 500.00 USD (``DIRECT_INVOICE_MINIMUM_TOTAL``), so 15 licenses (570.00 USD) announce a credit check
for paying by invoice, 10 (380.00 USD) do not.
"""

import pytest
from playwright.sync_api import expect

from direct.models import DirectOrder
from subscriptions.models import Subscription
from tests.builders import BROWSER_DB, direct_subscription, e4_tenant, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def fabrikam_ab(db):
    customer, e4, users = e4_tenant()
    spare = direct_subscription(customer, "m365-business-basic", quantity=3)  # no users: can be cancelled
    return customer, e4, spare


def test_cart_totals_follow_licenses_and_checkout_goes_back_to_edit(page, fabrikam_ab, screenshot):
    customer, e4, _ = fabrikam_ab
    sign_in(page, "greta")
    page.goto(f"/admin-center/{customer.tenant_id}/subscriptions/{e4.pk}/upgrade/")

    # The Upgrade tab shows what each plan costs.
    expect(page.locator("#upgrades")).to_contain_text("22.00 USD per license a month")  # today: E4
    e5 = page.locator("#upgrades li[data-target='o365-e5']")
    expect(e5).to_contain_text("38.00 USD per license a month")
    e5.get_by_role("link", name="Upgrade").click()

    # The cart: 10 licenses today, 380.00 USD; no credit check offered at that total.
    subtotal = page.locator("[data-subtotal]")
    expect(subtotal).to_have_text("380.00 USD")
    expect(page.locator("[data-credit-check]")).to_have_count(0)
    expect(page.get_by_role("button", name="Update totals")).to_be_hidden()  # the script refreshes instead

    # 15 licenses: the totals follow without a reload, and invoice (with its credit check) is announced.
    page.get_by_label("Licenses").fill("15")
    expect(subtotal).to_have_text("570.00 USD")
    expect(page.locator("[data-cart-quantity]")).to_have_text("15")
    expect(page.locator("[data-credit-check='invoice']")).to_be_visible()

    # Fewer than today's licenses: the fault is shown, the form stays, the totals are today's.
    page.get_by_label("Licenses").fill("5")
    expect(page.locator("[data-cart-fault]")).to_contain_text("can't be lower than 10")
    expect(subtotal).to_have_text("380.00 USD")
    expect(page.get_by_label("Licenses")).to_be_visible()

    # Annual, 15 licenses: a year's price.
    page.get_by_label("Licenses").fill("15")
    page.get_by_label("Payment frequency").select_option("annual")
    expect(subtotal).to_have_text("6,840.00 USD")  # 38.00 × 12 × 15
    expect(page.locator("[data-credit-check='always']")).to_be_visible()  # above 5,000.00 USD whatever the method
    page.get_by_label("Payment frequency").select_option("monthly")
    expect(subtotal).to_have_text("570.00 USD")
    page.get_by_role("button", name="Check out").click()

    # Checkout, then back to the cart with 15 licenses and monthly kept; change to 12; check out again.
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.get_by_text("Office 365 E5 × 15 (Monthly)")).to_be_visible()
    page.get_by_role("link", name="Back to the cart to change licenses or payment frequency").click()
    expect(page.get_by_label("Licenses")).to_have_value("15")
    expect(page.get_by_label("Payment frequency")).to_have_value("monthly")
    page.get_by_label("Licenses").fill("12")
    expect(subtotal).to_have_text("456.00 USD")
    screenshot("-cart")
    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_text("Office 365 E5 × 12 (Monthly)")).to_be_visible()
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", name="Check upgrade status")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "completed")
    expect(page.locator("[data-step]").first).to_be_visible()
    order = DirectOrder.objects.get(customer=customer)
    assert order.quantity == 12 and order.target_subscription.quantity == 12

    # Your orders lists it, with its status and invoice.
    page.get_by_role("navigation", name="Admin center").get_by_role("link", name="Your orders").click()
    row = page.locator(f"tr[data-order='{order.pk}']")
    expect(row).to_contain_text("Office 365 E5")
    expect(row).to_contain_text("456.00 USD")


def test_cancel_asks_for_confirmation_first(page, fabrikam_ab, screenshot):
    customer, _, spare = fabrikam_ab
    sign_in(page, "greta")
    page.goto(f"/admin-center/{customer.tenant_id}/subscriptions/{spare.pk}/")

    page.get_by_role("link", name="Cancel subscription").click()
    expect(page.get_by_role("heading", name="Cancel subscription")).to_be_visible()
    expect(page.get_by_text("Cancel Microsoft 365 Business Basic (3 licenses)?")).to_be_visible()
    spare.refresh_from_db()
    assert spare.status == "active"  # asking changed nothing

    page.get_by_role("link", name="Keep the subscription").click()
    expect(page.get_by_role("heading", name="Microsoft 365 Business Basic", level=1)).to_be_visible()
    spare.refresh_from_db()
    assert spare.status == "active"

    page.get_by_role("link", name="Cancel subscription").click()
    screenshot("-confirm")
    page.get_by_role("button", name="Yes, cancel the subscription").click()
    expect(page.get_by_text("The subscription is cancelled.")).to_be_visible()
    assert Subscription.objects.get(pk=spare.pk).status == "deleted"

    # A deleted subscription offers no Upgrade, on the products page or its own tabs.
    row = page.locator("tbody tr", has_text="Microsoft 365 Business Basic")
    expect(row).to_contain_text("Deleted")
    expect(row.get_by_role("link", name="Upgrade")).to_have_count(0)
    row.get_by_role("link", name="Microsoft 365 Business Basic").click()
    expect(page.get_by_role("navigation", name="Subscription").get_by_role("link", name="Upgrade")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel subscription")).to_have_count(0)
