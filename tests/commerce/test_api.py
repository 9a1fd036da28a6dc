"""GET /v1/customers/{id}/subscriptions/{id}/transitionEligibilities: Partner Center's shape, scoping, bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.builders import assert_fault, sub_url
from tests.builders import nce_subscription as nce

pytestmark = pytest.mark.django_db

E3_ITEM = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"
BASIC_TARGETS = [
    "CFQ7TTC0LDPB:0001:DZH318Z0BPS6",  # Business Standard
    "CFQ7TTC0LF8Q:0001:DZH318Z0BOE1",  # Office 365 E1
    E3_ITEM,
    "CFQ7TTC0LF8S:0001:DZH318Z0BOE5",  # Office 365 E5
]


def get(api, subscription, query="?eligibilityType=immediate"):
    return api.get(sub_url(subscription, "/transitionEligibilities") + query)


def test_the_collection_in_partner_centers_shape(agent_api, source):
    response = get(agent_api, source)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totalCount"] == 4
    assert body["attributes"] == {"objectType": "Collection"}
    assert [item["catalogItemId"] for item in body["items"]] == BASIC_TARGETS
    e3 = body["items"][2]
    assert set(e3) == {
        "catalogItemId",
        "offerId",
        "title",
        "description",
        "quantity",
        "eligibilities",
        "subscriptionEligibilities",
        "attributes",
    }
    assert (e3["offerId"], e3["title"], e3["quantity"]) == ("o365-e3", "Office 365 E3", 10)
    assert e3["attributes"] == {"objectType": "TransitionEligibility"}
    assert e3["eligibilities"] == [
        {
            "transitionType": "transition_only",
            "isEligible": True,
            "errors": [],
            "attributes": {"objectType": "TransitionEligibilityDetail"},
        },
        {
            "transitionType": "transition_with_license_transfer",
            "isEligible": True,
            "errors": [],
            "attributes": {"objectType": "TransitionEligibilityDetail"},
        },
    ]
    assert e3["subscriptionEligibilities"] == []


def test_missing_eligibility_type_is_immediate(agent_api, source):
    response = get(agent_api, source, query="")
    assert response.status_code == 200
    assert [item["catalogItemId"] for item in response.json()["items"]] == BASIC_TARGETS


def test_merge_targets_with_their_errors(agent_api, customer, partner, source):
    window = nce(
        customer,
        "o365-e3",
        partner=partner,
        friendly_name="E3 bought last week",
        cancellation_allowed_until=timezone.now() + timedelta(days=2),
    )
    items = get(agent_api, source).json()["items"]
    e3 = next(item for item in items if item["catalogItemId"] == E3_ITEM)
    (merge,) = e3["subscriptionEligibilities"]
    assert merge["subscriptionId"] == str(window.pk)
    assert merge["subscriptionFriendlyName"] == "E3 bought last week"
    assert (merge["subscriptionTermDuration"], merge["subscriptionBillingCycle"]) == ("P1Y", "annual")
    assert merge["isEligible"] is False
    assert [(e["code"], e["errorName"]) for e in merge["errors"]] == [(2, "in_cancellation_window")]
    assert all(e["isEligible"] for e in e3["eligibilities"])  # a merge target is not a multichannel conflict
    scheduled = get(agent_api, source, "?eligibilityType=scheduled").json()["items"]
    assert [item["subscriptionEligibilities"] for item in scheduled] == [[], [], [], []]


def test_a_target_held_through_another_partner_is_a_conflict(agent_api, customer, other_partner, source):
    factories.SubscriptionFactory(customer=customer, partner=other_partner, offer_id="o365-e3")
    e3 = next(i for i in get(agent_api, source).json()["items"] if i["catalogItemId"] == E3_ITEM)
    assert e3["subscriptionEligibilities"] == []
    assert [[e["code"] for e in d["errors"]] for d in e3["eligibilities"]] == [[3], [3]]


def test_scheduled_lists_the_lower_offers_too(agent_api, customer, partner):
    e3 = nce(customer, "o365-e3", partner=partner)
    assert get(agent_api, e3).json()["items"] == []  # nothing above Office 365 E3 in the matrix
    items = get(agent_api, e3, "?eligibilityType=scheduled&termDuration=P1M").json()["items"]
    assert [(item["offerId"], item["catalogItemId"]) for item in items] == [
        ("m365-apps-for-business", "CFQ7TTC0LH1G:0001:DZH318Z0BQAB"),
        ("m365-business-basic", "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q"),
        ("m365-business-standard", "CFQ7TTC0LDPB:0001:DZH318Z0BPS6"),
    ]
    assert all(d["isEligible"] for item in items for d in item["eligibilities"])


def test_a_shorter_term_mid_term_is_refused(agent_api, source):
    items = get(agent_api, source, "?eligibilityType=immediate&termDuration=P1M").json()["items"]
    assert {e["errorName"] for item in items for d in item["eligibilities"] for e in d["errors"]} == {
        "shorter_term_not_allowed_mid_term"
    }


def test_a_legacy_subscription_is_told_to_upgrade(agent_api, customer, partner):
    legacy = factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="m365-business-basic")
    response = get(agent_api, legacy)
    assert response.status_code == 200
    errors = [e for item in response.json()["items"] for d in item["eligibilities"] for e in d["errors"]]
    assert len(errors) == 8  # 4 targets × 2 types
    assert {(e["code"], e["errorName"]) for e in errors} == {(11, "legacy_subscription")}
    assert f"subscriptions/{legacy.pk}/upgrades" in errors[0]["additionalDetails"]


def test_every_failing_reason_through_the_api(agent_api, customer, partner, source):
    source.status = "suspended"
    source.save()
    factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="m365-business-basic")
    (first, *_rest) = get(agent_api, source).json()["items"]
    assert [[e["code"] for e in d["errors"]] for d in first["eligibilities"]] == [[2], [2, 13]]


def test_reader_roles_cannot_transfer_licenses(partner, source, customer):
    from tests.builders import api_for, grant_gdap

    reader = factories.PartnerUserFactory(partner=partner, username="reader", roles=["admin_agent"])
    grant_gdap(partner=partner, customer=customer, user=reader, roles=("Global Reader",))
    (first, *_rest) = get(api_for(user=reader), source).json()["items"]
    assert [[e["errorName"] for e in d["errors"]] for d in first["eligibilities"]] == [
        [],
        ["license_transfer_role_required"],
    ]


@pytest.mark.parametrize("value", ["now", "IMMEDIATELY", "1"])
def test_a_bad_eligibility_type_is_a_400_naming_the_field(agent_api, source, value):
    assert_fault(get(agent_api, source, f"?eligibilityType={value}"), 400, "eligibilityType")


def test_a_bad_term_is_a_400_naming_the_field(agent_api, source):
    assert_fault(get(agent_api, source, "?eligibilityType=immediate&termDuration=P2Y"), 400, "termDuration")


def test_another_partners_subscription_is_a_404(agent_api, other_partner):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    theirs = nce(customer, "m365-business-basic", partner=other_partner)
    assert_fault(get(agent_api, theirs), 404)


def test_another_partners_subscription_of_a_shared_customer_is_a_404(agent_api, customer, other_partner):
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    theirs = nce(customer, "m365-business-basic", partner=other_partner)
    assert_fault(get(agent_api, theirs), 404)


def test_a_role_without_the_upgrade_capability_is_a_403(partner, source):
    from tests.builders import api_for

    billing = factories.PartnerUserFactory(partner=partner, username="bill", roles=["billing_admin"])
    assert get(api_for(user=billing), source).status_code == 403


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/v1/schema/", HTTP_ACCEPT="application/json").json()
    path = schema["paths"]["/v1/customers/{customer_id}/subscriptions/{subscription_id}/transitionEligibilities"]
    assert [p["name"] for p in path["get"]["parameters"] if p["in"] == "query"] == ["eligibilityType", "termDuration"]
    by_name = {p["name"]: p for p in path["get"]["parameters"]}
    assert by_name["eligibilityType"]["schema"]["enum"] == ["immediate", "scheduled"]
    assert by_name["eligibilityType"]["schema"]["default"] == "immediate"
