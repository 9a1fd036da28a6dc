"""The opportunities page, its CSV and ``/v1/opportunities``: the upgrade engine's options with prices and uplift."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import UpgradePath
from opportunities.selectors import book_summary, clear_cache
from tests import factories
from tests.builders import api_for, login, make_subscription, make_upgradable, sub_url, tokens_just_used

pytestmark = pytest.mark.django_db

COLUMNS = (
    "customerId,customerName,country,subscriptionId,sourceOfferId,seats,assigned,targetOfferId,eligible,reasons,"
    "currency,currentMonthly,targetMonthly,monthlyUplift,yearlyUplift"
)


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def book(partner, other_partner, sales_agent):
    """Alpha (US): Business Basic, 10 seats monthly, 3 assigned, DAP: every target eligible.
    Beta (DE, education): Business Standard, 4 seats annual, no delegated access: every target blocked.
    Theirs: another partner's customer (never shown)."""
    alpha = make_upgradable(
        partner=partner,
        agent=sales_agent,
        customer=factories.CustomerFactory(company_name="Alpha Ltd", country="US", domain="alpha.example"),
    )
    beta = factories.CustomerFactory(company_name="Beta GmbH", country="DE", segment="education", domain="beta.example")
    factories.RelationshipFactory(partner=partner, customer=beta)
    beta_sub = make_subscription(beta, "m365-business-standard", partner=partner, quantity=4, billing_cycle="annual")
    theirs = factories.CustomerFactory(company_name="Theirs Co")
    factories.RelationshipFactory(partner=other_partner, customer=theirs)
    factories.DapGrantFactory(partner=other_partner, customer=theirs)
    their_sub = make_subscription(theirs, "m365-business-basic", partner=other_partner)
    return alpha.subscription, beta_sub, their_sub


def export(client, query: str = "") -> list[list[str]]:
    response = client.get(reverse("portal:opportunities_export") + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_csv_columns_and_hand_computed_values(client, sales_agent, book):
    alpha, beta, _theirs = book
    rows = export(login(client, sales_agent))
    a, b = str(alpha.customer.tenant_id), str(beta.customer.tenant_id)
    sa, sb = str(alpha.pk), str(beta.pk)
    dap = "delegated_admin_permissions_disabled"
    assert rows == [
        COLUMNS.split(","),
        # Basic 6.00 a seat; best eligible first (E5: (38 − 6) × 10), then matrix order.
        [
            a,
            "Alpha Ltd",
            "US",
            sa,
            "m365-business-basic",
            "10",
            "3",
            "o365-e5",
            "true",
            "",
            "USD",
            "6.00",
            "38.00",
            "320.00",
            "3840.00",
        ],
        [
            a,
            "Alpha Ltd",
            "US",
            sa,
            "m365-business-basic",
            "10",
            "3",
            "m365-business-standard",
            "true",
            "",
            "USD",
            "6.00",
            "12.50",
            "65.00",
            "780.00",
        ],
        [
            a,
            "Alpha Ltd",
            "US",
            sa,
            "m365-business-basic",
            "10",
            "3",
            "o365-e1",
            "true",
            "",
            "USD",
            "6.00",
            "10.00",
            "40.00",
            "480.00",
        ],
        [
            a,
            "Alpha Ltd",
            "US",
            sa,
            "m365-business-basic",
            "10",
            "3",
            "o365-e3",
            "true",
            "",
            "USD",
            "6.00",
            "23.00",
            "170.00",
            "2040.00",
        ],
        # Standard annual: 150 / 12 = 12.50 a seat a month; E3 276 / 12 = 23.00, E5 456 / 12 = 38.00.
        [
            b,
            "Beta GmbH",
            "DE",
            sb,
            "m365-business-standard",
            "4",
            "0",
            "o365-e3",
            "false",
            dap,
            "USD",
            "12.50",
            "23.00",
            "42.00",
            "504.00",
        ],
        [
            b,
            "Beta GmbH",
            "DE",
            sb,
            "m365-business-standard",
            "4",
            "0",
            "o365-e5",
            "false",
            dap,
            "USD",
            "12.50",
            "38.00",
            "102.00",
            "1224.00",
        ],
    ]


def test_filters_select_rows_and_lines(client, sales_agent, book):
    alpha, beta, _ = book
    login(client, sales_agent)
    ids = lambda q: [(r[3], r[7]) for r in export(client, q)[1:]]  # noqa: E731
    assert ids("?country=de") == [(str(beta.pk), "o365-e3"), (str(beta.pk), "o365-e5")]
    assert ids("?segment=education") == ids("?country=DE") == ids("?reason=delegated_admin_permissions_disabled")
    assert ids("?target=o365-e3") == [(str(alpha.pk), "o365-e3"), (str(beta.pk), "o365-e3")]
    assert ids("?status=eligible&target=o365-e1") == [(str(alpha.pk), "o365-e1")]
    assert ids("?status=blocked&source=m365-business-basic") == []
    assert ids("?search=alpha.exa") == ids("?search=ALPHA") == ids("?status=eligible")
    assert len(ids("?market=global")) == 6 and ids("?market=IN") == []
    assert ids("?sort=seats")[0][0] == str(alpha.pk) and ids("?sort=customer")[-1][0] == str(beta.pk)
    assert ids("")[-1][0] == str(beta.pk)  # by customer by default


def test_page_shows_best_target_details_unused_seats_and_wizard_links(client, sales_agent, book):
    alpha, beta, theirs = book
    response = login(client, sales_agent).get(reverse("portal:opportunities"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-subscription=") == 2 and str(theirs.pk) not in html and "Theirs Co" not in html
    wizard = reverse(
        "portal:upgrade_details", kwargs={"tenant_id": alpha.customer.tenant_id, "subscription_id": alpha.pk}
    )
    assert f'href="{wizard}?target=o365-e5"' in html  # the best target opens the wizard on it
    assert "<details>" in html and "3 more targets" in html
    assert "data-unused>7<" in html  # 10 seats − 3 assigned
    assert "320.00 USD" in html
    # The whole book's figures come after the page, from the summary endpoint (static/js/summary.js).
    assert 'data-chart-key="uplift-by-target"' not in html and "Loading…" in html
    assert f'data-summary-url="{reverse("portal:opportunities_summary")}"' in html and "js/summary.js" in html
    # Sorted by customer by default: Alpha, then Beta.
    assert html.index(f'data-subscription="{alpha.pk}"') < html.index(f'data-subscription="{beta.pk}"')


def test_summary_endpoint_has_the_whole_books_figures_and_charts(client, sales_agent, book):
    login(client, sales_agent)
    body = client.get(reverse("portal:opportunities_summary")).json()
    assert (body["eligible_subscriptions"], body["monthly_uplift"], body["yearly_uplift"], body["currency"]) == (
        1,
        "320.00",
        "3840.00",
        "USD",
    )
    assert body["totals"] == [{"currency": "USD", "monthly_uplift": "320.00"}]
    charts = body["html"]["charts"]
    assert 'data-chart-key="uplift-by-target"' in charts and 'data-chart-key="uplift-by-market"' in charts
    assert "Office 365 E5 (USD)" in charts and "320.00 USD" in charts  # the table for screen readers
    assert '<a href="/opportunities/?market=global&amp;status=eligible">global (USD)</a>' in charts
    assert "1 with an eligible upgrade" in body["html"]["figures"] and "320.00 USD a month" in body["html"]["figures"]
    assert "1 eligible subscription; 3,840.00 USD a year more." in body["html"]["figure"]
    # The same filters as the page: Beta alone has nothing eligible.
    beta = client.get(reverse("portal:opportunities_summary") + "?country=DE").json()
    assert beta["eligible_subscriptions"] == 0 and "Nothing to show yet." in beta["html"]["charts"]
    bad = client.get(reverse("portal:opportunities_summary") + "?status=maybe")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_the_page_alone_has_the_full_evaluations_rows(client, partner, sales_agent, book):
    """Sorted by customer without a line filter, only the page's sources are evaluated: same rows, same order
    as the full evaluation; a source without any target line (no path in its market) is kept by both."""
    from opportunities.filtering import PAGE_SIZE
    from opportunities.selectors import OpportunityFilter, opportunities_for, opportunity_page

    _grow(partner, 14)  # 2 + 28 sources: two pages
    customer = factories.CustomerFactory(company_name="aardvark inc", country="IN")
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.DapGrantFactory(partner=partner, customer=customer)
    lone = make_subscription(customer, "m365-business-premium", partner=partner, quantity=2)
    UpgradePath.objects.create(source_id="m365-business-premium", target_id="m365-business-standard-in")  # IN only
    flt = OpportunityFilter(sort="customer")
    full = opportunities_for(sales_agent, flt)
    assert len(full) == 31 and full[0].subscription_id == lone.pk
    assert [(line.offer_id, line.reasons) for line in full[0].lines] == [
        ("", ("subscription_does_not_have_any_upgrade_paths",))
    ]  # its only path is in another market: one line without a target (code 7), on both paths

    def shown(row):
        lines = [
            (t.offer_id, t.eligible, t.reasons, t.target_monthly, t.monthly_uplift, t.upgrade_type) for t in row.lines
        ]
        return (row.subscription_id, row.customer_name, row.seats, row.assigned, row.current_monthly, lines)

    paged = []
    for number in (1, 2):
        paginator, page, rows = opportunity_page(sales_agent, flt, number)
        assert paginator.count == 31 and len(rows) == (PAGE_SIZE if number == 1 else 6)
        paged += rows
    assert [shown(r) for r in paged] == [shown(r) for r in full]
    assert flt.page_only and not OpportunityFilter(sort="uplift").page_only
    assert not OpportunityFilter(sort="customer", status="eligible").page_only


def test_bad_filter_values_are_form_errors(client, sales_agent, book):
    login(client, sales_agent)
    response = client.get(reverse("portal:opportunities") + "?status=maybe&country=USA&page=x&sort=price")
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"status", "country", "page", "sort"}
    assert client.get(reverse("portal:opportunities_export") + "?target=nope").status_code == 400
    api = api_for(user=sales_agent)
    fault = api.get("/v1/opportunities?reason=nope").json()
    assert api.get("/v1/opportunities?reason=nope").status_code == 400 and "reason" in str(fault)


def test_empty_state(client, sales_agent, partner):
    response = login(client, sales_agent).get(reverse("portal:opportunities"))
    assert response.status_code == 200 and "No opportunities yet" in response.content.decode()
    assert book_summary(sales_agent).eligible_subscriptions == 0


def test_page_csv_and_api_agree_with_the_upgrades_endpoint(client, sales_agent, book):
    """Same targets, eligibility, reasons and prices as ``/v1/customers/{c}/subscriptions/{s}/upgrades``."""
    api = api_for(user=sales_agent)
    lines = {(r[3], r[7]): r for r in export(login(client, sales_agent))[1:]}
    body = api.get("/v1/opportunities").json()
    assert body["totalCount"] == len(lines) == 6 and body["attributes"] == {"objectType": "Collection"}
    items = {(i["subscriptionId"], i["targetOfferId"]): i for i in body["items"]}
    assert items.keys() == lines.keys()
    for subscription in book[:2]:
        upgrades = api.get(sub_url(subscription, "/upgrades")).json()["items"]
        assert [u["targetOffer"]["id"] for u in upgrades] == [
            t for s, t in lines if s == str(subscription.pk)
        ] or sorted(u["targetOffer"]["id"] for u in upgrades) == sorted(
            t for s, t in lines if s == str(subscription.pk)
        )
        cycle = subscription.billing_cycle
        for upgrade in upgrades:
            key = (str(subscription.pk), upgrade["targetOffer"]["id"])
            reasons = [e["errorName"] for e in upgrade["upgradeErrors"]]
            assert lines[key][8] == ("true" if upgrade["isEligible"] else "false")
            assert items[key]["eligible"] is upgrade["isEligible"]
            assert lines[key][9] == ";".join(dict.fromkeys(reasons)) and items[key]["reasons"] == list(
                dict.fromkeys(reasons)
            )
            price = next(
                Decimal(str(p["unitPrice"]))
                for p in upgrade["targetOffer"]["prices"]
                if p["billingCycle"] == cycle and p["currency"] == "USD"
            )
            monthly = price / 12 if cycle == "annual" else price
            assert Decimal(lines[key][12]) == monthly.quantize(Decimal("0.01"))
            assert Decimal(str(items[key]["targetMonthly"])) == Decimal(lines[key][12])
            assert Decimal(str(items[key]["monthlyUplift"])) == Decimal(lines[key][13])
    # The page shows the same best target and figures.
    html = client.get(reverse("portal:opportunities")).content.decode()
    assert "3,840.00 USD" in html and "Office 365 E5" in html
    # Another partner's subscription: absent here, 404 on its upgrades.
    assert all(s != str(book[2].pk) for s, _t in items)
    assert api.get(sub_url(book[2], "/upgrades")).status_code == 404


def test_book_summary(sales_agent, book):
    summary = book_summary(sales_agent)
    assert (summary.eligible_subscriptions, summary.monthly_uplift, summary.yearly_uplift, summary.currency) == (
        1,
        Decimal("320.00"),
        Decimal("3840.00"),
        "USD",
    )


def _grow(partner, customers: int) -> None:
    for index in range(customers):
        customer = factories.CustomerFactory(country=("US", "DE")[index % 2])
        factories.RelationshipFactory(partner=partner, customer=customer)
        factories.DapGrantFactory(partner=partner, customer=customer)
        make_subscription(customer, "m365-business-basic", partner=partner, quantity=5)
        make_subscription(customer, "m365-apps-for-business", partner=partner, quantity=3)


def _queries(client, url) -> int:
    clear_cache()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        else:
            assert response.status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_book(client, partner, sales_agent, book):
    login(client, sales_agent)
    api = api_for(user=sales_agent)
    urls = [
        reverse("portal:opportunities"),
        reverse("portal:opportunities") + "?sort=uplift",
        reverse("portal:opportunities_summary"),
        reverse("portal:opportunities_export"),
        "/v1/opportunities",
    ]
    _grow(partner, 3)
    small = [_queries(client, url) if not url.startswith("/v1") else _api_queries(api, url) for url in urls]
    _grow(partner, 27)
    large = [_queries(client, url) if not url.startswith("/v1") else _api_queries(api, url) for url in urls]
    assert small == large
    assert max(small) <= 25


def _api_queries(api, url) -> int:
    clear_cache()
    tokens_just_used()
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


def test_the_evaluated_book_is_cached_until_something_changes(client, sales_agent, book):
    login(client, sales_agent)
    url = reverse("portal:opportunities") + "?sort=uplift"  # the full evaluation (by customer: the page only)
    cold = _queries(client, url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert len(captured) < cold
    alpha = book[0]
    alpha.quantity = 20
    alpha.save()
    rows = export(client)
    assert rows[1][5] == "20" and rows[1][13] == "640.00"  # the change shows at once


def test_roles_without_upgrade_get_403_and_no_nav_link(client, partner, book):
    billing = factories.PartnerUserFactory(partner=partner, username="bill", roles=["billing_admin"])
    login(client, billing)
    assert client.get(reverse("portal:opportunities")).status_code == 403
    assert client.get(reverse("portal:opportunities_export")).status_code == 403
    assert api_for(user=billing).get("/v1/opportunities").status_code == 403
