"""Conventions every /v1/ response follows: auth, ServiceFault errors, envelopes, paging, correlation ids."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken
from tests import factories
from tests.builders import api_for, assert_fault, sub_url, tokens_just_used

pytestmark = pytest.mark.django_db


# -- authentication ---------------------------------------------------------------------------------------
def test_missing_token_is_401_service_fault(api):
    response = api.client.get("/v1/customers")
    body = assert_fault(response, 401)
    assert body["errorName"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer", "Bearer a b", "Basic dXNlcjpwYXNz"])
def test_bad_token_is_401(api, header):
    response = api.client.get("/v1/customers", HTTP_AUTHORIZATION=header)
    assert_fault(response, 401)


def test_revoked_token_is_401(sales_agent):
    token, raw = ApiToken.issue(user=sales_agent)
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    api = api_for(user=sales_agent)
    assert_fault(api.get("/v1/customers", token=raw), 401)


def test_user_token_and_application_token_both_read(api, app_api, customer):
    for client in (api, app_api):
        response = client.get("/v1/customers")
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [str(customer.tenant_id)]


def test_role_without_capability_is_403(partner, customer, subscription):
    billing = api_for(user=factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]))
    assert billing.get("/v1/customers").status_code == 200
    body = assert_fault(billing.get(sub_url(subscription, "/upgrades")), 403)
    assert body["errorName"] == "forbidden"
    assert_fault(billing.patch(sub_url(subscription), {"quantity": 11}), 403)


def test_partner_user_without_roles_is_403(partner, customer):
    nobody = api_for(user=factories.PartnerUserFactory(partner=partner, roles=[]))
    assert_fault(nobody.get("/v1/customers"), 403)


# -- errors are ServiceFaults, never HTML, never 5xx for bad input -----------------------------------------
def test_unknown_url_under_v1_is_json_404(api):
    for path in ("/v1/nope", "/v1/customers/", "/v1/", "/v1", "/v1/customers/x/y/z/w/v"):
        assert_fault(api.get(path), 404)
    assert_fault(api.client.post("/v1/nope"), 404)  # even without a token


def test_method_not_allowed_is_405_fault(api, customer):
    assert_fault(api.call("delete", "/v1/customers"), 405, "DELETE")
    assert_fault(api.call("put", f"/v1/customers/{customer.tenant_id}"), 405)


def test_unexpected_error_is_500_service_fault(api, monkeypatch, caplog):
    from delegation.api import customers

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(customers, "customers_for_api", boom)
    response = api.get("/v1/customers", headers={"MS-CorrelationId": "trace-me"})
    body = assert_fault(response, 500)
    assert body["errorName"] == "internal_error"
    assert "kaboom" not in response.content.decode()
    assert response["MS-CorrelationId"] == "trace-me"


def test_domain_errors_map_to_their_status():
    from api.errors import service_fault_handler
    from core.errors import Conflict, InvalidInput, Locked

    response = service_fault_handler(InvalidInput("must be positive.", field="quantity"), {})
    assert response.status_code == 400
    assert response.data["description"] == "quantity: must be positive."
    assert response.data["data"] == ["quantity: must be positive."]
    assert service_fault_handler(Conflict("busy"), {}).status_code == 409
    locked = service_fault_handler(Locked("credit check"), {})
    assert (locked.status_code, locked.data["errorName"]) == (423, "tenant_locked")


def test_malformed_guids_in_path_are_400_naming_the_parameter(api, subscription):
    tid = subscription.customer.tenant_id
    assert_fault(api.get("/v1/customers/not-a-guid"), 400, "customerTenantId")
    assert_fault(api.get(f"/v1/customers/{tid}/subscriptions/123"), 400, "subscriptionId")
    assert_fault(api.get(f"/v1/customers/{tid}/users/xyz/licenses"), 400, "userId")
    assert_fault(api.get("/v1/customers/" + "9" * 5000), 400, "customerTenantId")


def test_unknown_ids_are_404(api, customer):
    assert_fault(api.get(f"/v1/customers/{uuid.uuid4()}"), 404)
    assert_fault(api.get(f"/v1/customers/{customer.tenant_id}/subscriptions/{uuid.uuid4()}"), 404)
    assert_fault(api.get(f"/v1/customers/{customer.tenant_id}/users/{uuid.uuid4()}/licenses"), 404)
    assert_fault(api.get("/v1/offers/no-such-offer"), 404)


@pytest.mark.parametrize(
    "query, field",
    [
        ("size=0", "size"),
        ("size=-5", "size"),
        ("size=abc", "size"),
        ("offset=-1", "offset"),
        ("offset=1e3", "offset"),
        ("filter={bad", "filter"),
        ('filter={"Field":"Nope","Value":"a"}', "filter"),
    ],
)
def test_bad_paging_and_filter_params_are_400(api, customer, query, field):
    assert_fault(api.get(f"/v1/customers?{query}"), 400, field)


# -- correlation id --------------------------------------------------------------------------------------
def test_correlation_id_is_echoed_or_generated(api, customer):
    response = api.get("/v1/customers", headers={"MS-CorrelationId": "1d5a2a3c-7c3e-4b55-9d0d-5c1f1b6f0a11"})
    assert response["MS-CorrelationId"] == "1d5a2a3c-7c3e-4b55-9d0d-5c1f1b6f0a11"
    generated = api.get("/v1/customers")["MS-CorrelationId"]
    assert uuid.UUID(generated)
    assert uuid.UUID(api.client.get("/v1/customers")["MS-CorrelationId"])  # on a 401 too
    assert uuid.UUID(api.get("/v1/nope")["MS-CorrelationId"])  # and on an unknown URL


def test_too_long_correlation_id_is_400(api, customer):
    response = api.get("/v1/customers", headers={"MS-CorrelationId": "x" * 65})
    assert_fault(response, 400, "MS-CorrelationId")
    assert uuid.UUID(response["MS-CorrelationId"])


# -- shapes, envelopes, paging ---------------------------------------------------------------------------
def test_customer_shape(api, customer):
    item = api.get(f"/v1/customers/{customer.tenant_id}").json()
    assert item["id"] == str(customer.tenant_id)
    assert item["companyProfile"] == {
        "tenantId": str(customer.tenant_id),
        "domain": "fabrikam.onmicrosoft.com",
        "companyName": "Fabrikam",
        "attributes": {"objectType": "CustomerCompanyProfile"},
    }
    assert item["relationshipToPartner"] == "reseller"
    assert item["allowDelegatedAccess"] is True
    assert item["billingProfile"]["defaultAddress"] == {"country": "US"}
    assert item["attributes"] == {"objectType": "Customer"}


def test_allow_delegated_access_false_without_dap_or_gdap(partner, api):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    assert api.get(f"/v1/customers/{customer.tenant_id}").json()["allowDelegatedAccess"] is False


def test_subscription_shape(api, subscription):
    item = api.get(sub_url(subscription)).json()
    expected_keys = {
        "id",
        "offerId",
        "offerName",
        "friendlyName",
        "quantity",
        "unitType",
        "parentSubscriptionId",
        "creationDate",
        "effectiveStartDate",
        "commitmentEndDate",
        "status",
        "autoRenewEnabled",
        "isTrial",
        "billingType",
        "billingCycle",
        "partnerId",
        "attributes",
    }
    assert expected_keys <= set(item)
    assert all("_" not in key for key in item)  # camelCase only
    assert item["offerId"] == "m365-business-basic" and item["unitType"] == "Licenses"
    assert item["billingType"] == "license" and item["status"] == "active"
    assert item["effectiveStartDate"].endswith("T00:00:00Z")
    assert item["attributes"] == {"objectType": "Subscription"}


def test_collection_envelope_and_paging(api, partner):
    customers = [factories.CustomerFactory(company_name=f"Paged {n:02d}") for n in range(5)]
    for customer in customers:
        factories.RelationshipFactory(partner=partner, customer=customer)
    first = api.get("/v1/customers?size=2").json()
    assert set(first) == {"totalCount", "items", "links", "attributes"}
    assert first["attributes"] == {"objectType": "Collection"}
    assert first["totalCount"] == 5 and len(first["items"]) == 2
    assert first["links"]["next"]["method"] == "GET"
    seen = [item["companyProfile"]["companyName"] for item in first["items"]]
    uri = first["links"]["next"]["uri"]
    while uri:
        page = api.get(uri).json()
        seen += [item["companyProfile"]["companyName"] for item in page["items"]]
        uri = page["links"].get("next", {}).get("uri")
    assert seen == [f"Paged {n:02d}" for n in range(5)]


def test_size_is_capped(api, partner, settings):
    settings.API_PAGE_SIZE_MAX = 3
    for _ in range(4):
        factories.RelationshipFactory(partner=partner)
    body = api.get("/v1/customers?size=1000").json()
    assert len(body["items"]) == 3 and "next" in body["links"]


def test_customer_search(api, partner, customer):
    factories.RelationshipFactory(partner=partner, customer=factories.CustomerFactory(company_name="Other"))
    found = api.get("/v1/customers?q=fabri").json()["items"]
    assert [item["companyProfile"]["companyName"] for item in found] == ["Fabrikam"]
    pc_filter = '{"Field":"CompanyName","Value":"Fab","Operator":"starts_with"}'
    assert api.get("/v1/customers").json()["totalCount"] == 2
    assert api.get(f"/v1/customers?filter={pc_filter}").json()["totalCount"] == 1


# -- query counts stay flat ------------------------------------------------------------------------------
def _queries(api, path) -> int:
    tokens_just_used()
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_customer_list_query_count_is_flat(api, partner):
    def grow(n):
        for _ in range(n):
            customer = factories.CustomerFactory()
            factories.RelationshipFactory(partner=partner, customer=customer)
            factories.DapGrantFactory(partner=partner, customer=customer)

    grow(10)
    small = _queries(api, "/v1/customers?size=500")
    grow(190)
    assert _queries(api, "/v1/customers?size=500") == small


def test_subscription_list_query_count_is_flat(api, partner, customer):
    factories.SubscriptionFactory.create_batch(10, customer=customer, partner=partner)
    small = _queries(api, f"/v1/customers/{customer.tenant_id}/subscriptions?size=500")
    factories.SubscriptionFactory.create_batch(190, customer=customer, partner=partner)
    assert _queries(api, f"/v1/customers/{customer.tenant_id}/subscriptions?size=500") == small
