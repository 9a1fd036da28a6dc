"""A partner sales agent upgrades a Business Basic subscription through the wizard; another partner gets a 404."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from subscriptions.models import Subscription
from tests import factories
from tests.builders import BROWSER_DB, add_users, grant_gdap, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def contoso_world(partner):
    """Contoso's agent ``ana`` (sales_agent, license-writing GDAP) and three customers; Fabrikam has a Business
    Basic sold by Contoso (10 seats, 3 licensed users) and an Office 365 E3 bought directly from Microsoft."""
    agent = factories.PartnerUserFactory(
        partner=partner,
        username="ana",
        email="ana@contoso-csp.example",
        first_name="Ana",
        last_name="Silva",
        roles=["sales_agent"],
    )
    fabrikam = factories.CustomerFactory(company_name="Fabrikam Inc", domain="fabrikam.onmicrosoft.com")
    for customer in (
        fabrikam,
        factories.CustomerFactory(company_name="Northwind Traders"),
        factories.CustomerFactory(company_name="Tailspin Toys"),
    ):
        factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=fabrikam, user=agent)
    start = date.today().replace(day=1)
    basic = factories.SubscriptionFactory(
        customer=fabrikam,
        partner=partner,
        offer_id="m365-business-basic",
        quantity=10,
        term_start_date=start,
        commitment_end_date=start + timedelta(days=364),
    )
    add_users(basic, 3)
    factories.SubscriptionFactory(
        customer=fabrikam,
        offer_id="o365-e3",
        quantity=4,
        channel="direct",
        partner=None,
        channel_partner_name="",
        payment_method="invoice",
    )
    return fabrikam, basic


def test_sales_agent_upgrades_business_basic_to_e1(page, contoso_world, screenshot):
    fabrikam, basic = contoso_world
    sign_in(page, "ana")  # sign-in lands on the home page; the menu leads on to the customer list
    page.locator('[data-nav="customers"]').click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)

    page.get_by_role("searchbox").fill("fabrikam")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="Fabrikam Inc").click()

    expect(page.get_by_role("heading", name="Fabrikam Inc", level=1)).to_be_visible()
    basic_row = page.locator("tbody tr", has_text="Microsoft 365 Business Basic")
    basic_row.locator("a[data-upgrade='available']").click()

    # Step 1: every target. The Office 365 E3 bought directly blocks E3 (already held) and E5 / Business Standard
    # (services it already provides): greyed out, each with its reason, not selectable. E1 can be chosen.
    expect(page.get_by_role("heading", name="Upgrade Microsoft 365 Business Basic")).to_be_visible()
    reasons = {
        "o365-e3": "The customer already holds the target offer.",
        "o365-e5": "The customer already has services the target would add",
        "m365-business-standard": "The customer already has services the target would add",
    }
    for offer_id, reason in reasons.items():
        blocked = page.locator(f".option[data-target='{offer_id}']")
        expect(blocked).to_have_attribute("data-eligible", "false")
        expect(blocked).to_contain_text("Not eligible")
        expect(blocked).to_contain_text("3 · conflicting_service_types")
        expect(blocked).to_contain_text(reason)
        expect(blocked).to_contain_text("Direct (Microsoft) · Invoice")
        expect(blocked.locator("input[type=radio]")).to_be_disabled()
    eligible = page.locator("label.option[data-target='o365-e1']")
    expect(eligible).to_have_attribute("data-eligible", "true")
    expect(eligible).to_contain_text("Upgrade with license transfer")
    grey, normal = (
        option.locator(".option__title").evaluate("el => getComputedStyle(el).color")
        for option in (page.locator(".option[data-target='o365-e3']"), eligible)
    )
    assert grey != normal, "an ineligible target should be greyed out"
    screenshot("-1-targets")

    eligible.click()
    page.get_by_role("button", name="Next: seats and billing").click()

    # Step 2: seats (never below 10) and the billing cycle.
    expect(page.get_by_role("heading", name="2. Seats and billing for Office 365 E1")).to_be_visible()
    seats = page.get_by_label("Seats")
    expect(seats).to_have_value("10")
    seats.fill("12")
    expect(page.get_by_label("Monthly")).to_be_checked()
    page.get_by_role("button", name="Next: review").click()

    # Step 3: the review with the credit for Business Basic and the charge for E1.
    expect(page.get_by_role("heading", name="3. Review the upgrade")).to_be_visible()
    expect(page.locator("[data-review='target']")).to_have_text("Office 365 E1")
    expect(page.locator("[data-review='quantity']")).to_have_text("12")
    credit = page.locator("tr[data-billing='credit'] td").inner_text()
    charge = page.locator("tr[data-billing='charge'] td").inner_text()
    assert re.fullmatch(r"−?[\d,]+\.\d\d USD", credit), credit
    assert re.fullmatch(r"[\d,]+\.\d\d USD", charge), charge
    expect(page.locator("tr[data-billing='credit']")).to_contain_text("Microsoft 365 Business Basic × 10")
    expect(page.locator("tr[data-billing='charge']")).to_contain_text("Office 365 E1 × 12")
    screenshot("-2-review")
    page.get_by_role("button", name="Upgrade now").click()

    # The result: succeeded, the new subscription, the same amounts booked, three licenses moved.
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_text("The subscription was upgraded.")).to_be_visible()
    new = Subscription.objects.get(customer=fabrikam, offer_id="o365-e1")
    target = page.locator("[data-result='target']")
    expect(target).to_contain_text("Office 365 E1")
    expect(target).to_contain_text("Active")
    expect(target).to_contain_text(str(new.pk))
    expect(page.locator("[data-result='licenses-moved']")).to_have_text("3")
    expect(page.locator("tr[data-billing='credit'] td.amount")).to_have_text(credit)
    expect(page.locator("tr[data-billing='charge'] td.amount")).to_have_text(charge)

    screenshot("-3-result")

    # The customer page now lists E1 as active and Business Basic no longer as active.
    page.get_by_role("link", name="Customer page").click()
    expect(page.get_by_role("heading", name="Fabrikam Inc", level=1)).to_be_visible()
    e1_row = page.locator("tbody tr", has_text="Office 365 E1")
    expect(e1_row).to_have_count(1)
    expect(e1_row.locator("[data-label='Status']")).to_contain_text("Active")
    expect(e1_row.locator("[data-label='Seats']")).to_have_text("12")
    old_rows = page.locator("tbody tr", has_text="Microsoft 365 Business Basic")
    for index in range(old_rows.count()):
        expect(old_rows.nth(index).locator("[data-label='Status']")).not_to_contain_text("Active")
    basic.refresh_from_db()
    assert basic.status == "deleted" and new.quantity == 12
    screenshot()


def test_another_partners_user_gets_not_found(page, contoso_world, other_partner, screenshot):
    fabrikam, basic = contoso_world
    factories.PartnerUserFactory(partner=other_partner, username="wes", roles=["global_admin"])
    sign_in(page, "wes")
    page.locator('[data-nav="customers"]').click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    expect(page.get_by_text("Fabrikam Inc")).to_have_count(0)

    for path in (
        f"/customers/{fabrikam.tenant_id}/",
        f"/customers/{fabrikam.tenant_id}/subscriptions/{basic.pk}/upgrade/",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.get_by_text("There is nothing here, or it is not yours to see.")).to_be_visible()
        expect(page.get_by_text("Fabrikam")).to_have_count(0)
    screenshot()
