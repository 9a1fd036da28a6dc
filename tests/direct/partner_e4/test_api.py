"""/v1/customers/{id}/subscriptions/{id}/e4Replacement: options, replace, bad input, scope, capability, replay."""

import pytest

from audit.models import AuditRecord
from subscriptions.models import LicenseAssignment, Subscription
from tests.builders import api_for, assert_fault, direct_subscription, sub_url

pytestmark = pytest.mark.django_db


def url(subscription):
    return sub_url(subscription, "/e4Replacement")


def test_options_list_the_catalog_replacements_with_the_minimum_and_the_date(clock, agent, csp_e4):
    body = api_for(user=agent).get(url(csp_e4)).json()
    assert body["isEligible"] is True and body["refusals"] == []
    assert body["minimumQuantity"] == 10 and body["assignedLicenses"] == 3
    assert body["deprovisionDate"] == "2026-06-30"  # 2 March + 120 days
    assert [(t["offerId"], t["kind"], t["unitPrice"]) for t in body["targets"]] == [
        ("o365-e5", "upgrade", "38.00"),
        ("m365-e5", "upgrade", "57.00"),
        ("m365-e5-no-audio", "upgrade", "54.75"),
        ("o365-e3", "change", "23.00"),
        ("m365-e3", "change", "36.00"),
    ]
    assert body["attributes"] == {"objectType": "E4ReplacementOptions"}


def test_options_of_a_subscription_that_is_not_an_e4_say_why(agent, customer, partner):
    e3 = direct_subscription(customer, "o365-e3", channel="csp", partner=partner, payment_method="")
    body = api_for(user=agent).get(url(e3)).json()
    assert body["isEligible"] is False and body["targets"] == []
    assert body["refusals"] == [
        {
            "field": "subscriptionId",
            "description": "Only a retired plan (Office 365 E4) bought through CSP is replaced this way.",
        }
    ]


def test_post_replaces_the_e4_and_is_audited(clock, agent, csp_e4):
    response = api_for(user=agent).post(
        url(csp_e4), {"targetOffer": {"id": "m365-e5"}, "quantity": 12}, headers={"MS-CorrelationId": "corr-e4"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sourceSubscription"]["status"] == "suspended"
    assert (body["targetSubscription"]["offerId"], body["targetSubscription"]["quantity"]) == ("m365-e5", 12)
    assert body["licensesMoved"] == 3 and body["licenseErrors"] == []
    assert body["deprovisionDate"] == "2026-06-30"
    target = Subscription.objects.get(pk=body["targetSubscription"]["id"])
    assert (target.channel, target.partner_id, target.status) == ("csp", csp_e4.partner_id, "active")
    assert LicenseAssignment.objects.filter(subscription=target).count() == 3
    assert not LicenseAssignment.objects.filter(subscription=target).exclude(disabled_service_plans=[]).exists()
    record = AuditRecord.objects.get(operation_type="upgrade_subscription", resource_type="subscription")
    assert record.user_principal_name == "agent@contoso.com"
    assert record.original_correlation_id == "corr-e4"
    assert record.resource_old_value == {"id": str(csp_e4.pk), "offerId": "o365-e4", "status": "active", "quantity": 10}
    assert record.resource_new_value == {
        "id": str(target.pk),
        "offerId": "m365-e5",
        "quantity": 12,
        "kind": "upgrade",
        "suspended": str(csp_e4.pk),
        "deprovisionDate": "2026-06-30",
        "licensesMoved": 3,
        "billing": {
            "credit": {
                "subscriptionId": str(csp_e4.pk),
                "amount": "-212.90",  # 22.00 × 10 seats × 30 of March's 31 days
                "currency": "USD",
                "periodStart": "2026-03-02",
                "periodEnd": "2026-03-31",
                "description": "Credit for 30 unused days of Office 365 E4 × 10",
            },
            "charge": {
                "subscriptionId": str(target.pk),
                "amount": "661.94",  # 57.00 × 12 seats × 30 / 31
                "currency": "USD",
                "periodStart": "2026-03-02",
                "periodEnd": "2026-03-31",
                "description": "Prorated charge for 30 days of Microsoft 365 E5 × 12",
            },
            "net": {"USD": "449.04"},
        },
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"targetOffer": {"id": "m365-business-basic"}, "quantity": 10}, "targetOffer.id"),
        ({"targetOffer": {"id": "m365-e5"}, "quantity": 9}, "quantity"),
        ({"quantity": 10}, "targetOffer"),
        ({"targetOffer": {"id": "m365-e5"}, "quantity": "ten"}, "quantity"),
    ],
)
def test_bad_input_is_a_400_naming_the_camel_case_field(agent, csp_e4, body, field):
    fault = assert_fault(api_for(user=agent).post(url(csp_e4), body), 400, f"{field}:")
    assert fault["errorName"] == "invalid_input"
    assert Subscription.objects.get(pk=csp_e4.pk).status == "active"
    assert Subscription.objects.filter(customer=csp_e4.customer).count() == 1


def test_a_second_replacement_of_the_suspended_e4_names_the_subscription(agent, csp_e4):
    api = api_for(user=agent)
    assert api.post(url(csp_e4), {"targetOffer": {"id": "o365-e5"}}).status_code == 201
    assert_fault(api.post(url(csp_e4), {"targetOffer": {"id": "o365-e5"}}), 400, "subscriptionId:", "Suspended")
    assert Subscription.objects.filter(customer=csp_e4.customer, offer_id="o365-e5").count() == 1


def test_another_partner_gets_404_and_nothing_changes(other_agent, csp_e4):
    api = api_for(user=other_agent)
    assert_fault(api.get(url(csp_e4)), 404)
    assert_fault(api.post(url(csp_e4), {"targetOffer": {"id": "m365-e5"}}), 404)
    assert Subscription.objects.get(pk=csp_e4.pk).status == "active"


def test_a_role_without_the_upgrade_capability_gets_403(billing_admin, csp_e4):
    api = api_for(user=billing_admin)
    assert_fault(api.get(url(csp_e4)), 403)
    assert_fault(api.post(url(csp_e4), {"targetOffer": {"id": "m365-e5"}}), 403)
    assert Subscription.objects.get(pk=csp_e4.pk).status == "active"


def test_the_same_ms_request_id_replays_the_first_response(agent, csp_e4):
    api = api_for(user=agent)
    body = {"targetOffer": {"id": "m365-e5"}}
    first = api.post(url(csp_e4), body, headers={"MS-RequestId": "e4-1"})
    second = api.post(url(csp_e4), body, headers={"MS-RequestId": "e4-1"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["MS-Idempotent-Replay"] == "true"
    assert second.json() == first.json()
    assert Subscription.objects.filter(customer=csp_e4.customer, offer_id="m365-e5").count() == 1
    assert AuditRecord.objects.filter(operation_type="upgrade_subscription").count() == 1
    other = api.post(url(csp_e4), {"targetOffer": {"id": "o365-e5"}}, headers={"MS-RequestId": "e4-1"})
    assert_fault(other, 409, "idempotency_key_reused")


def replacement_queries(agent, e4, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.models import TenantUser

    extra = TenantUser.objects.bulk_create(
        [TenantUser(customer=e4.customer, user_principal_name=f"more{i}@fabrikam.se") for i in range(users)]
    )
    LicenseAssignment.objects.bulk_create([LicenseAssignment(user=u, subscription=e4) for u in extra])
    Subscription.objects.filter(pk=e4.pk).update(quantity=3 + users)
    api = api_for(user=agent)
    with CaptureQueriesContext(connection) as read:
        assert api.get(url(e4)).status_code == 200
    with CaptureQueriesContext(connection) as write:
        assert api.post(url(e4), {"targetOffer": {"id": "m365-e5"}}).status_code == 201
    return len(read.captured_queries), len(write.captured_queries)


def test_query_counts_do_not_grow_with_the_users(agent, csp_e4, customer, partner):
    replacement_queries(agent, csp_e4, 0)  # warms the token's first-use bookkeeping
    e4s = [direct_subscription(customer, channel="csp", partner=partner, payment_method="") for _ in range(2)]
    small = replacement_queries(agent, e4s[0], 0)
    large = replacement_queries(agent, e4s[1], 200)
    # the read records the new token's first use (last_used); the write within the minute does not again
    assert small == large == (8, 19)
