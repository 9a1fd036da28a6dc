"""One date style on every page: "1 Dec 2026" for days, "1 Dec 2026, 18:56" for moments (issue 10, item 5).

Before, the same partner saw "Dec. 1, 2026, 6:56 p.m.", "12/01/2026" and "2028-08-22" on different pages.
"""

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.builders import grant_gdap, login, make_upgradable, page_text
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db

OLD_STYLES = [
    re.compile(r"\b[A-Z][a-z]{2}\. \d{1,2}, \d{4}"),  # "Dec. 1, 2026"
    re.compile(r"\b\d{2}/\d{2}/\d{4}\b"),  # "12/01/2026"
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # "2028-08-22"
    re.compile(r"\b\d{1,2}:\d{2} [ap]\.m\."),  # "6:56 p.m."
]


def assert_one_style(text: str, *expected: str) -> None:
    for wanted in expected:
        assert wanted in text
    for old in OLD_STYLES:
        found = old.search(text)
        assert found is None, found.group(0)


@pytest.fixture
def world(partner, sales_agent, client):
    upgradable = make_upgradable(partner=partner, agent=sales_agent)
    subscription = upgradable.subscription
    subscription.term_start_date = date(2026, 8, 23)
    subscription.commitment_end_date = date(2028, 8, 22)
    subscription.save(update_fields=["term_start_date", "commitment_end_date"])
    relationship = grant_gdap(partner=partner, customer=upgradable.customer, user=sales_agent)
    relationship.end_date_time = datetime(2027, 3, 5, 9, 30, tzinfo=UTC)
    relationship.save(update_fields=["end_date_time"])
    operation = UpgradeOperation.objects.create(
        source=subscription,
        customer=upgradable.customer,
        target_offer_id="o365-e3",
        upgrade_type="upgrade_only",
        quantity=10,
        status="failed",
    )
    UpgradeOperation.objects.filter(pk=operation.pk).update(created=datetime(2026, 12, 1, 18, 56, tzinfo=UTC))
    note = Notification.objects.create(partner=partner, message="Something happened", level="info")
    Notification.objects.filter(pk=note.pk).update(created=datetime(2026, 12, 1, 18, 56, tzinfo=UTC))
    login(client, sales_agent)
    return upgradable, relationship, operation


def test_customer_page_writes_days_in_the_one_style(client, world):
    upgradable, _relationship, _operation = world
    response = client.get(reverse("portal:customer_detail", args=[upgradable.customer.tenant_id]))
    assert response.status_code == 200
    assert_one_style(page_text(response), "22 Aug 2028", "5 Mar 2027")


def test_upgrades_list_and_result_write_moments_in_the_one_style(client, world):
    _upgradable, _relationship, operation = world
    listing = client.get(reverse("portal:upgrade_list"))
    assert listing.status_code == 200
    assert_one_style(page_text(listing), "1 Dec 2026, 18:56")
    result = client.get(reverse("portal:upgrade_result", args=[operation.pk]))
    assert result.status_code == 200
    assert_one_style(page_text(result), "1 Dec 2026, 18:56")


def test_delegation_and_notification_pages_use_the_one_style(client, world):
    _upgradable, relationship, _operation = world
    listing = client.get(reverse("delegation:list"))
    assert listing.status_code == 200
    assert_one_style(page_text(listing), "5 Mar 2027")
    detail = client.get(reverse("delegation:detail", args=[relationship.pk]))
    assert_one_style(page_text(detail), "5 Mar 2027, 09:30")
    notes = client.get(reverse("notifications:list"))
    assert notes.status_code == 200
    assert_one_style(page_text(notes), "1 Dec 2026, 18:56")
