"""The renewals page's "Schedule change for selected" (domain.md §8): the checked rows become ONE batch of
``scheduledChange`` items (bulk.services), processed like any batch; rows without auto-renew are not selectable
and refused if posted; another partner's subscription is refused without a word about it; flat query counts."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bulk.models import UpgradeBatch
from subscriptions.models import Subscription
from tests import factories
from tests.builders import login, page_text

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)
END = date(2027, 3, 20)  # inside the 30 days
BASIC = {"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "DZH318Z0BQ3Q"}
STANDARD_ITEM = "CFQ7TTC0LDPB:0001:DZH318Z0BPS6"
STANDARD = {"productId": "CFQ7TTC0LDPB", "skuId": "0001", "availabilityId": "DZH318Z0BPS6"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("portal.renewal_views.utc_today", lambda: TODAY)


@pytest.fixture
def fabrikam(partner):
    customer = factories.CustomerFactory(company_name="Fabrikam", domain="fabrikam.example")
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


def nce(customer, *, partner, quantity=10, **fields):
    return factories.SubscriptionFactory(
        customer=customer,
        partner=partner,
        offer_id="m365-business-basic",
        commerce="new",
        term_duration="P1Y",
        billing_cycle="annual",
        term_start_date=date(2026, 3, 21),
        commitment_end_date=END,
        quantity=quantity,
        **fields,
    )


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="sam", roles=["sales_agent"])


def schedule(client, ids, **fields):
    data = {
        "subscription": [str(i) for i in ids],
        "target": "",
        "term_duration": "",
        "billing_cycle": "",
        "quantity": "",
    }
    data.update(fields)
    return client.post(reverse("portal:renewals_schedule"), data)


def test_rows_have_checkboxes_and_rows_without_auto_renew_show_why_not(client, agent, partner, fabrikam):
    renewing = nce(fabrikam, partner=partner)
    expiring = nce(fabrikam, partner=partner, auto_renew=False)
    html = page_text(login(client, agent).get(reverse("portal:renewals")))
    assert f'name="subscription" value="{renewing.pk}"' in html
    assert f'name="subscription" value="{expiring.pk}"' not in html
    assert "changes at renewal need auto-renew on (autoRenewEnabled: true)." in html
    assert "data-select-page" in html and "Schedule change for selected" in html


def test_three_selected_rows_become_one_batch_and_get_the_instructions(
    client, agent, partner, fabrikam, django_capture_on_commit_callbacks
):
    subs = [nce(fabrikam, partner=partner, quantity=q) for q in (3, 4, 5)]
    login(client, agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = schedule(
            client, [s.pk for s in subs], target=STANDARD_ITEM, term_duration="P1Y", billing_cycle="monthly"
        )
    batch = UpgradeBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:batch_detail", args=[batch.pk])
    assert batch.total_items == 3 and batch.status == "succeeded"
    assert list(batch.items.values_list("kind", "status", flat=False)) == [("scheduledChange", "succeeded")] * 3
    for sub, seats in zip(subs, (3, 4, 5), strict=True):
        sub.refresh_from_db()
        assert sub.scheduled_next_term_instructions == {
            "product": {**STANDARD, "billingCycle": "monthly", "termDuration": "P1Y"},
            "quantity": seats,
            "customTermEndDate": None,
        }
    detail = page_text(client.get(response["Location"]))
    assert detail.count("Scheduled change to m365-business-standard, P1Y, monthly") == 3


def test_keep_means_each_subscriptions_own_product_and_a_number_sets_the_seats(
    client, agent, partner, fabrikam, django_capture_on_commit_callbacks
):
    sub = nce(fabrikam, partner=partner, quantity=7)
    login(client, agent)
    with django_capture_on_commit_callbacks(execute=True):
        schedule(client, [sub.pk], quantity="12", term_duration="P3Y", billing_cycle="annual")
    sub.refresh_from_db()
    assert sub.scheduled_next_term_instructions == {
        "product": {**BASIC, "billingCycle": "annual", "termDuration": "P3Y"},
        "quantity": 12,
        "customTermEndDate": None,
    }


def test_a_posted_row_without_auto_renew_is_refused(client, agent, partner, fabrikam):
    renewing = nce(fabrikam, partner=partner)
    expiring = nce(fabrikam, partner=partner, auto_renew=False)
    response = schedule(login(client, agent), [renewing.pk, expiring.pk])
    assert response.status_code == 400
    assert "changes at renewal need auto-renew on" in page_text(response)
    assert not UpgradeBatch.objects.exists()


def test_another_partners_subscription_is_refused_without_a_word_about_it(
    client, agent, partner, other_partner, fabrikam
):
    mine = nce(fabrikam, partner=partner)
    wingtip_customer = factories.CustomerFactory(company_name="Tailspin Toys", domain="tailspin.example")
    factories.RelationshipFactory(partner=other_partner, customer=wingtip_customer)
    theirs = nce(wingtip_customer, partner=other_partner, quantity=33)
    response = schedule(login(client, agent), [mine.pk, theirs.pk])
    assert response.status_code == 400
    html = page_text(response)
    assert "1 of the selected subscriptions were not found among your renewing new commerce subscriptions." in html
    assert str(theirs.pk) not in html and "Tailspin" not in html
    assert not UpgradeBatch.objects.exists()
    assert Subscription.objects.get(pk=theirs.pk).scheduled_next_term_instructions is None


def test_a_batch_above_the_approval_threshold_waits(client, agent, partner, fabrikam):
    partner.approval_items = 2
    partner.save(update_fields=["approval_items"])
    subs = [nce(fabrikam, partner=partner) for _ in range(3)]
    response = schedule(login(client, agent), [s.pk for s in subs])
    batch = UpgradeBatch.objects.get()
    assert response.status_code == 302
    assert (batch.status, batch.approval_required) == ("awaiting_approval", ["items"])
    assert batch.approval_size["items"] == 3 and batch.approval_size["seats"] == 30


def test_operators_and_roles_without_the_capabilities_cannot_post(client, partner, fabrikam):
    sub = nce(fabrikam, partner=partner)
    billing = factories.PartnerUserFactory(partner=partner, roles=["billing_admin"])
    assert schedule(login(client, billing), [sub.pk]).status_code == 403
    html = page_text(client.get(reverse("portal:renewals")))
    assert "Schedule change for selected" not in html and 'name="subscription"' not in html
    assert not UpgradeBatch.objects.exists()


def _create_queries(client, ids) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = schedule(client, ids, target=STANDARD_ITEM)
    assert response.status_code == 302, page_text(response)[:2000]
    return len(captured)


def test_the_batch_create_costs_the_same_for_3_and_30_selected(client, agent, partner, fabrikam):
    few = [nce(fabrikam, partner=partner).pk for _ in range(3)]
    many = [nce(fabrikam, partner=partner).pk for _ in range(30)]
    login(client, agent)
    assert _create_queries(client, few) == _create_queries(client, many)


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("portal:renewals"))
    assert response.status_code == 200
    return len(captured)


def test_the_page_costs_the_same_for_3_and_30_rows(client, agent, partner, other_partner, fabrikam):
    for _ in range(3):
        nce(fabrikam, partner=partner)
    small = _page_queries(login(client, agent))
    wingtip_customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=other_partner, customer=wingtip_customer)
    for _ in range(30):
        nce(wingtip_customer, partner=other_partner)
    other_agent = factories.PartnerUserFactory(partner=other_partner, roles=["sales_agent"])
    assert _page_queries(login(client, other_agent)) == small


def test_a_bad_choice_is_a_400_naming_the_field(client, agent, partner, fabrikam):
    sub = nce(fabrikam, partner=partner)
    response = schedule(login(client, agent), [sub.pk, "not-a-guid"], quantity="0", target="NOPE:1:2")
    assert response.status_code == 400
    form = response.context["schedule_form"]
    assert set(form.errors) == {"subscription", "quantity", "target"}
    assert uuid.UUID(str(sub.pk))  # the page still lists the row
    assert not UpgradeBatch.objects.exists()
