"""Issue 10 item 5: every portal list costs on its last page what it costs on its first (bench/lists.py).

Lists paginate bare, indexed, ordered rows and read what a row shows for the page's rows only.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db

CUSTOMERS = 120  # paginate_by 50: pages 1, 2 and 3 (20 rows)


@pytest.fixture
def book(partner, other_partner):
    customers = []
    for number in range(CUSTOMERS):
        customer = factories.CustomerFactory(company_name=f"Customer {number:03d}", domain=f"c{number:03d}.example")
        factories.RelationshipFactory(partner=partner, customer=customer)
        source = factories.SubscriptionFactory(customer=customer, partner=partner)
        factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="o365-e1")
        factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="o365-e3", status="deleted")
        UpgradeOperation.objects.create(
            source=source,
            target_offer_id="o365-e3",
            customer=customer,
            partner=partner,
            upgrade_type="upgrade_with_license_transfer",
            quantity=10,
            billing_cycle="monthly",
            status="succeeded",
        )
        customers.append(customer)
    factories.CustomerFactory(company_name="AAA elsewhere")  # not the partner's: never listed
    return customers


def queries_of(client, url, page):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page": page})
    assert response.status_code == 200
    return response, len(captured)


def test_customer_list_last_page_costs_the_first(client, sales_agent, book):
    client.force_login(sales_agent)
    first, first_queries = queries_of(client, reverse("portal:customer_list"), 1)
    last, last_queries = queries_of(client, reverse("portal:customer_list"), 3)
    # session, user, navigation and paginator count + the page + counts + relationships + delegated access (2)
    assert first_queries == last_queries == 15
    assert [c.company_name for c in first.context["customers"]][:2] == ["Customer 000", "Customer 001"]
    rows = last.context["customers"]
    assert [c.company_name for c in rows] == [f"Customer {n:03d}" for n in range(100, 120)]
    assert {(c.subscription_count, c.relationship) for c in rows} == {(2, "reseller")}


def test_customer_rows_are_counted_for_the_page_only(client, sales_agent, book):
    """No correlated subquery: the page query selects bare rows, the counts read the page's 20 ids."""
    client.force_login(sales_agent)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("portal:customer_list"), {"page": 3})
    page_query = next(
        q["sql"] for q in captured if "LIMIT" in q["sql"] and '"customers_customer"."company_name"' in q["sql"]
    )
    assert "COUNT(" not in page_query.upper()
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper() and "subscriptions_subscription" in q["sql"]]
    assert len(counts) == 1


def test_upgrade_list_last_page_costs_the_first(client, sales_agent, book):
    client.force_login(sales_agent)
    first, first_queries = queries_of(client, reverse("portal:upgrade_list"), 1)
    last, last_queries = queries_of(client, reverse("portal:upgrade_list"), 3)
    assert first_queries == last_queries == 13
    assert len(first.context["operations"]) == 50 and len(last.context["operations"]) == 20


def test_the_list_orders_have_indexes():
    from customers.models import Customer

    customer_indexes = {tuple(index.fields) for index in Customer._meta.indexes}
    operation_indexes = {tuple(index.fields) for index in UpgradeOperation._meta.indexes}
    assert ("company_name", "id") in customer_indexes
    assert ("-created", "id") in operation_indexes
