"""The "Upgrade now" wizard: targets with every reason, seats and billing, review, submit, result."""

from decimal import Decimal

import pytest
from django.urls import reverse

from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import add_users, grant_gdap, make_subscription
from upgrades.models import BillingEntry, UpgradeOperation

pytestmark = pytest.mark.django_db


def url(name, source, **kwargs):
    return reverse(
        f"portal:{name}",
        kwargs={"tenant_id": source.customer.tenant_id, "subscription_id": kwargs.get("subscription_id", source.pk)},
    )


def review(client, source, target="o365-e3", quantity=None, billing_cycle="monthly"):
    return client.get(
        url("upgrade_review", source),
        {
            "target": target,
            "billing_cycle": billing_cycle,
            "quantity": source.quantity if quantity is None else quantity,
        },
    )


def submit_data(response) -> dict:
    """The hidden fields of the review page's form, as the browser posts them."""
    form = response.context["form"]
    return {name: str(value) for name, value in form.initial.items()}


def test_step1_lists_every_target_with_all_reasons_for_the_ineligible(agent_client, customer, partner, source):
    direct_e3 = make_subscription(customer, "o365-e3", channel="direct", payment_method="invoice", quantity=4)
    response = agent_client.get(url("upgrade_targets", source))
    assert response.status_code == 200
    options = {option.target_offer.pk: option for option in response.context["options"]}
    assert list(options) == ["m365-business-standard", "o365-e1", "o365-e3", "o365-e5"]
    assert not options["o365-e3"].is_eligible and options["o365-e1"].is_eligible

    content = response.content.decode()
    blocked = content.split('data-target="o365-e3" data-eligible="false"')[1].split("data-target=")[0]
    assert "3 · conflicting_service_types" in blocked
    assert "The customer already holds the target offer." in blocked
    assert str(direct_e3.pk) in blocked and "Direct (Microsoft) · Invoice" in blocked
    assert 'data-target="o365-e1" data-eligible="true"' in content
    assert 'type="radio" name="target" value="o365-e3"' not in content  # not selectable
    assert "Upgrade with license transfer" in content


def test_step1_reader_only_roles_get_upgrade_only_with_the_reason(client, partner, customer, source):
    reader = factories.PartnerUserFactory(partner=partner, roles=["helpdesk_agent"])
    grant_gdap(partner=partner, customer=customer, user=reader, roles=("Directory Readers",))
    client.force_login(reader)
    content = client.get(url("upgrade_targets", source)).content.decode()
    assert "Upgrade only" in content and "Directory Readers" in content
    assert "do not allow moving licenses" in content


def test_step1_choice_leads_to_step2_with_the_defaults(agent_client, source):
    response = agent_client.get(url("upgrade_targets", source), {"target": "o365-e3"})
    assert response.status_code == 302
    step2 = agent_client.get(response["Location"])
    form = step2.context["form"]
    assert form.initial["quantity"] == 10 and form.initial["billing_cycle"] == "monthly"
    assert [c for c, _ in form.fields["billing_cycle"].choices] == ["monthly", "annual"]


def test_step1_refuses_an_ineligible_choice_with_its_reasons(agent_client, customer, source):
    make_subscription(customer, "o365-e3", channel="direct", payment_method="invoice")
    response = agent_client.get(url("upgrade_targets", source), {"target": "o365-e3"})
    assert response.status_code == 409
    assert response.context["blocked_target"].pk == "o365-e3"
    assert "changed meanwhile" not in response.content.decode()


def test_quantity_below_the_source_is_a_field_error(agent_client, source):
    response = review(agent_client, source, quantity=9)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["quantity"]
    assert "cannot be lower than the subscription's 10 seats" in errors["quantity"][0]
    assert 'id="quantity-error"' in response.content.decode()
    assert not UpgradeOperation.objects.exists()


def test_malformed_quantity_is_a_field_error_not_a_crash(agent_client, source):
    response = review(agent_client, source, quantity="ten")
    assert response.status_code == 400 and "quantity" in response.context["form"].errors


@pytest.mark.parametrize("cycle", ["annual", "monthly"])
def test_review_amounts_equal_the_booking_on_either_cycle(agent_client, source, cycle):
    preview = review(agent_client, source, quantity=15, billing_cycle=cycle).context["preview"]
    agent_client.post(
        url("upgrade_review", source), submit_data(review(agent_client, source, quantity=15, billing_cycle=cycle))
    )
    booked = {
        entry.kind: (entry.amount, entry.currency, entry.period_start, entry.period_end)
        for entry in BillingEntry.objects.all()
    }
    assert booked == {
        line.kind: (line.amount, line.currency, line.period_start, line.period_end)
        for line in (preview.credit, preview.charge)
    }
    assert Subscription.objects.get(offer_id="o365-e3").billing_cycle == cycle


def test_review_query_count_does_not_grow_with_users(agent_client, source):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert review(agent_client, source).status_code == 200
        return len(captured)

    add_users(source, 5, disabled=["EXCHANGE_S_STANDARD"])
    small = queries()
    add_users(source, 200, disabled=["SHAREPOINTWAC"], prefix="more")
    assert queries() == small


def test_review_amounts_are_what_the_upgrade_books(agent_client, source):
    add_users(source, 4)
    add_users(source, 1, disabled=["EXCHANGE_S_STANDARD"], prefix="switched")
    response = review(agent_client, source, quantity=12)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.credit.amount, preview.charge.amount) == (Decimal("-40.65"), Decimal("186.97"))
    content = response.content.decode()
    assert "−40.65 USD" in content and "186.97 USD" in content and "146.32 USD" in content
    assert [a["reasons"][0]["servicePlans"] for a in preview.affected_accounts] == [["EXCHANGE_S_STANDARD"]]
    assert "EXCHANGE_S_STANDARD" in content

    result = agent_client.post(url("upgrade_review", source), submit_data(response))
    operation = UpgradeOperation.objects.get()
    booked = {entry.kind: entry.amount for entry in BillingEntry.objects.filter(operation=operation)}
    assert booked == {"credit": preview.credit.amount, "charge": preview.charge.amount}
    assert result["Location"] == reverse("portal:upgrade_result", kwargs={"operation_id": operation.pk})


def test_submit_upgrades_and_the_result_page_shows_it(agent_client, customer, source):
    users = add_users(source, 3)
    response = agent_client.post(url("upgrade_review", source), submit_data(review(agent_client, source)))
    assert response.status_code == 302

    target = Subscription.objects.get(customer=customer, offer_id="o365-e3")
    assert (target.quantity, target.status) == (10, "active")
    assert set(LicenseAssignment.objects.filter(subscription=target).values_list("user_id", flat=True)) == {
        u.pk for u in users
    }
    source.refresh_from_db()
    assert source.status == "deleted"

    page = agent_client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert str(target.pk) in content and 'data-status="succeeded"' in content
    assert 'data-result="licenses-moved">3<' in content
    assert 'data-billing="credit"' in content and 'data-billing="charge"' in content
    assert "Status history" in content and "In progress" in content


def test_double_submit_upgrades_once(agent_client, customer, source):
    data = submit_data(review(agent_client, source))
    first = agent_client.post(url("upgrade_review", source), data)
    second = agent_client.post(url("upgrade_review", source), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert UpgradeOperation.objects.count() == 1
    assert Subscription.objects.filter(customer=customer, offer_id="o365-e3").count() == 1


def test_submit_after_someone_else_upgraded_goes_back_to_step1_with_the_reasons(agent_client, source):
    data = submit_data(review(agent_client, source))
    Subscription.objects.filter(pk=source.pk).update(status="deleted")  # upgraded meanwhile elsewhere
    data["submission"] = "00000000-0000-4000-8000-000000000001"
    response = agent_client.post(url("upgrade_review", source), data)
    assert response.status_code == 409
    assert response.context["step"] == 1
    content = response.content.decode()
    assert "2 · subscription_status_not_active" in content and "Current status: deleted." in content
    assert not UpgradeOperation.objects.exists()


def test_large_subscriptions_upgrade_in_the_background(
    agent_client, customer, source, settings, django_capture_on_commit_callbacks
):
    settings.UPGRADE_BACKGROUND_ASSIGNED_USERS = 2  # upgrades.policies.runs_in_background
    add_users(source, 3)
    data = submit_data(review(agent_client, source))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = agent_client.post(url("upgrade_review", source), data)
    operation = UpgradeOperation.objects.get()
    assert operation.status == "pending"
    pending = agent_client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in pending and 'data-status="pending"' in pending

    for callback in callbacks:  # the Celery task (eager without a broker)
        callback()
    done = agent_client.get(response["Location"]).content.decode()
    assert 'data-status="succeeded"' in done and '<meta http-equiv="refresh"' not in done
    assert LicenseAssignment.objects.filter(subscription__offer_id="o365-e3").count() == 3
