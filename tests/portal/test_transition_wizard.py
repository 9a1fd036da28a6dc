"""The portal's new commerce upgrade wizard (domain.md §8): a transition now, or a change at renewal.

Figures are hand-computed (as tests/commerce/test_transitions.py): Business Basic P1Y annual 72.00 a seat a
year, Office 365 E3 276.00; the source's term 2026-02-01 … 2027-01-31; the day is 2026-08-01, 184 of 365 days
left.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commerce.models import Transition
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import NCE_TERM_END as TERM_END
from tests.builders import add_users, gdap_customer, grant_gdap, make_subscription
from tests.builders import nce_subscription as nce

pytestmark = pytest.mark.django_db

E3 = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"
STANDARD = "CFQ7TTC0LDPB:0001:DZH318Z0BPS6"
DAY = date(2026, 8, 1)
STEPS = ["transition_targets", "transition_details", "transition_review", "transition_scheduled"]
PLANNED = {
    "product": {
        "productId": "CFQ7TTC0LDPB",
        "skuId": "0001",
        "availabilityId": "DZH318Z0BPS6",
        "billingCycle": "annual",
        "termDuration": "P1Y",
    },
    "quantity": 10,
    "customTermEndDate": None,
}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: DAY)


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])


@pytest.fixture
def customer(partner, agent):
    return gdap_customer(partner=partner, agent=agent)


@pytest.fixture
def source(customer, partner):
    return nce(customer, "m365-business-basic", partner=partner, quantity=10)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def url(name, source, **params):
    path = reverse(f"portal:{name}", kwargs={"tenant_id": source.customer.tenant_id, "subscription_id": source.pk})
    return path, params


def get(client, name, source, **params):
    path, params = url(name, source, **params)
    return client.get(path, params)


def text(response) -> str:
    return response.content.decode()


def immediate(**fields):
    data = {"when": "immediate", "target": E3, "quantity": 10, "into": "new", "transition_type": "transition_only"}
    data.update(fields)
    return data


def submit(client, source, data):
    path, _ = url("transition_review", source)
    return client.post(path, {**data, "submission": "00000000-0000-4000-8000-000000000001"})


# --- entry and step 1 ------------------------------------------------------------------------------------------------


def test_the_subscription_page_leads_new_commerce_into_the_nce_wizard(agent_client, source):
    page = get(agent_client, "subscription_detail", source)
    assert page.status_code == 200
    assert url("transition_targets", source)[0] in text(page)


def test_a_legacy_subscription_goes_to_the_legacy_wizard(agent_client, customer, partner):
    legacy = make_subscription(customer, "m365-business-basic", partner=partner)
    response = get(agent_client, "transition_targets", legacy)
    assert response.status_code == 302
    assert response["Location"] == url("upgrade_targets", legacy)[0]


def test_step_1_lists_the_immediate_targets(agent_client, source):
    response = get(agent_client, "transition_targets", source)
    assert response.status_code == 200
    html = text(response)
    for item in (STANDARD, E3):
        assert f'data-target="{item}" data-eligible="true"' in html


def test_step_1_greys_a_target_with_every_reason(agent_client, customer, other_partner, source):
    factories.SubscriptionFactory(customer=customer, partner=other_partner, offer_id="o365-e3")
    html = text(get(agent_client, "transition_targets", source))
    assert f'data-target="{E3}" data-eligible="false"' in html
    assert "3 · conflicting_service_types" in html


def test_step_1_at_renewal_needs_auto_renew(agent_client, source):
    Subscription.objects.filter(pk=source.pk).update(auto_renew=False)
    html = text(get(agent_client, "transition_targets", source, when="scheduled"))
    assert f'data-target="{E3}" data-eligible="false"' in html
    assert "17 · auto_renew_required" in html


def test_step_1_choosing_a_greyed_target_is_409(agent_client, customer, other_partner, source):
    factories.SubscriptionFactory(customer=customer, partner=other_partner, offer_id="o365-e3")
    response = get(agent_client, "transition_targets", source, chosen="1", target=E3)
    assert response.status_code == 409
    assert f'data-blocked-target="{E3}"' in text(response)


def test_step_1_choice_leads_to_step_2(agent_client, source):
    response = get(agent_client, "transition_targets", source, chosen="1", when="immediate", target=E3)
    assert response.status_code == 302
    assert (
        response["Location"]
        == url("transition_details", source)[0] + f"?when=immediate&target={E3.replace(':', '%3A')}"
    )


def test_step_1_bad_when_is_400_naming_the_field(agent_client, source):
    response = get(agent_client, "transition_targets", source, when="tomorrow")
    assert response.status_code == 400
    assert 'data-error="when"' in text(response)


def test_step_1_unknown_target_is_400_naming_the_field(agent_client, source):
    response = get(agent_client, "transition_targets", source, chosen="1", target="nope")
    assert response.status_code == 400
    assert 'data-error="target"' in text(response)


# --- step 2 ----------------------------------------------------------------------------------------------------------


def test_step_2_immediate_lists_merge_targets_greyed_with_reasons(agent_client, customer, partner, source):
    good = nce(customer, "o365-e3", partner=partner, quantity=5, commitment_end_date=date(2027, 4, 30))
    early = nce(customer, "o365-e3", partner=partner, commitment_end_date=date(2026, 12, 31))
    fresh = nce(
        customer,
        "o365-e3",
        partner=partner,
        commitment_end_date=date(2027, 6, 30),
        cancellation_allowed_until=timezone.now() + timedelta(days=2),
    )
    response = get(agent_client, "transition_details", source, when="immediate", target=E3)
    assert response.status_code == 200
    html = text(response)
    assert f'data-into="{good.pk}" data-eligible="true"' in html
    assert f'data-into="{early.pk}" data-eligible="false"' in html
    assert f'data-into="{fresh.pk}" data-eligible="false"' in html
    assert "4 · ends_before_source" in html
    assert "2 · in_cancellation_window" in html
    # the term choices: the source's P1Y or longer (no P1M mid-term)
    assert 'value="P3Y"' in html and 'value="P1Y"' in html
    assert 'value="P1M"' not in html


def test_step_2_lists_the_users_last_assigned_first(agent_client, source):
    users = add_users(source, 3)
    base = timezone.now() - timedelta(days=10)
    for i, user in enumerate(users):
        LicenseAssignment.objects.filter(user=user).update(assigned=base + timedelta(days=i))
    html = text(get(agent_client, "transition_details", source, when="immediate", target=E3))
    positions = [html.index(f'data-user="{u.object_id}"') for u in users]
    assert positions[2] < positions[1] < positions[0]


def test_step_2_scheduled_renders(agent_client, source):
    response = get(agent_client, "transition_details", source, when="scheduled", target=STANDARD)
    assert response.status_code == 200
    html = text(response)
    assert 'name="custom_term_end_date"' in html
    assert 'name="term_duration"' in html


# --- review ----------------------------------------------------------------------------------------------------------


def test_review_full_transition_into_a_new_subscription(agent_client, source):
    response = get(agent_client, "transition_review", source, **immediate())
    assert response.status_code == 200
    html = text(response)
    assert 'data-review="moved">10<' in html
    assert 'data-review="left">0<' in html
    assert "-362.96" in html.replace("−", "-")
    assert "1,391.34" in html or "1391.34" in html
    assert 'data-warning="scheduled_changes_deleted"' not in html


def test_review_partial_shows_seats_left_and_prorated_figures(agent_client, source):
    html = text(get(agent_client, "transition_review", source, **immediate(quantity=4)))
    assert 'data-review="moved">4<' in html
    assert 'data-review="left">6<' in html
    assert "145.18" in html
    assert "556.54" in html


def test_review_bad_quantity_is_400_naming_the_field(agent_client, source):
    response = get(agent_client, "transition_review", source, **immediate(quantity=11))
    assert response.status_code == 400
    assert 'data-error="quantity"' in text(response)
    response = get(agent_client, "transition_review", source, **immediate(quantity="many"))
    assert response.status_code == 400
    assert 'data-error="quantity"' in text(response)


def test_review_bad_cycle_is_400_naming_the_field(agent_client, source):
    response = get(agent_client, "transition_review", source, **immediate(billing_cycle="triennial"))
    assert response.status_code == 400
    assert 'data-error="billing_cycle"' in text(response)


def test_review_warns_about_deleted_scheduled_changes(agent_client, source):
    Subscription.objects.filter(pk=source.pk).update(scheduled_next_term_instructions=PLANNED)
    html = text(get(agent_client, "transition_review", source, **immediate(quantity=4)))
    assert 'data-warning="scheduled_changes_deleted"' in html
    assert 'name="confirm_deletion"' in html


# --- submit ----------------------------------------------------------------------------------------------------------


def test_full_transition_into_a_new_subscription(agent_client, source):
    response = submit(agent_client, source, immediate())
    row = Transition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:transition_result", kwargs={"transition_id": row.pk})
    source.refresh_from_db()
    target = Subscription.objects.get(pk=row.target_id)
    assert (source.status, target.offer_id, target.quantity) == ("deleted", "o365-e3", 10)
    assert (target.term_duration, target.billing_cycle, target.commitment_end_date) == ("P1Y", "annual", TERM_END)
    result = agent_client.get(response["Location"])
    html = text(result)
    assert result.status_code == 200
    assert 'data-event="Conversion"' in html
    assert 'data-status="completed"' in html


def test_a_double_submit_lands_on_the_first_result(agent_client, source):
    first = submit(agent_client, source, immediate(quantity=4))
    second = submit(agent_client, source, immediate(quantity=4))
    assert first["Location"] == second["Location"]
    assert Transition.objects.count() == 1


def test_partial_transition_into_an_existing_subscription(agent_client, customer, partner, source):
    existing = nce(
        customer,
        "o365-e3",
        partner=partner,
        quantity=5,
        term_start_date=date(2026, 5, 1),
        commitment_end_date=date(2027, 4, 30),
    )
    review = text(get(agent_client, "transition_review", source, **immediate(quantity=4, into=str(existing.pk))))
    assert "825.73" in review
    response = submit(agent_client, source, immediate(quantity=4, into=str(existing.pk)))
    assert response.status_code == 302
    existing.refresh_from_db()
    source.refresh_from_db()
    assert (existing.quantity, source.quantity, source.status) == (9, 6, "active")
    row = Transition.objects.get()
    assert (row.target_id, row.merged) == (existing.pk, True)


def test_full_transition_into_an_existing_subscription(agent_client, customer, partner, source):
    existing = nce(customer, "o365-e3", partner=partner, quantity=5, commitment_end_date=date(2027, 4, 30))
    submit(agent_client, source, immediate(into=str(existing.pk)))
    existing.refresh_from_db()
    source.refresh_from_db()
    assert (existing.quantity, source.status) == (15, "deleted")


def test_an_ineligible_merge_target_is_refused_with_its_reason(agent_client, customer, partner, source):
    early = nce(customer, "o365-e3", partner=partner, commitment_end_date=date(2026, 12, 31))
    response = submit(agent_client, source, immediate(into=str(early.pk)))
    assert response.status_code == 400
    assert 'data-error="into"' in text(response)
    assert Transition.objects.count() == 0


def test_chosen_users_move_on_a_partial_license_transfer(agent_client, source):
    users = add_users(source, 6)
    chosen = [str(users[0].object_id), str(users[3].object_id)]
    data = immediate(quantity=2, transition_type="transition_with_license_transfer", users=chosen)
    review = text(get(agent_client, "transition_review", source, **data))
    assert f'data-user="{users[0].object_id}"' in review and f'data-user="{users[3].object_id}"' in review
    assert f'<li class="mono small" data-user="{users[1].object_id}"' not in review
    response = submit(agent_client, source, data)
    assert response.status_code == 302
    row = Transition.objects.get()
    moved = set(LicenseAssignment.objects.filter(subscription_id=row.target_id).values_list("user_id", flat=True))
    assert moved == {users[0].pk, users[3].pk}
    assert text(agent_client.get(response["Location"])).count('data-event="LicenseReassignment"') == 1


def test_too_many_chosen_users_is_400_naming_the_field(agent_client, source):
    users = add_users(source, 3)
    data = immediate(
        quantity=1, transition_type="transition_with_license_transfer", users=[str(u.object_id) for u in users[:2]]
    )
    response = get(agent_client, "transition_review", source, **data)
    assert response.status_code == 400
    assert 'data-error="users"' in text(response)


def test_the_deletion_of_scheduled_changes_must_be_confirmed(agent_client, source):
    Subscription.objects.filter(pk=source.pk).update(scheduled_next_term_instructions=PLANNED)
    refused = submit(agent_client, source, immediate(quantity=4))
    assert refused.status_code == 400
    assert 'data-error="confirm_deletion"' in text(refused)
    assert Transition.objects.count() == 0
    done = submit(agent_client, source, immediate(quantity=4, confirm_deletion="on"))
    assert done.status_code == 302
    source.refresh_from_db()
    assert source.scheduled_next_term_instructions is None
    assert Transition.objects.get().removed_scheduled_changes == PLANNED


def test_a_scheduled_change_is_saved(agent_client, source):
    data = {
        "when": "scheduled",
        "target": STANDARD,
        "term_duration": "P1Y",
        "billing_cycle": "monthly",
        "quantity": 12,
        "custom_term_end_date": "2027-12-31",
    }
    review = get(agent_client, "transition_review", source, **data)
    assert review.status_code == 200
    assert 'data-review="quantity">12<' in text(review)
    response = submit(agent_client, source, data)
    assert response.status_code == 302
    assert response["Location"] == url("transition_scheduled", source)[0]
    source.refresh_from_db()
    assert source.scheduled_next_term_instructions == {
        "product": {
            "productId": "CFQ7TTC0LDPB",
            "skuId": "0001",
            "availabilityId": "DZH318Z0BPS6",
            "termDuration": "P1Y",
            "billingCycle": "monthly",
        },
        "quantity": 12,
        "customTermEndDate": "2027-12-31",
    }
    page = agent_client.get(response["Location"])
    assert 'data-scheduled="saved"' in text(page)
    assert Transition.objects.count() == 0


def test_a_scheduled_change_bad_end_date_is_400_naming_the_field(agent_client, source):
    data = {
        "when": "scheduled",
        "target": STANDARD,
        "term_duration": "P1Y",
        "billing_cycle": "annual",
        "quantity": 10,
        "custom_term_end_date": "2030-01-01",
    }
    response = get(agent_client, "transition_review", source, **data)
    assert response.status_code == 400
    assert 'data-error="custom_term_end_date"' in text(response)


# --- access ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def theirs(other_partner):
    customer = factories.CustomerFactory(company_name="Northwind")
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    return nce(customer, "m365-business-basic", partner=other_partner)


@pytest.mark.parametrize("name", STEPS)
def test_another_partners_subscription_is_404(agent_client, theirs, name):
    assert get(agent_client, name, theirs, **immediate()).status_code == 404


def test_post_to_another_partners_subscription_is_404(agent_client, theirs):
    assert submit(agent_client, theirs, immediate()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_another_partners_transition_result_is_404(agent_client, other_partner, theirs):
    stranger = factories.PartnerUserFactory(partner=other_partner, username="them", roles=["admin_agent"])
    grant_gdap(partner=other_partner, customer=theirs.customer, user=stranger)
    their_client = Client()
    their_client.force_login(stranger)
    assert submit(their_client, theirs, immediate()).status_code == 302
    result = reverse("portal:transition_result", kwargs={"transition_id": Transition.objects.get().pk})
    assert their_client.get(result).status_code == 200
    assert agent_client.get(result).status_code == 404


@pytest.mark.parametrize("name", STEPS)
def test_without_the_capability_is_403(client, partner, source, name):
    client.force_login(factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]))
    assert get(client, name, source, **immediate()).status_code == 403
    assert submit(client, source, immediate()).status_code == 403
    assert Transition.objects.count() == 0


# --- query counts ----------------------------------------------------------------------------------------------------


def customer_of_size(partner, agent, size):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    source = nce(customer, "m365-business-basic", partner=partner, quantity=size)
    for n in range(size):
        nce(customer, "o365-e3", partner=partner, commitment_end_date=date(2027, 2, 1 + n % 27))
    add_users(source, size)
    return source


def count(client, name, source, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = get(client, name, source, **params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("transition_targets", {}),
        ("transition_targets", {"when": "scheduled"}),
        ("transition_details", {"when": "immediate", "target": E3}),
        ("transition_details", {"when": "scheduled", "target": E3}),
    ],
)
def test_query_count_flat_with_5_and_50_subscriptions_and_users(agent_client, partner, agent, name, params):
    small = customer_of_size(partner, agent, 5)
    large = customer_of_size(partner, agent, 50)
    count(agent_client, name, small, **params)  # warm-up (session, content types)
    assert count(agent_client, name, small, **params) == count(agent_client, name, large, **params)


def test_the_customer_page_upgrade_icon_leads_into_the_nce_wizard(agent_client, customer, source):
    html = text(agent_client.get(reverse("portal:customer_detail", kwargs={"tenant_id": customer.tenant_id})))
    assert url("transition_targets", source)[0] in html


def test_a_bad_posted_field_is_400_naming_it(agent_client, source):
    response = submit(agent_client, source, immediate(quantity="many"))
    assert response.status_code == 400
    assert 'data-error="quantity"' in text(response)
    assert Transition.objects.count() == 0


def test_a_double_submit_of_a_full_transition_lands_on_the_first_result(agent_client, source):
    first = submit(agent_client, source, immediate())
    second = submit(agent_client, source, immediate())
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"]
    assert Transition.objects.count() == 1


def test_a_source_changed_meanwhile_is_a_clear_409_page(agent_client, source):
    review = get(agent_client, "transition_review", source, **immediate(quantity=4))
    assert review.status_code == 200
    Subscription.objects.filter(pk=source.pk).update(status="suspended")
    response = submit(agent_client, source, immediate(quantity=4))
    assert response.status_code == 409
    assert "2 · subscription_status_not_active" in text(response)
    assert Transition.objects.count() == 0
