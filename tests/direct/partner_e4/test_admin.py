"""The Django admin's "Replace the selected E4s" action on retired CSP plans: operators only, through the service."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from audit.models import AuditRecord
from subscriptions.models import Subscription
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:direct_retiredcspsubscription_changelist"


@pytest.fixture
def operator_client(client, db):
    operator = factories.UserFactory(username="op", email="op@platform.example", is_staff=True, is_superuser=True)
    client.force_login(operator)
    return client


def test_the_list_shows_the_csp_e4_and_not_other_plans(operator_client, csp_e4, customer, partner):
    from tests.builders import direct_subscription

    e3 = direct_subscription(customer, "o365-e3", channel="csp", partner=partner, payment_method="")
    page = operator_client.get(reverse(CHANGELIST)).content.decode()
    assert str(csp_e4.pk) in page and str(e3.pk) not in page


def test_the_action_asks_the_offer_then_replaces_and_audits(operator_client, csp_e4):
    data = {"action": "replace_e4", helpers.ACTION_CHECKBOX_NAME: [str(csp_e4.pk)]}
    asked = operator_client.post(reverse(CHANGELIST), data)
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Replace Office 365 E4" in text and '<option value="m365-e5">Microsoft 365 E5</option>' in text
    assert Subscription.objects.get(pk=csp_e4.pk).status == "active"  # nothing yet

    done = operator_client.post(reverse(CHANGELIST), {**data, "target_offer": "m365-e5", "post": "yes"}, follow=True)
    assert "1 E4 replaced." in done.content.decode()
    assert Subscription.objects.get(pk=csp_e4.pk).status == "suspended"
    target = Subscription.objects.get(customer=csp_e4.customer, offer_id="m365-e5")
    assert (target.quantity, target.assignments.count(), target.channel) == (10, 3, "csp")
    record = AuditRecord.objects.get(operation_type="upgrade_subscription")
    assert record.user_principal_name == "op@platform.example"
    assert record.resource_new_value["suspended"] == str(csp_e4.pk)


def test_a_refusal_is_reported_per_object_and_changes_nothing(operator_client, csp_e4):
    Subscription.objects.filter(pk=csp_e4.pk).update(status="suspended")
    data = {"action": "replace_e4", helpers.ACTION_CHECKBOX_NAME: [str(csp_e4.pk)], "target_offer": "m365-e5"}
    done = operator_client.post(reverse(CHANGELIST), {**data, "post": "yes"}, follow=True)
    assert "The subscription is Suspended." in done.content.decode()
    assert not Subscription.objects.filter(offer_id="m365-e5").exists()
    assert not AuditRecord.objects.filter(operation_type="upgrade_subscription").exists()


def test_a_partner_global_admin_does_not_see_it(client, partner):
    pga = factories.PartnerUserFactory(partner=partner, roles=["global_admin"], is_staff=True)
    client.force_login(pga)
    assert client.get(reverse(CHANGELIST)).status_code == 403
