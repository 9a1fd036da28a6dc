"""The renewals page (domain.md §8, §9): new commerce terms ending in the next 30/60/90 days, its filters, CSV,
empty state, paging cost and who may open it. Every expected value is written by hand (prices from
catalog/data: Business Basic 6.00 USD a month, Standard 12.50, Premium 22.00; a month-to-month term +20 %)."""

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.renewal_selectors import parse_instructions, renewal_rows, renewals_for
from core.errors import InvalidInput
from tests import factories
from tests.builders import login, page_text

TODAY = date(2027, 3, 1)
FABRIKAM = uuid.UUID("11111111-1111-4111-8111-111111111111")
NORTHWIND = uuid.UUID("22222222-2222-4222-8222-222222222222")
SUB = {name: uuid.UUID(f"{n:08d}-0000-4000-8000-000000000000") for n, name in enumerate("ABCDEFGHIJKL", start=1)}
STANDARD_P1Y_ANNUAL = {
    "product": {
        "productId": "CFQ7TTC0LDPB",
        "skuId": "0001",
        "availabilityId": "DZH318Z0BPS6",
        "billingCycle": "annual",
        "termDuration": "P1Y",
    },
    "quantity": 8,
}
STANDARD_P1Y_MONTHLY = {
    "product": {
        "productId": "CFQ7TTC0LDPB",
        "skuId": "0001",
        "availabilityId": "DZH318Z0BPS6",
        "billingCycle": "monthly",
        "termDuration": "P1Y",
    },
    "quantity": 2,
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("portal.renewal_views.utc_today", lambda: TODAY)


def nce(customer, key, offer_id, end, *, partner, term="P1Y", cycle="annual", quantity=10, **fields):
    return factories.SubscriptionFactory(
        id=SUB[key],
        customer=customer,
        partner=partner,
        offer_id=offer_id,
        commerce="new",
        term_duration=term,
        billing_cycle=cycle,
        term_start_date=date(2026, 1, 1),
        commitment_end_date=end,
        quantity=quantity,
        **fields,
    )


@pytest.fixture
def book(partner, other_partner):
    fabrikam = factories.CustomerFactory(tenant_id=FABRIKAM, company_name="Fabrikam", domain="fabrikam.example")
    northwind = factories.CustomerFactory(tenant_id=NORTHWIND, company_name="Northwind", domain="northwind.example")
    for customer in (fabrikam, northwind):
        factories.RelationshipFactory(partner=partner, customer=customer)
    # inside 30 days: ends today (renews tomorrow), with scheduled changes; ends on day 30, auto-renew off
    nce(
        fabrikam,
        "A",
        "m365-business-basic",
        date(2027, 3, 1),
        partner=partner,
        scheduled_next_term_instructions=STANDARD_P1Y_ANNUAL,
    )
    nce(
        fabrikam,
        "B",
        "m365-business-standard",
        date(2027, 3, 31),
        partner=partner,
        cycle="monthly",
        quantity=5,
        auto_renew=False,
    )
    # day 31 (60-day window) with scheduled changes; day 59 month-to-month; day 90 (90-day window)
    nce(
        northwind,
        "C",
        "m365-business-premium",
        date(2027, 4, 1),
        partner=partner,
        quantity=3,
        scheduled_next_term_instructions=STANDARD_P1Y_MONTHLY,
    )
    nce(
        northwind,
        "D",
        "m365-business-basic",
        date(2027, 4, 29),
        partner=partner,
        term="P1M",
        cycle="monthly",
        quantity=20,
    )
    nce(fabrikam, "E", "m365-business-standard", date(2027, 5, 30), partner=partner, term="P3Y", quantity=4)
    # never: ended yesterday; day 91; legacy; suspended; another partner's (its customer, and inside ours)
    nce(fabrikam, "F", "m365-business-basic", date(2027, 2, 28), partner=partner)
    nce(fabrikam, "G", "m365-business-basic", date(2027, 5, 31), partner=partner)
    factories.SubscriptionFactory(
        id=SUB["H"], customer=fabrikam, partner=partner, commitment_end_date=date(2027, 3, 10)
    )  # legacy
    nce(northwind, "I", "m365-business-basic", date(2027, 3, 5), partner=partner, status="suspended")
    elsewhere = factories.CustomerFactory(company_name="Alpine elsewhere")
    factories.RelationshipFactory(partner=other_partner, customer=elsewhere)
    nce(elsewhere, "J", "m365-business-basic", date(2027, 3, 5), partner=other_partner)
    nce(fabrikam, "K", "m365-business-basic", date(2027, 3, 5), partner=other_partner)
    return fabrikam, northwind


def keys(rows) -> list[str]:
    names = {pk: name for name, pk in SUB.items()}
    return [names[row["pk"] if isinstance(row, dict) else row.subscription_id] for row in rows]


# --- the selector ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("within", "expected"), [(30, ["A", "B"]), (60, ["A", "B", "C", "D"]), (90, ["A", "B", "C", "D", "E"])]
)
def test_each_window_shows_the_terms_ending_inside_it(sales_agent, book, within, expected):
    assert keys(renewals_for(actor=sales_agent, within_days=within, today=TODAY)) == expected


@pytest.mark.django_db
def test_the_filters(sales_agent, book):
    def shown(**kwargs):
        return keys(renewals_for(actor=sales_agent, within_days=90, today=TODAY, **kwargs))

    assert shown(search="NORTH") == ["C", "D"]
    assert shown(search="fabrikam.example") == ["A", "B", "E"]
    assert shown(auto_renew=False) == ["B"]
    assert shown(auto_renew=True) == ["A", "C", "D", "E"]
    assert shown(scheduled=True) == ["A", "C"]
    assert shown(scheduled=False) == ["B", "D", "E"]
    assert shown(sort="-renewal") == ["E", "D", "C", "B", "A"]


@pytest.mark.django_db
def test_another_partner_sees_only_its_own(other_partner, book):
    wingtip = factories.PartnerUserFactory(partner=other_partner, roles=["sales_agent"])
    assert keys(renewals_for(actor=wingtip, within_days=30, today=TODAY)) == ["J"]


@pytest.mark.django_db
def test_rows_carry_prices_and_scheduled_changes(sales_agent, book):
    rows = renewal_rows(renewals_for(actor=sales_agent, within_days=60, today=TODAY), today=TODAY)
    a, b, c, d = rows
    assert (a.renewal_date, a.days_left, a.unit_price, a.period_price) == (date(2027, 3, 2), 1, D("72"), D("720"))
    assert (a.scheduled.offer_name, a.scheduled.term_duration, a.scheduled.billing_cycle) == (
        "Microsoft 365 Business Standard",
        "P1Y",
        "annual",
    )
    assert (a.scheduled.quantity, a.scheduled.unit_price, a.scheduled.period_price) == (8, D("150"), D("1200"))
    assert (b.auto_renew, b.scheduled, b.period_price, b.days_left) == (False, None, D("62.50"), 31)
    assert (c.period_price, c.scheduled.period_price, c.scheduled.currency) == (D("792"), D("25"), "USD")
    assert (d.unit_price, d.period_price) == (D("7.20"), D("144"))


@pytest.mark.django_db
def test_a_window_outside_30_60_90_names_the_field(sales_agent):
    with pytest.raises(InvalidInput) as raised:
        renewals_for(actor=sales_agent, within_days=45, today=TODAY)
    assert raised.value.field == "window"


def test_scheduled_instructions_are_read_in_partner_centers_shape():
    assert parse_instructions(STANDARD_P1Y_MONTHLY) == ("CFQ7TTC0LDPB:0001:DZH318Z0BPS6", "P1Y", "monthly", 2)
    assert parse_instructions(None) is None
    assert parse_instructions({}) is None
    assert parse_instructions({"quantity": 3}) == ("", "", "", 3)


# --- the page --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_the_30_days_by_default(client, sales_agent, book):
    login(client, sales_agent)
    response = client.get(reverse("portal:renewals"))
    assert response.status_code == 200
    assert keys(response.context["rows"]) == ["A", "B"]
    html = page_text(response)
    assert "2 new commerce subscriptions whose term ends in the next 30 days" in html
    assert '<td data-label="Term ends" data-term-end>1 Mar 2027</td>' in html
    assert '2 Mar 2027<br><span class="muted">in 1 day</span>' in html
    assert "Microsoft 365 Business Standard, 1 year, billed yearly, 8 seats" in html
    assert "720.00 USD per year" in html and "1,200.00 USD per year" in html
    assert "62.50 USD per month" in html
    assert '<td data-label="Term and billing" data-term>1 year, billed monthly</td>' in html
    assert "Off: it will expire" in html
    assert "Northwind" not in html and "Alpine elsewhere" not in html
    assert 'data-nav="renewals" href="/renewals/"' in html


@pytest.mark.django_db
def test_the_page_filters(client, sales_agent, book):
    login(client, sales_agent)
    response = client.get(reverse("portal:renewals"), {"window": "60", "scheduled": "with", "search": "north"})
    assert keys(response.context["rows"]) == ["C"]
    assert "Microsoft 365 Business Standard, 1 year, billed monthly, 2 seats" in page_text(response)
    response = client.get(reverse("portal:renewals"), {"window": "90", "auto_renew": "on", "sort": "-renewal"})
    assert keys(response.context["rows"]) == ["E", "D", "C", "A"]


@pytest.mark.django_db
def test_a_bad_filter_is_a_400_naming_the_field(client, sales_agent, book):
    login(client, sales_agent)
    response = client.get(reverse("portal:renewals"), {"window": "45"})
    assert response.status_code == 400
    assert '<span class="field__error" role="alert" data-error-for="window">' in page_text(response)


@pytest.mark.django_db
def test_the_empty_states(client, sales_agent, book):
    login(client, sales_agent)
    nothing = client.get(reverse("portal:renewals"), {"search": "zzz"})
    assert "No renewals match these filters" in page_text(nothing) and "data-empty" in page_text(nothing)
    newcomer = factories.PartnerUserFactory(partner=factories.PartnerFactory(code="newcomer"), roles=["sales_agent"])
    login(client, newcomer)
    html = page_text(client.get(reverse("portal:renewals"), {"window": "60"}))
    assert "No new commerce term ends in the next 60 days" in html and "Export CSV" not in html


@pytest.mark.django_db
def test_the_csv_has_every_matching_row(client, sales_agent, book):
    login(client, sales_agent)
    response = client.get(reverse("portal:renewals_export"), {"window": "60"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [
        "customerId,customerName,subscriptionId,offerId,offerName,seats,termDuration,billingCycle,commitmentEndDate,"
        "renewalDate,autoRenewEnabled,scheduledOfferId,scheduledOfferName,scheduledTermDuration,scheduledBillingCycle,"
        "scheduledQuantity,currency,currentUnitPrice,currentPeriodPrice,nextCurrency,nextUnitPrice,nextPeriodPrice",
        "11111111-1111-4111-8111-111111111111,Fabrikam,00000001-0000-4000-8000-000000000000,m365-business-basic,"
        "Microsoft 365 Business Basic,10,P1Y,annual,2027-03-01,2027-03-02,true,m365-business-standard,"
        "Microsoft 365 Business Standard,P1Y,annual,8,USD,72.00,720.00,USD,150.00,1200.00",
        "11111111-1111-4111-8111-111111111111,Fabrikam,00000002-0000-4000-8000-000000000000,m365-business-standard,"
        "Microsoft 365 Business Standard,5,P1Y,monthly,2027-03-31,2027-04-01,false,,,,,,USD,12.50,62.50,,,",
        "22222222-2222-4222-8222-222222222222,Northwind,00000003-0000-4000-8000-000000000000,m365-business-premium,"
        "Microsoft 365 Business Premium,3,P1Y,annual,2027-04-01,2027-04-02,true,m365-business-standard,"
        "Microsoft 365 Business Standard,P1Y,monthly,2,USD,264.00,792.00,USD,12.50,25.00",
        "22222222-2222-4222-8222-222222222222,Northwind,00000004-0000-4000-8000-000000000000,m365-business-basic,"
        "Microsoft 365 Business Basic,20,P1M,monthly,2027-04-29,2027-04-30,true,,,,,,USD,7.20,144.00,,,",
    ]


# --- paging cost -----------------------------------------------------------------------------------------------------


def many(partner, count):
    customer = factories.CustomerFactory(company_name=f"Bulk {count}", domain=f"bulk{count}.example")
    factories.RelationshipFactory(partner=partner, customer=customer)
    for number in range(count):
        factories.SubscriptionFactory(
            customer=customer,
            partner=partner,
            offer_id="m365-business-basic",
            commerce="new",
            term_duration="P1Y",
            billing_cycle="annual",
            commitment_end_date=date(2027, 3, 2 + number % 25),
            scheduled_next_term_instructions=STANDARD_P1Y_ANNUAL if number % 2 else None,
        )


def queries_of(client, page):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("portal:renewals"), {"page": page})
    assert response.status_code == 200
    return len(response.context["rows"]), len(captured)


@pytest.mark.django_db
def test_a_page_costs_the_same_for_5_and_50_rows(client, partner, other_partner):
    small_agent = factories.PartnerUserFactory(partner=other_partner, roles=["sales_agent"])
    many(other_partner, 5)
    login(client, small_agent)
    small = queries_of(client, 1)
    large_agent = factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])
    many(partner, 50)
    login(client, large_agent)
    first, last = queries_of(client, 1), queries_of(client, 2)
    assert (small[0], first[0], last[0]) == (5, 25, 25)
    # session, user, roles, customer admin roles, notifications, partner, the session's save (3) + the count, the
    # page, the commerce products and the prices, the targets of "Schedule change for selected" (a sales agent
    # may schedule changes)
    assert small[1] == first[1] == last[1] == 14


# --- who may open it -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_partner_role_reads_it_customer_admins_and_anonymous_do_not(client, partner, book):
    billing = factories.PartnerUserFactory(partner=partner, roles=["billing_admin"])
    login(client, billing)
    assert client.get(reverse("portal:renewals")).status_code == 200
    admin = factories.CustomerAdminRoleFactory(customer=book[0], role="global_administrator")
    login(client, admin.user)
    for name in ("portal:renewals", "portal:renewals_export"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "Fabrikam" not in page_text(response)
    client.logout()
    for name in ("portal:renewals", "portal:renewals_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
