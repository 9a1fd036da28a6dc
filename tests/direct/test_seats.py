"""Buy or remove licenses on a direct subscription: co-termed, prorated, never below the assigned count, audited."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from audit.models import AuditRecord
from core.errors import Forbidden, InvalidInput, NotFound
from direct import seats
from subscriptions.models import Subscription
from tests import factories
from tests.builders import assign, direct_subscription
from upgrades.models import BillingEntry

# 11 March 2026: the monthly period of a term started 1 January runs 1 March – 31 March (31 days), 21 of them left.
MARCH_11 = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def test_buying_more_is_co_termed_and_charged_prorated(admin, customer, e4):
    quote, entry = seats.seats_change(actor=admin, customer=customer, subscription_id=e4.pk, quantity=15, now=MARCH_11)
    # 22.00 per license per month × 5 licenses × 21 / 31 days = 74.516… → 74.52
    assert (quote.previous, quote.quantity, quote.added, quote.amount) == (10, 15, 5, Decimal("74.52"))
    assert (quote.period_start, quote.period_last_day, quote.coterm_end) == (
        date(2026, 3, 11),
        date(2026, 3, 31),
        date(2026, 12, 31),
    )
    assert Subscription.objects.get(pk=e4.pk).quantity == 15
    entry = BillingEntry.objects.get(subscription=e4)
    assert (entry.kind, entry.amount, entry.currency, entry.period_start, entry.period_end, entry.operation_id) == (
        "charge",
        Decimal("74.52"),
        "USD",
        date(2026, 3, 11),
        date(2026, 3, 31),
        None,
    )
    assert entry.description == "5 licenses added, co-termed to 2026-12-31 (prorated)"
    record = AuditRecord.objects.get(operation_type="update_subscription")
    assert record.customer_id == customer.pk and record.user_principal_name == admin.email
    assert record.resource_old_value == {"id": str(e4.pk), "quantity": 10}
    assert record.resource_new_value == {
        "id": str(e4.pk),
        "quantity": 15,
        "amount": "74.52",
        "currency": "USD",
        "coterminousEndDate": "2026-12-31",
    }


def test_removing_is_refused_below_the_assigned_count_with_the_number(admin, customer, e4):
    assign(e4, 7)
    with pytest.raises(InvalidInput) as refused:
        seats.seats_change(actor=admin, customer=customer, subscription_id=e4.pk, quantity=6, now=MARCH_11)
    assert refused.value.field == "quantity"
    assert refused.value.message == (
        "Quantity can't be lower than 7: 7 licenses are assigned to users. Unassign licenses first."
    )
    assert Subscription.objects.get(pk=e4.pk).quantity == 10
    assert not BillingEntry.objects.exists() and not AuditRecord.objects.exists()


def test_removing_down_to_the_assigned_count_is_credited_prorated_and_audited(admin, customer, e4):
    assign(e4, 7)
    quote, entry = seats.seats_change(actor=admin, customer=customer, subscription_id=e4.pk, quantity=7, now=MARCH_11)
    # 22.00 × 3 licenses × 21 / 31 = 44.709… → 44.71, credited
    assert (quote.removed, quote.amount, entry.kind, entry.amount) == (
        3,
        Decimal("-44.71"),
        "credit",
        Decimal("-44.71"),
    )
    assert entry.description == "Credit for 3 licenses removed (prorated)"
    assert Subscription.objects.get(pk=e4.pk).quantity == 7
    record = AuditRecord.objects.get(operation_type="update_subscription")
    assert (record.resource_old_value["quantity"], record.resource_new_value["quantity"]) == (10, 7)
    assert record.resource_new_value["amount"] == "-44.71"


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("ten", "Quantity must be a whole number."),
        (10, "The subscription already has 10 licenses: enter a different total."),
        (0, "must be between 1 and 300000 for Office 365 E4."),
    ],
)
def test_bad_totals_name_the_quantity(admin, customer, e4, quantity, message):
    with pytest.raises(InvalidInput) as refused:
        seats.seats_change(actor=admin, customer=customer, subscription_id=e4.pk, quantity=quantity, now=MARCH_11)
    assert (refused.value.field, refused.value.message) == ("quantity", message)


def test_a_partner_sold_subscription_is_refused(admin, customer):
    csp = direct_subscription(customer, "o365-e3", channel="csp", payment_method="")
    with pytest.raises(InvalidInput) as refused:
        seats.seats_change(actor=admin, customer=customer, subscription_id=csp.pk, quantity=12, now=MARCH_11)
    assert refused.value.field == "subscription_id"


def test_a_role_without_the_buy_right_is_refused(customer, e4):
    reader = factories.UserFactory(username="lars")
    factories.CustomerAdminRoleFactory(user=reader, customer=customer, role="license_administrator")
    with pytest.raises(Forbidden):
        seats.seats_change(actor=reader, customer=customer, subscription_id=e4.pk, quantity=12)
    assert Subscription.objects.get(pk=e4.pk).quantity == 10


def test_another_tenants_subscription_is_not_found(admin, customer):
    other = factories.CustomerFactory(company_name="Northwind")
    theirs = direct_subscription(other)
    with pytest.raises(NotFound):
        seats.seats_change(actor=admin, customer=customer, subscription_id=theirs.pk, quantity=12)
    assert Subscription.objects.get(pk=theirs.pk).quantity == 10


# -- the page and /v1/me ---------------------------------------------------------------------------------------


def this_months_e4(customer):
    """A term starting today: the current monthly period is whole, so a license costs a full month (22.00)."""
    return direct_subscription(customer, term_start_date=timezone.localdate())


def test_the_subscription_page_buys_more(admin_client, customer):
    e4 = this_months_e4(customer)
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": e4.pk}
    page = admin_client.get(reverse("direct:subscription", kwargs=kwargs))
    assert b"Buy or remove licenses" in page.content and reverse("direct:seats", kwargs=kwargs).encode() in page.content
    response = admin_client.post(reverse("direct:seats", kwargs=kwargs), {"quantity": "12"}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert "Charged today (prorated): 44.00 USD" in response.content.decode()  # 22.00 × 2
    assert Subscription.objects.get(pk=e4.pk).quantity == 12


def test_the_page_shows_the_refusal_with_the_assigned_number(admin_client, customer):
    e4 = this_months_e4(customer)
    assign(e4, 9)
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": e4.pk}
    response = admin_client.post(reverse("direct:seats", kwargs=kwargs), {"quantity": "8"})
    assert response.status_code == 400
    assert "Quantity can&#x27;t be lower than 9: 9 licenses are assigned to users." in response.content.decode()
    assert Subscription.objects.get(pk=e4.pk).quantity == 10


def test_a_reader_role_gets_403_on_the_page(client, customer):
    e4 = this_months_e4(customer)
    reader = factories.UserFactory(username="lars")
    factories.CustomerAdminRoleFactory(user=reader, customer=customer, role="user_administrator")
    client.force_login(reader)
    kwargs = {"tenant_id": customer.tenant_id, "subscription_id": e4.pk}
    assert client.post(reverse("direct:seats", kwargs=kwargs), {"quantity": "12"}).status_code == 403
    assert Subscription.objects.get(pk=e4.pk).quantity == 10


@pytest.fixture
def api(client, admin):
    _, raw = ApiToken.issue(user=admin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def test_the_api_buys_and_removes(api, customer):
    e4 = this_months_e4(customer)
    assign(e4, 4)
    url = f"/v1/me/customers/{customer.tenant_id}/subscriptions/{e4.pk}/seatChanges"
    bought = api.post(url, {"quantity": 13}, content_type="application/json")
    assert bought.status_code == 200, bought.json()
    body = bought.json()
    assert {k: body[k] for k in ("previousQuantity", "quantity", "assignedLicenses", "licensesAdded", "amount")} == {
        "previousQuantity": 10,
        "quantity": 13,
        "assignedLicenses": 4,
        "licensesAdded": 3,
        "amount": "66.00",  # 22.00 × 3, a whole month
    }
    assert (body["kind"], body["coterminousEndDate"], body["attributes"]) == (
        "charge",
        "2026-12-31",
        {"objectType": "SeatChange"},
    )
    removed = api.post(url, {"quantity": 4}, content_type="application/json").json()
    assert (removed["licensesRemoved"], removed["amount"], removed["kind"]) == (9, "-198.00", "credit")
    refused = api.post(url, {"quantity": 3}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["data"] == [
        "quantity: Quantity can't be lower than 4: 4 licenses are assigned to users. Unassign licenses first."
    ]


def test_the_api_answers_404_for_another_tenants_subscription(api, customer):
    theirs = direct_subscription(factories.CustomerFactory(company_name="Northwind"))
    url = f"/v1/me/customers/{customer.tenant_id}/subscriptions/{theirs.pk}/seatChanges"
    assert api.post(url, {"quantity": 12}, content_type="application/json").status_code == 404
    assert Subscription.objects.get(pk=theirs.pk).quantity == 10
