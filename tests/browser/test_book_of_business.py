"""A sales agent's book of business in a real browser: the home page's chart, the opportunities filtered by
market and target, their CSV export and one row's wizard."""

import csv
import io
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.builders import BROWSER_DB, add_users, grant_gdap, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def book(partner):
    """Contoso's agent ``ana``: Fabrikam (US) holds a Business Basic, Tata Traders (India) a Business Basic (India)
    with 5 seats, 2 of them assigned; both sold by Contoso, both with license-writing GDAP."""
    agent = factories.PartnerUserFactory(partner=partner, username="ana", roles=["sales_agent"])
    fabrikam = factories.CustomerFactory(company_name="Fabrikam Inc", country="US")
    tata = factories.CustomerFactory(company_name="Tata Traders", country="IN")
    start = date.today().replace(day=1)
    subscriptions = {}
    for customer, offer, seats in ((fabrikam, "m365-business-basic", 10), (tata, "m365-business-basic-in", 5)):
        factories.RelationshipFactory(partner=partner, customer=customer)
        grant_gdap(partner=partner, customer=customer, user=agent)
        subscriptions[offer] = factories.SubscriptionFactory(
            customer=customer,
            partner=partner,
            offer_id=offer,
            quantity=seats,
            term_start_date=start,
            commitment_end_date=start + timedelta(days=364),
        )
    add_users(subscriptions["m365-business-basic-in"], 2)
    return tata, subscriptions["m365-business-basic-in"]


def test_home_chart_then_opportunities_by_market_and_target_csv_and_wizard(page, book, screenshot):
    tata, basic_in = book
    sign_in(page, "ana")

    # Home: the subscriptions chart is drawn (charts.js marks the canvas) and says its numbers in text.
    expect(page.locator("canvas[data-chart-drawn='true']").first).to_be_attached()
    # The opportunity value arrives after the page: Fabrikam 10 × (38.00 − 6.00) USD to Office 365 E5, its best target (USD is the main currency).
    expect(page.locator("[data-figure='opportunities'] .figure__value")).to_have_text("320.00 USD")
    screenshot("home")

    page.get_by_role("link", name="Opportunities", exact=True).first.click()
    expect(page.get_by_role("heading", name="Opportunities", level=1)).to_be_visible()
    expect(page.locator("table[data-opportunities] > tbody > tr[data-subscription]")).to_have_count(2)
    # The whole-book charts arrive after the page (summary.json) and are drawn too.
    expect(page.locator("[data-chart-key='uplift-by-market'] canvas[data-chart-drawn='true']")).to_be_attached()

    page.get_by_label("Market", exact=True).select_option("IN")
    page.get_by_label("Target offer", exact=True).select_option("m365-business-standard-in")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table[data-opportunities] > tbody > tr[data-subscription]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Tata Traders")
    expect(rows.first.locator("[data-unused]")).to_have_text("3")
    screenshot("opportunities-india")

    with page.expect_download() as download_info:
        page.locator("a[data-export]").click()
    content = download_info.value.path().read_text(encoding="utf-8")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0] == [
        "customerId",
        "customerName",
        "country",
        "subscriptionId",
        "sourceOfferId",
        "seats",
        "assigned",
        "targetOfferId",
        "eligible",
        "reasons",
        "currency",
        "currentMonthly",
        "targetMonthly",
        "monthlyUplift",
        "yearlyUplift",
    ]
    # Business Basic (India) INR 145.00 → Business Standard (India) INR 660.00 a seat a month, 5 seats.
    assert lines[1:] == [
        [
            str(tata.tenant_id),
            "Tata Traders",
            "IN",
            str(basic_in.pk),
            "m365-business-basic-in",
            "5",
            "2",
            "m365-business-standard-in",
            "true",
            "",
            "INR",
            "145.00",
            "660.00",
            "2575.00",
            "30900.00",
        ]
    ]

    rows.first.locator("a[data-wizard]").click()
    expect(page.get_by_role("heading", name="Upgrade Microsoft 365 Business Basic (India)", level=1)).to_be_visible()
    expect(
        page.get_by_role("heading", name="2. Seats and billing for Microsoft 365 Business Standard (India)")
    ).to_be_visible()
