"""Issue 10 item 5: the upgrades list filters by status (or ``open``), target and a search; names link."""

import pytest
from django.urls import reverse

from tests import factories
from tests.builders import make_subscription
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db

LIST = reverse("portal:upgrade_list")


def operation(partner, name, domain, target, status, source_offer="m365-business-basic"):
    customer = factories.CustomerFactory(company_name=name, domain=domain)
    factories.RelationshipFactory(partner=partner, customer=customer)
    source = make_subscription(customer, source_offer, partner=partner)
    return UpgradeOperation.objects.create(
        source=source,
        target_offer_id=target,
        customer=customer,
        partner=partner,
        upgrade_type="upgrade_with_license_transfer",
        quantity=10,
        billing_cycle="monthly",
        status=status,
    )


@pytest.fixture
def operations(partner, other_partner):
    operation(other_partner, "Elsewhere", "elsewhere.example", "o365-e3", "pending")  # never listed
    return {
        "fabrikam": operation(partner, "Fabrikam", "fabrikam.onmicrosoft.com", "o365-e3", "succeeded"),
        "litware": operation(partner, "Litware", "litware.onmicrosoft.com", "o365-e5", "pending"),
        "tailspin": operation(partner, "Tailspin", "tailspin.onmicrosoft.com", "o365-e3", "in_progress"),
        "wingtip": operation(partner, "Wingtip", "wingtip.example", "o365-e1", "failed"),
    }


def names(response) -> list[str]:
    return sorted(o.customer.company_name for o in response.context["operations"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Fabrikam", "Litware", "Tailspin", "Wingtip"]),
        ({"status": "succeeded"}, ["Fabrikam"]),
        ({"status": "failed"}, ["Wingtip"]),
        ({"status": "open"}, ["Litware", "Tailspin"]),
        ({"target": "o365-e3"}, ["Fabrikam", "Tailspin"]),
        ({"status": "open", "target": "o365-e3"}, ["Tailspin"]),
        ({"q": "litware"}, ["Litware"]),
        ({"q": "wingtip.example"}, ["Wingtip"]),
        ({"q": "E5"}, ["Litware"]),  # target offer name
        ({"q": "business basic"}, ["Fabrikam", "Litware", "Tailspin", "Wingtip"]),  # source offer name
    ],
)
def test_filters_and_search(client, sales_agent, operations, query, expected):
    client.force_login(sales_agent)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_customer_names_link_to_the_customer_page(client, sales_agent, operations):
    client.force_login(sales_agent)
    content = client.get(LIST).content.decode()
    tenant = operations["fabrikam"].customer.tenant_id
    assert f'<a href="{reverse("portal:customer_detail", kwargs={"tenant_id": tenant})}">Fabrikam</a>' in content


def test_target_choices_are_the_listed_targets(client, sales_agent, operations):
    client.force_login(sales_agent)
    choices = client.get(LIST).context["form"].fields["target"].choices
    assert [value for value, _ in choices] == ["", "o365-e1", "o365-e3", "o365-e5"]


@pytest.mark.parametrize("query", [{"status": "bogus"}, {"target": "no-such-offer"}, {"q": "x" * 201}])
def test_bad_filter_values_are_form_errors_not_a_500(client, sales_agent, operations, query):
    client.force_login(sales_agent)
    response = client.get(LIST, query)
    assert response.status_code == 400
    field = "q" if "q" in query else next(iter(query))
    assert list(response.context["form"].errors) == [field]
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    assert names(response) == ["Fabrikam", "Litware", "Tailspin", "Wingtip"]


def test_empty_states_differ(client, sales_agent, operations):
    client.force_login(sales_agent)
    filtered = client.get(LIST, {"q": "nobody"}).content.decode()
    assert 'data-empty="filtered"' in filtered and "No upgrade matches" in filtered
    UpgradeOperation.objects.all().delete()
    empty = client.get(LIST).content.decode()
    assert 'data-empty="none"' in empty and "No upgrades yet." in empty and "No upgrade matches" not in empty


def test_the_home_page_status_links_filter(client, sales_agent, operations):
    """The home page links to ``/upgrades/?status=<raw status>``: that parameter and its values stay."""
    client.force_login(sales_agent)
    assert names(client.get("/upgrades/?status=in_progress")) == ["Tailspin"]
    assert names(client.get("/upgrades/?status=pending")) == ["Litware"]
