"""The partner home page at ``/``: the dashboard's figures, their links, the charts and the empty state."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bulk.models import BatchStatus, UpgradeBatch
from delegation.models import UnifiedRole
from portal.home_selectors import dashboard_for, pending_approvals_for
from subscriptions.models import SubscriptionStatus
from tests import factories
from tests.builders import make_subscription
from upgrades.models import OperationStatus, UpgradeOperation

pytestmark = pytest.mark.django_db

HOME = "/"


def customer_of(partner, **kwargs):
    customer = factories.CustomerFactory(**kwargs)
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


def operation(subscription, status, *, days_ago=0, agent=None):
    when = timezone.now() - timedelta(days=days_ago)
    return UpgradeOperation.objects.create(
        source=subscription,
        target_offer_id="o365-e3",
        customer=subscription.customer,
        partner=subscription.partner,
        actor_user=agent,
        upgrade_type="upgrade_only",
        quantity=subscription.quantity,
        billing_cycle="monthly",
        status=status,
        created=when,
        completed=None if status in ("pending", "in_progress") else when,
    )


def book(partner, customers: int):
    """``customers`` customers with two subscriptions each (one active, one suspended) and one old and one
    recent upgrade per customer."""
    for _ in range(customers):
        customer = customer_of(partner)
        active = make_subscription(customer, partner=partner)
        make_subscription(customer, partner=partner, status=SubscriptionStatus.SUSPENDED)
        operation(active, OperationStatus.SUCCEEDED, days_ago=2)
        operation(active, OperationStatus.FAILED, days_ago=45)


def figure(html: str, key: str) -> str:
    start = html.index(f'data-figure="{key}"')
    return html[start : html.index("</section>", start)]


def test_a_sales_agent_sees_the_dashboard_with_each_figure_and_its_link(client, partner, other_partner, sales_agent):
    customer = customer_of(partner)
    active = make_subscription(customer, partner=partner)
    make_subscription(customer, partner=partner, status=SubscriptionStatus.SUSPENDED)
    make_subscription(customer_of(partner), partner=partner)
    operation(active, OperationStatus.PENDING)
    done = make_subscription(customer, partner=partner, status=SubscriptionStatus.DELETED)
    operation(done, OperationStatus.SUCCEEDED, days_ago=3)
    operation(make_subscription(customer, partner=partner), OperationStatus.FAILED, days_ago=40)  # too old
    UpgradeBatch.objects.create(partner=partner, status=BatchStatus.RUNNING)
    UpgradeBatch.objects.create(partner=partner, status=BatchStatus.SUCCEEDED)
    soon = timezone.now() + timedelta(days=10)
    factories.GdapRelationshipFactory(partner=partner, customer=customer, end_date_time=soon)
    factories.GdapRelationshipFactory(  # auto-extends: not ending
        partner=partner, customer=customer, end_date_time=soon, auto_extend_duration=timedelta(days=180)
    )
    factories.GdapRelationshipFactory(partner=partner, customer=customer)  # ends in two years
    # Another partner's book is not counted.
    theirs = customer_of(other_partner)
    operation(make_subscription(theirs, partner=other_partner), OperationStatus.IN_PROGRESS)
    UpgradeBatch.objects.create(partner=other_partner, status=BatchStatus.QUEUED)
    factories.GdapRelationshipFactory(partner=other_partner, customer=theirs, end_date_time=soon)

    client.force_login(sales_agent)
    response = client.get(HOME)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "portal/dashboard.html"
    html = response.content.decode()
    customers = reverse("portal:customer_list")
    assert f'<a href="{customers}">2</a>' in figure(html, "customers")
    subscriptions = figure(html, "subscriptions")
    assert f'<a href="{customers}">5</a>' in subscriptions  # 3 active, 1 suspended, 1 deleted
    assert f'Active: <a href="{customers}">3</a>' in subscriptions
    assert f'Suspended: <a href="{customers}">1</a>' in subscriptions
    upgrades = figure(html, "upgrades-in-progress")
    assert f'<a href="{reverse("portal:upgrade_list")}">1</a>' in upgrades
    assert 'Pending: <a href="/upgrades/?status=pending">1</a>' in upgrades
    assert '<p class="figure__value"><a href="/batches/">1</a></p>' in figure(html, "batches-in-progress")
    assert '<p class="figure__value">1</p>' in figure(html, "gdap-ending")  # a sales agent: no link
    approvals = figure(html, "approvals")
    assert '<p class="figure__value">0</p>' in approvals and "None yet." in approvals
    opportunities = figure(html, "opportunities")
    assert "See opportunities." in opportunities and '<a href="/opportunities/">' in opportunities
    # Its figure is fetched after the page (static/js/summary.js): the home page evaluates no book.
    assert 'data-summary-url="/opportunities/summary.json"' in html and "Loading…" in opportunities
    assert "js/summary.js" in html
    # The charts, with the figures said as a table too; the outcome bars link to the filtered upgrades list.
    assert 'data-chart-key="subscriptions-by-status"' in html and 'data-chart-key="upgrades-recent"' in html
    assert '<a href="/upgrades/?status=succeeded">Succeeded</a>' in html
    assert "?status=failed" not in html  # the failed upgrade is 40 days old
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_the_figures_as_a_dataclass(partner, sales_agent):
    book(partner, 3)
    dashboard = dashboard_for(sales_agent)
    assert dashboard.customers == 3
    assert dashboard.subscriptions_by_status == {"active": 3, "suspended": 3}
    assert dashboard.upgrades_open_by_status == {}
    assert dashboard.upgrades_recent_by_outcome == {"succeeded": 3}
    assert (dashboard.batches_in_progress, dashboard.gdap_ending, dashboard.pending_approvals) == (0, 0, 0)


def test_an_admin_agent_follows_the_gdap_figure_to_the_delegation_list(client, partner):
    agent = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"])
    customer = customer_of(partner)
    factories.GdapRelationshipFactory(
        partner=partner,
        customer=customer,
        end_date_time=timezone.now() + timedelta(days=29),
        auto_extend_duration=timedelta(days=180),
        unified_roles=[UnifiedRole.GLOBAL_ADMINISTRATOR],  # never auto-extends
    )
    client.force_login(agent)
    html = client.get(HOME).content.decode()
    assert f'<a href="{reverse("delegation:list")}">1</a>' in figure(html, "gdap-ending")


def test_a_partner_without_customers_sees_the_empty_state(client, sales_agent):
    client.force_login(sales_agent)
    html = client.get(HOME).content.decode()
    assert 'data-dashboard="empty"' in html and "No customers yet" in html
    assert "data-figure=" not in html and "chart.umd.min.js" not in html


def test_an_operator_sees_every_partners_figures(client, partner, other_partner):
    book(partner, 1)
    book(other_partner, 2)
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    html = client.get(HOME).content.decode()
    assert '<a href="/customers/">3</a>' in figure(html, "customers")


def test_pending_approvals_are_zero_when_nothing_waits(sales_agent):
    assert pending_approvals_for(sales_agent) == 0


@pytest.mark.parametrize("customers", [2, 20])
def test_the_dashboard_costs_the_same_queries_at_2_and_20_customers(
    client, partner, sales_agent, customers, django_assert_num_queries
):
    book(partner, customers)
    client.force_login(sales_agent)
    client.get(HOME)  # warm the session and content type caches
    with django_assert_num_queries(EXPECTED_QUERIES):
        response = client.get(HOME)
    assert response.status_code == 200
    assert f'<a href="/customers/">{customers}</a>' in response.content.decode()


def test_the_dataclass_costs_five_queries(partner, sales_agent, django_assert_num_queries):
    book(partner, 4)
    with django_assert_num_queries(5):  # customers, subscriptions, upgrades, batches, GDAP ending
        dashboard_for(sales_agent)


def test_the_menu_starts_with_home_for_partner_users(client, sales_agent):
    client.force_login(sales_agent)
    html = client.get(reverse("portal:customer_list")).content.decode()
    assert html.index('data-nav="home"') < html.index('data-nav="customers"')


# Session, user and roles (3), the five aggregate queries, then what every page's layout reads (customer admin roles,
# unread notifications, the partner's name) and the session save (4 with its savepoint): 14 at any book size.
EXPECTED_QUERIES = 14
