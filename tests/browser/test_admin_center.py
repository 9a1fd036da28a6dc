"""A direct customer's global administrator upgrades Office 365 E4 to Office 365 E5 in the admin center."""

import pytest
from playwright.sync_api import expect

from direct.models import DirectOrder
from subscriptions.models import LicenseAssignment
from tests.builders import BROWSER_DB, e4_tenant, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def fabrikam_ab(db):
    """Fabrikam AB (Sweden): ``greta`` is its global administrator; an Office 365 E4 bought directly by credit
    card, 10 licenses, 6 of them assigned."""
    return e4_tenant()


def test_global_admin_upgrades_e4_to_e5_by_credit_card(page, fabrikam_ab, screenshot):
    customer, e4, users = fabrikam_ab
    sign_in(page, "greta")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Admin center").click()

    # Billing › Your products (the only tenant greta administers opens directly).
    expect(page.get_by_role("heading", name="Your products")).to_be_visible()
    page.get_by_role("link", name="Office 365 E4", exact=True).click()
    expect(page.get_by_role("heading", name="Office 365 E4", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Subscription").get_by_role("link", name="Upgrade").click()

    # The Upgrade tab: E5 keeps every service (an upgrade); E3 has fewer (a manual plan change only).
    upgrades = page.locator("#upgrades")
    expect(upgrades).to_contain_text("These plans keep every service you have today.")
    e5 = upgrades.locator("li[data-target='o365-e5']")
    expect(e5).to_contain_text("Office 365 E5")
    expect(upgrades.locator("li[data-target='o365-e3']")).to_have_count(0)
    expect(page.locator("#plan-changes li[data-target='o365-e3']")).to_contain_text("Office 365 E3")
    e5.get_by_role("link", name="Upgrade").click()

    # The cart: licenses never below 10, monthly; the prorated credit for E4's unused time.
    expect(page.get_by_text("Upgrade to Office 365 E5")).to_be_visible()
    licenses = page.get_by_label("Licenses")
    expect(licenses).to_have_value("10")
    licenses.fill("12")
    page.get_by_label("Payment frequency").select_option("monthly")
    page.get_by_role("button", name="Check out").click()

    # Checkout: sold to, billed to (credit card: the order is under the invoice and credit-check thresholds).
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.get_by_text("Fabrikam AB (fabrikam.onmicrosoft.com, SE)")).to_be_visible()
    expect(page.get_by_text("Office 365 E5 × 12 (Monthly)")).to_be_visible()
    expect(page.locator("[data-credit]")).to_contain_text("−")
    page.locator("#id_payment_method").select_option("credit_card")
    page.get_by_role("button", name="Place order").click()

    # Check upgrade status: completed at once (no credit check), with the notice and the new subscription.
    expect(page.get_by_role("heading", name="Check upgrade status")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "completed")
    order = DirectOrder.objects.get(customer=customer)
    assert order.status == "completed" and order.payment_method == "credit_card"
    expect(page.get_by_text(order.completed_notice)).to_be_visible()
    expect(page.get_by_role("link", name="Open the new subscription")).to_be_visible()

    # Your products: E5 active with 12 licenses and the completion notice; E4 no longer active.
    page.get_by_role("link", name="Billing › Your products").click()
    e5_row = page.locator("tbody tr", has_text="Office 365 E5")
    expect(e5_row).to_have_count(1)
    expect(e5_row.locator(f"[data-notice='{order.pk}']")).to_be_visible()
    expect(e5_row.locator("td").nth(1)).to_have_text("12")
    expect(e5_row.locator("td").nth(2)).to_have_text(str(len(users)))
    expect(e5_row.locator("td").nth(3)).to_contain_text("Active")
    for row in page.locator("tbody tr", has_text="Office 365 E4").all():
        expect(row.locator("td").nth(3)).not_to_contain_text("Active")
    new = order.target_subscription
    assert new.offer_id == "o365-e5" and new.quantity == 12
    assert LicenseAssignment.objects.filter(subscription=new).count() == len(users)
    screenshot()
