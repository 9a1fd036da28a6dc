"""POST /v1/upgradeEligibility: per subscription its Upgrade collection, or a per-item not-found fault."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.builders import ELIGIBILITY, assert_fault, make_upgradable, tokens_just_used

pytestmark = pytest.mark.django_db


def ref(upgradable) -> dict:
    return {"customerId": str(upgradable.customer.tenant_id), "subscriptionId": str(upgradable.subscription.pk)}


def test_shape_matches_the_single_subscription_upgrades(api, upgradables, other_partner):
    foreign = factories.SubscriptionFactory(partner=other_partner)
    body = {
        "subscriptions": [
            ref(upgradables[0]),
            {"customerId": str(foreign.customer.tenant_id), "subscriptionId": str(foreign.pk)},
            ref(upgradables[0]),
        ]
    }
    response = api.post(ELIGIBILITY, body)
    assert response.status_code == 200, response.json()
    payload = response.json()
    assert payload["attributes"] == {"objectType": "Collection"} and payload["totalCount"] == 3
    first, missing, repeated = payload["items"]
    assert first["attributes"] == {"objectType": "SubscriptionUpgradeEligibility"}
    assert (first["customerId"], first["subscriptionId"], first["error"]) == (
        body["subscriptions"][0]["customerId"],
        body["subscriptions"][0]["subscriptionId"],
        None,
    )
    single = api.get(
        f"/v1/customers/{upgradables[0].customer.tenant_id}/subscriptions/{upgradables[0].subscription.pk}/upgrades"
    ).json()
    assert first["upgrades"] == single
    assert [u["targetOffer"]["id"] for u in first["upgrades"]["items"]] == [
        "m365-business-standard",
        "o365-e1",
        "o365-e3",
        "o365-e5",
    ]
    assert repeated["upgrades"] == first["upgrades"]
    assert missing["upgrades"] is None
    assert missing["error"]["errorName"] == "not_found" and missing["error"]["code"] == 404
    assert missing["error"]["attributes"] == {"objectType": "ServiceFault"}


def test_wrong_customer_for_a_subscription_is_not_found(api, upgradables):
    body = {"subscriptions": [{**ref(upgradables[0]), "customerId": str(upgradables[1].customer.tenant_id)}]}
    entry = api.post(ELIGIBILITY, body).json()["items"][0]
    assert entry["upgrades"] is None and entry["error"]["errorName"] == "not_found"


def test_app_only_token_sees_user_context_required(app_api, upgradables):
    entry = app_api.post(ELIGIBILITY, {"subscriptions": [ref(upgradables[0])]}).json()["items"][0]
    assert entry["upgrades"]["items"]
    for upgrade in entry["upgrades"]["items"]:
        assert not upgrade["isEligible"] and 5 in [e["code"] for e in upgrade["upgradeErrors"]]


@pytest.mark.parametrize(
    "body, line",
    [
        (
            {"subscriptions": [{"customerId": "x", "subscriptionId": "6f1a2c3d-0000-4000-8000-000000000002"}]},
            "subscriptions[0].customerId: not a GUID.",
        ),
        ({"subscriptions": []}, "subscriptions: must hold 1 to 500 items (got 0)."),
        (
            {
                "subscriptions": [
                    {
                        "customerId": "6f1a2c3d-0000-4000-8000-000000000002",
                        "subscriptionId": "6f1a2c3d-0000-4000-8000-000000000002",
                    }
                ]
                * 501
            },
            "subscriptions: must hold 1 to 500 items (got 501).",
        ),
        (
            {
                "subscriptions": [
                    {
                        "customerId": "6f1a2c3d-0000-4000-8000-000000000002",
                        "subscriptionId": "6f1a2c3d-0000-4000-8000-000000000002",
                    }
                ],
                "billingCycle": "weekly",
            },
            "billingCycle: must be monthly or annual.",
        ),
    ],
)
def test_bad_bodies(api, body, line):
    fault = assert_fault(api.post(ELIGIBILITY, body), 400)
    assert line in fault["data"]


def test_billing_admin_is_refused(partner, upgradables):
    from tests.builders import api_for

    billing = api_for(user=factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]))
    assert_fault(billing.post(ELIGIBILITY, {"subscriptions": [ref(upgradables[0])]}), 403)


def _queries(api, refs) -> int:
    tokens_just_used()
    with CaptureQueriesContext(connection) as queries:
        response = api.post(ELIGIBILITY, {"subscriptions": refs})
    assert response.status_code == 200
    return len(queries)


def test_cost_does_not_grow_with_subscriptions_targets_or_duplicates(api, partner, sales_agent, upgradables):
    """One batch load for the whole request: the same number of queries for 1, 2 or 5 subscriptions (whatever the
    number of targets) and for listed duplicates."""
    more = [make_upgradable(partner=partner, agent=sales_agent) for _ in range(2)]
    refs = [ref(u) for u in [*upgradables, *more]]
    one, two, five = _queries(api, refs[:1]), _queries(api, refs[:2]), _queries(api, refs)
    assert one == two == five
    assert _queries(api, refs[:1] * 3) == one  # duplicates are evaluated once
