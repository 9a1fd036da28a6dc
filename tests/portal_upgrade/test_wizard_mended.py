"""Issue 10 item 5, the wizard mended: no silent reload, 400 for an unknown target, 409 with the reasons for a
blocked one, Back after the upgrade lands on its result, Back from the review keeps the seats and cycle."""

import re

import pytest
from django.urls import reverse

from tests.builders import make_subscription
from upgrades.models import UpgradeOperation

from .test_wizard import review, submit_data, url

pytestmark = pytest.mark.django_db


def test_next_with_no_target_is_a_400_with_the_error_beside_the_choice(agent_client, source):
    response = agent_client.get(url("upgrade_targets", source), {"chosen": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["target"] == ["Choose the offer to upgrade to."]
    content = response.content.decode()
    fieldset = content.split('<fieldset class="options field has-error"')[1].split("</fieldset>")[0]
    assert 'id="target-error"' in fieldset and "Choose the offer to upgrade to." in fieldset


def test_step1_form_marks_its_submission(agent_client, source):
    content = agent_client.get(url("upgrade_targets", source)).content.decode()
    assert '<input type="hidden" name="chosen" value="1">' in content


@pytest.mark.parametrize("target", ["no-such-offer", "m365-business-basic"])  # unknown; the source's own offer
def test_details_with_a_target_that_is_no_upgrade_path_is_a_400_naming_it(agent_client, source, target):
    response = agent_client.get(url("upgrade_details", source), {"target": target})
    assert response.status_code == 400
    assert response.context["step"] == 1
    assert response.context["form"].errors["target"] == [
        f"“{target}” is not an offer this subscription can be upgraded to."
    ]
    content = response.content.decode()
    assert "changed meanwhile" not in content and 'id="target-error"' in content


def test_details_with_no_target_is_a_400(agent_client, source):
    response = agent_client.get(url("upgrade_details", source))
    assert response.status_code == 400
    assert response.context["form"].errors["target"] == ["Choose the offer to upgrade to."]


def test_details_with_a_blocked_target_is_a_409_with_its_reasons(agent_client, customer, source):
    make_subscription(customer, "o365-e3", channel="direct", payment_method="invoice")
    response = agent_client.get(url("upgrade_details", source), {"target": "o365-e3"})
    assert response.status_code == 409
    content = response.content.decode()
    assert "changed meanwhile" not in content
    assert 'data-blocked-target="o365-e3"' in content
    assert "Office 365 E3 cannot be chosen for this subscription now." in content
    assert "3 · conflicting_service_types" in content


def test_review_with_an_unknown_target_is_a_400(agent_client, source):
    response = review(agent_client, source, target="no-such-offer")
    assert response.status_code == 400
    assert response.context["form"].errors["target"]


def test_back_after_the_upgrade_lands_on_its_result(agent_client, source):
    data = submit_data(review(agent_client, source, quantity=12, billing_cycle="annual"))
    agent_client.post(url("upgrade_review", source), data)
    operation = UpgradeOperation.objects.get()
    result_url = reverse("portal:upgrade_result", kwargs={"operation_id": operation.pk})

    back_to_review = review(agent_client, source, quantity=12, billing_cycle="annual")
    assert (back_to_review.status_code, back_to_review["Location"]) == (302, result_url)
    back_to_details = agent_client.get(url("upgrade_details", source), {"target": "o365-e3"})
    assert (back_to_details.status_code, back_to_details["Location"]) == (302, result_url)
    resubmit = agent_client.post(
        url("upgrade_review", source), {**data, "submission": "00000000-0000-4000-8000-000000000002"}
    )
    assert (resubmit.status_code, resubmit["Location"]) == (302, result_url)
    assert UpgradeOperation.objects.count() == 1


def test_a_failed_upgrade_does_not_hide_the_wizard(agent_client, source):
    UpgradeOperation.objects.create(
        source=source,
        target_offer_id="o365-e3",
        customer=source.customer,
        partner=source.partner,
        upgrade_type="upgrade_with_license_transfer",
        quantity=10,
        billing_cycle="monthly",
        status="failed",
    )
    assert agent_client.get(url("upgrade_details", source), {"target": "o365-e3"}).status_code == 200


def test_back_from_the_review_keeps_the_seats_and_the_cycle(agent_client, source):
    page = review(agent_client, source, quantity=14, billing_cycle="annual")
    details_url = page.context["details_url"]
    assert "quantity=14" in details_url and "billing_cycle=annual" in details_url
    assert f'href="{details_url.replace("&", "&amp;")}"' in page.content.decode()

    details = agent_client.get(details_url)
    assert details.status_code == 200
    form = details.context["form"]
    assert (form.initial["quantity"], form.initial["billing_cycle"]) == (14, "annual")
    content = details.content.decode()
    assert re.search(r'<input type="number" name="quantity"[^>]* value="14"', content)
    assert re.search(r'<input type="radio" name="billing_cycle" value="annual"[^>]* checked>', content)


def test_details_ignore_carried_values_below_the_source_or_unknown(agent_client, source):
    details = agent_client.get(
        url("upgrade_details", source), {"target": "o365-e3", "quantity": "3", "billing_cycle": "weekly"}
    )
    form = details.context["form"]
    assert (form.initial["quantity"], form.initial["billing_cycle"]) == (10, "monthly")
