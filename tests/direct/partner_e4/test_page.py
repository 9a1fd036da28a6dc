"""The partner's "Replace Office 365 E4" pages: from the subscription page, choose → review → submit → result."""

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from subscriptions.models import Subscription

pytestmark = pytest.mark.django_db


def flow_url(name, e4):
    return reverse(f"portal:{name}", kwargs={"tenant_id": e4.customer.tenant_id, "subscription_id": e4.pk})


def test_the_subscription_and_customer_pages_link_to_the_replacement(client, agent, csp_e4):
    client.force_login(agent)
    link = flow_url("e4_replacement", csp_e4)
    subscription_page = client.get(
        reverse(
            "portal:subscription_detail", kwargs={"tenant_id": csp_e4.customer.tenant_id, "subscription_id": csp_e4.pk}
        )
    )
    assert link in subscription_page.content.decode()
    customer_page = client.get(reverse("portal:customer_detail", kwargs={"tenant_id": csp_e4.customer.tenant_id}))
    assert link in customer_page.content.decode()


def test_choose_review_submit_and_result(clock, client, agent, csp_e4):
    client.force_login(agent)
    choose = client.get(flow_url("e4_replacement", csp_e4))
    assert choose.status_code == 200
    page = choose.content.decode()
    for name in ("Office 365 E5", "Microsoft 365 E5", "Microsoft 365 E5 without Audio Conferencing", "Office 365 E3"):
        assert name in page
    assert 'value="10"' in page  # the seats start at the E4's

    review = client.get(flow_url("e4_replacement_review", csp_e4), {"target": "o365-e5", "quantity": "12"})
    assert review.status_code == 200
    text = review.content.decode()
    assert "12 licenses of Office 365 E5" in text
    assert "456.00 USD" in text  # 12 × 38.00
    assert "3 users move to the new subscription" in text
    assert "-212.90 USD · Credit for 30 unused days of Office 365 E4 × 10" in text  # 22.00 × 10 × 30/31
    assert "441.29 USD · Prorated charge for 30 days of Office 365 E5 × 12" in text  # 38.00 × 12 × 30/31
    assert "30 Jun 2026" in text  # 2 March 2026 + 120 days
    assert Subscription.objects.get(pk=csp_e4.pk).status == "active"  # a review changes nothing
    back = client.get(review.context["back_url"]).content.decode()  # back to edit: the choice is kept
    assert 'value="o365-e5" checked' in back and 'value="12"' in back

    submitted = client.post(flow_url("e4_replacement_review", csp_e4), {"target": "o365-e5", "quantity": "12"})
    target = Subscription.objects.get(customer=csp_e4.customer, offer_id="o365-e5")
    assert submitted.status_code == 302
    assert submitted["Location"] == flow_url("e4_replacement_result", csp_e4) + f"?replacement={target.pk}"
    assert (target.quantity, target.assignments.count()) == (12, 3)
    assert Subscription.objects.get(pk=csp_e4.pk).status == "suspended"
    assert (
        AuditRecord.objects.filter(
            operation_type="upgrade_subscription", user_principal_name="agent@contoso.com"
        ).count()
        == 1
    )

    result = client.get(submitted["Location"])
    assert result.status_code == 200
    text = result.content.decode()
    assert "Office 365 E5" in text and "12 licenses" in text and "30 Jun 2026" in text and "Suspended" in text


def test_fewer_seats_than_the_e4_show_the_field_error_and_change_nothing(client, agent, csp_e4):
    client.force_login(agent)
    response = client.post(flow_url("e4_replacement_review", csp_e4), {"target": "o365-e5", "quantity": "9"})
    assert response.status_code == 400
    assert "Licenses can&#x27;t be fewer than the E4&#x27;s 10." in response.content.decode()
    assert Subscription.objects.get(pk=csp_e4.pk).status == "active"
    assert not Subscription.objects.filter(offer_id="o365-e5").exists()


def test_an_offer_that_does_not_replace_the_e4_is_refused_at_the_choice(client, agent, csp_e4):
    client.force_login(agent)
    response = client.get(
        flow_url("e4_replacement_review", csp_e4), {"target": "m365-business-basic", "quantity": "10"}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_a_second_submit_says_the_e4_is_suspended(client, agent, csp_e4):
    client.force_login(agent)
    data = {"target": "m365-e5", "quantity": "10"}
    assert client.post(flow_url("e4_replacement_review", csp_e4), data).status_code == 302
    again = client.post(flow_url("e4_replacement_review", csp_e4), data)
    assert again.status_code == 400
    assert "The subscription is Suspended." in again.content.decode()
    assert Subscription.objects.filter(offer_id="m365-e5").count() == 1


def test_another_partner_gets_404_and_a_role_without_upgrade_403(client, other_agent, billing_admin, csp_e4):
    client.force_login(other_agent)
    for name in ("e4_replacement", "e4_replacement_review", "e4_replacement_result"):
        assert client.get(flow_url(name, csp_e4)).status_code == 404
    assert (
        client.post(flow_url("e4_replacement_review", csp_e4), {"target": "m365-e5", "quantity": "10"}).status_code
        == 404
    )
    client.force_login(billing_admin)
    assert client.get(flow_url("e4_replacement", csp_e4)).status_code == 403
    assert (
        client.post(flow_url("e4_replacement_review", csp_e4), {"target": "m365-e5", "quantity": "10"}).status_code
        == 403
    )
    assert Subscription.objects.get(pk=csp_e4.pk).status == "active"


def test_the_result_of_an_e4_that_was_not_replaced_is_404(client, agent, csp_e4):
    client.force_login(agent)
    assert client.get(flow_url("e4_replacement_result", csp_e4)).status_code == 404
