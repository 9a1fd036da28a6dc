"""Bad input never answers 500 (issue 8 item 5): OPTIONS, non-ASCII digits, huge numbers, big and deep bodies."""

import json
import re
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from audit.models import AuditRecord
from notifications.models import Notification
from subscriptions.models import Subscription
from tests import factories
from tests.builders import api_for, assert_fault, sub_url

pytestmark = pytest.mark.django_db

BAD_NUMBERS = ["²", "①", "١٢", "5" * 5000, "12.5", "", " ", "1e3", True]
UPGRADE_TYPE_TEXT = "Must be one of none, upgrade_only, upgrade_with_license_transfer or the integers 0, 1, 2; got {}."


def v1_routes() -> list[str]:
    """Every /v1/ route pattern of the URLconf (walked, so a new route is covered without editing this test)."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append(prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "")
    return [route for route in found if route.startswith("v1/") and "<path:" not in route and "^" not in route]


def fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), str(uuid.uuid4())), route)


@pytest.fixture
def admin_api(customer):
    admin = factories.UserFactory(username="fabrikam-admin")
    factories.CustomerAdminRoleFactory(user=admin, customer=customer, role="global_administrator")
    return api_for(user=admin)


# -- OPTIONS ------------------------------------------------------------------------------------------------------


def test_the_route_walk_sees_every_v1_api(customer):
    routes = v1_routes()
    assert len(routes) >= 25
    for expected in ("v1/customers", "v1/me/customers", "v1/upgradeBatches", "v1/delegatedAdminRelationships"):
        assert expected in routes


def test_authenticated_options_on_every_v1_route_answers_metadata(api, admin_api, customer, subscription):
    values = {
        "customer_id": str(customer.tenant_id),
        "tenant_id": str(customer.tenant_id),
        "subscription_id": str(subscription.pk),
    }
    answers = {}
    for route in v1_routes():
        client = admin_api if route.startswith("v1/me/") else api
        response = client.call("options", fill(route, values))
        answers[route] = response.status_code
        if response.status_code == 200 and route not in ("v1/schema/", "v1/docs/", "v1/redoc/"):
            assert set(response.json()) >= {"name", "renders", "parses"}
    assert {route: code for route, code in answers.items() if code not in (200, 405)} == {}
    assert answers["v1/customers/<str:customer_id>/subscriptions/<str:subscription_id>"] == 200


def test_options_still_needs_a_token(customer):
    response = api_for(user=factories.PartnerUserFactory()).client.options("/v1/customers")
    assert_fault(response, 401, "unauthenticated")


# -- numbers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
def test_patch_quantity_accepts_only_ascii_digits(api, subscription, value):
    response = api.patch(sub_url(subscription), {"quantity": value})
    assert_fault(response, 400, "quantity")
    assert Subscription.objects.get(pk=subscription.pk).quantity == 10
    assert not AuditRecord.objects.exists()


def test_patch_quantity_as_ascii_string_still_works(api, subscription):
    response = api.patch(sub_url(subscription), {"quantity": "12"})
    assert response.status_code == 200, response.json()
    assert Subscription.objects.get(pk=subscription.pk).quantity == 12


def test_a_5000_digit_json_integer_is_invalid_json(api, subscription):
    response = api.patch(sub_url(subscription), raw_body='{"quantity": ' + "9" * 5000 + "}")
    assert_fault(response, 400, "invalid_json")


@pytest.mark.parametrize(
    "value,shown", [("²", "'²'"), ("①", "'①'"), ("١", "'١'"), (7, "7"), ("5" * 5000, "'" + "5" * 36 + "...")], ids=repr
)
def test_upgrade_type_error_text_is_filled_in(api, subscription, value, shown):
    response = api.post(sub_url(subscription, "/upgrades"), {"targetOffer": {"id": "o365-e3"}, "upgradeType": value})
    body = assert_fault(response, 400, "upgradeType")
    assert body["data"] == ["upgradeType: " + UPGRADE_TYPE_TEXT.format(shown)]


@pytest.mark.parametrize("value", BAD_NUMBERS[:5], ids=repr)
def test_upgrade_quantity_accepts_only_ascii_digits(api, subscription, value):
    response = api.post(sub_url(subscription, "/upgrades"), {"targetOffer": {"id": "o365-e3"}, "quantity": value})
    assert_fault(response, 400, "quantity")


def _batch_item(**overrides):
    item = {"customerId": str(uuid.uuid4()), "subscriptionId": str(uuid.uuid4()), "targetOfferId": "o365-e3"}
    item.update(overrides)
    return item


@pytest.mark.parametrize(
    "field,value",
    [
        ("quantity", "²"),
        ("quantity", "①"),
        ("quantity", "١٢"),
        ("quantity", "5" * 5000),
        ("upgradeType", "²"),
        ("upgradeType", "①"),
    ],
    ids=repr,
)
def test_batch_item_numbers_accept_only_ascii_digits(api, field, value):
    response = api.post("/v1/upgradeBatches", {"items": [_batch_item(**{field: value})]})
    body = assert_fault(response, 400, f"items[0].{field}")
    assert len(body["data"]) == 1


@pytest.mark.parametrize("value", ["²", "①", "١٢", "5" * 5000, "9" * 30, "-1"], ids=repr)
def test_access_container_id_accepts_only_ascii_digits(partner, customer, value):
    agent = factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])
    relationship = factories.GdapRelationshipFactory(partner=partner, customer=customer)
    factories.SecurityGroupFactory(partner=partner, name="Helpdesk")
    response = api_for(user=agent).post(
        f"/v1/delegatedAdminRelationships/{relationship.pk}/accessAssignments",
        {
            "accessContainer": {"accessContainerId": value},
            "accessDetails": {"unifiedRoles": [{"displayName": "Directory Readers"}]},
        },
    )
    assert_fault(response, 400, "accessContainer.accessContainerId")
    assert not relationship.access_assignments.exists()


@pytest.mark.parametrize("value", ["²", "①", "١٢", "5" * 5000], ids=repr)
def test_paging_size_accepts_only_ascii_digits(api, value):
    assert_fault(api.get(f"/v1/customers?size={value}"), 400, "size")


@pytest.mark.parametrize("value", ["²", "①", "١٢", "5" * 5000, "9" * 30], ids=repr)
def test_notification_id_form_field_is_a_form_error(client, sales_agent, value):
    unread = Notification.objects.create(user=sales_agent, message="Batch finished")
    client.force_login(sales_agent)
    response = client.post("/notifications/read/", {"id": [str(unread.pk), value]})
    assert response.status_code == 400
    assert "each notification id must be a whole number" in response.content.decode()
    assert Notification.objects.get(pk=unread.pk).read is False


def test_me_quantity_accepts_only_ascii_digits(admin_api, customer):
    response = admin_api.post(
        f"/v1/me/customers/{customer.tenant_id}/orders",
        {"offerId": "o365-e3", "quantity": "١٢", "paymentMethod": "credit_card"},
    )
    assert_fault(response, 400, "quantity")


# -- body size and depth ------------------------------------------------------------------------------------------


def largest_legal_batch() -> str:
    """10,000 items (the maximum), each with every field at its longest, pretty-printed with indent=2."""
    items = [
        {
            "customerId": str(uuid.UUID(int=n)),
            "subscriptionId": str(uuid.UUID(int=n + 1)),
            "targetOfferId": "o" * 64,
            "quantity": 2_147_483_647,
            "upgradeType": "upgrade_with_license_transfer",
        }
        for n in range(10_000)
    ]
    return json.dumps({"items": items, "dryRun": False}, indent=2)


def test_the_largest_legal_batch_fits_under_the_body_limit(api):
    body = largest_legal_batch()
    assert len(body.encode()) > 2_621_440  # more than Django's default 2.5 MiB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE > len(body.encode())
    # The same body with the last item's quantity broken: read and parsed in full, so the 400 names that item.
    broken = body[: body.rindex("2147483647")] + '"\\u00b2"' + body[body.rindex("2147483647") + 10 :]
    response = api.call("post", "/v1/upgradeBatches", raw_body=broken)
    body_out = assert_fault(response, 400, "items[9999].quantity")
    assert body_out["data"] == ["items[9999].quantity: must be a whole number."]


def test_a_body_over_the_limit_is_a_413_service_fault(api, subscription):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    padding = size - len('{"friendlyName": ""}')
    response = api.call("patch", sub_url(subscription), raw_body='{"friendlyName": "' + "a" * padding + '"}')
    body = assert_fault(response, 413, "request_too_large")
    assert body["description"] == f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    assert Subscription.objects.get(pk=subscription.pk).friendly_name == ""


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_invalid_json(api, subscription, depth):
    response = api.call("patch", sub_url(subscription), raw_body="[" * depth + "]" * depth)
    body = assert_fault(response, 400, "invalid_json")
    assert body["description"] == "JSON parse error - nested more than 32 levels deep."


def test_deeply_nested_json_is_invalid_json_on_me(admin_api, customer):
    deep = '{"offerId": ' + "[" * 1000 + "]" * 1000 + "}"
    response = admin_api.call("post", f"/v1/me/customers/{customer.tenant_id}/orders", raw_body=deep)
    assert_fault(response, 400, "invalid_json")


def test_ordinary_nesting_is_accepted(api, subscription):
    response = api.call(
        "patch", sub_url(subscription), raw_body=json.dumps({"quantity": 11, "extra": [[[[{"a": [1]}]]]]})
    )
    assert response.status_code == 200, response.json()


# -- suspended subscriptions --------------------------------------------------------------------------------------


def test_a_suspended_subscriptions_quantity_is_refused(api, subscription):
    Subscription.objects.filter(pk=subscription.pk).update(status="suspended")
    response = api.patch(sub_url(subscription), {"quantity": 12})
    body = assert_fault(response, 400, "quantity")
    assert body["data"] == ["quantity: cannot be changed while the subscription is suspended; reactivate it first."]
    assert Subscription.objects.get(pk=subscription.pk).quantity == 10
    assert not AuditRecord.objects.exists()


def test_suspending_and_changing_quantity_at_once_is_refused(api, subscription):
    response = api.patch(sub_url(subscription), {"status": "suspended", "quantity": 12})
    assert_fault(response, 400, "quantity", "suspended")
    row = Subscription.objects.get(pk=subscription.pk)
    assert (row.status, row.quantity) == ("active", 10)


def test_reactivating_with_a_new_quantity_is_allowed(api, subscription):
    Subscription.objects.filter(pk=subscription.pk).update(status="suspended")
    response = api.patch(sub_url(subscription), {"status": "active", "quantity": 12})
    assert response.status_code == 200, response.json()
    row = Subscription.objects.get(pk=subscription.pk)
    assert (row.status, row.quantity) == ("active", 12)


# -- the OpenAPI schema says what the API does --------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operation(openapi, path, method):
    return openapi["paths"][path][method]


def _ref_name(schema):
    return schema["$ref"].rsplit("/", 1)[-1]


def test_schema_upgrade_post_400_is_an_upgrade_result_or_a_service_fault(openapi):
    operation = _operation(openapi, "/v1/customers/{customer_id}/subscriptions/{subscription_id}/upgrades", "post")
    refusal = openapi["components"]["schemas"][
        _ref_name(operation["responses"]["400"]["content"]["application/json"]["schema"])
    ]
    assert sorted(_ref_name(option) for option in refusal["oneOf"]) == ["ServiceFault", "UpgradeResult"]
    assert set(operation["responses"]) == {
        "200",
        "202",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
    }  # 202: Prefer respond-async


def test_schema_every_me_operation_has_bodies_and_error_codes(openapi):
    me = {
        (path, method): op
        for path, item in openapi["paths"].items()
        if path.startswith("/v1/me/")
        for method, op in item.items()
    }
    assert len(me) == 12  # issue 14 (direct-seats): seatChanges, payments, cancel, invoice
    for (path, method), operation in me.items():
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert "$ref" in operation["responses"][success]["content"]["application/json"]["schema"], (path, method)
        assert {"400", "401", "403", "404", "423"} <= set(operation["responses"]), (path, method)
        if method == "post":
            assert "requestBody" in operation and "413" in operation["responses"], (path, method)


def test_schema_paging_minimum_required_parameters_and_min_items(openapi):
    parameters = {p["name"]: p for p in _operation(openapi, "/v1/customers", "get")["parameters"]}
    assert parameters["size"]["schema"]["minimum"] == 1 and parameters["offset"]["schema"]["minimum"] == 0
    offers = {p["name"]: p for p in _operation(openapi, "/v1/offers", "get")["parameters"]}
    assert offers["country"]["required"] is True
    audit = {p["name"]: p for p in _operation(openapi, "/v1/auditrecords", "get")["parameters"]}
    assert audit["startDate"]["required"] is True
    schemas = openapi["components"]["schemas"]
    assert (
        schemas["UpgradeBatchRequestRequest"]["properties"]["items"]["minItems"],
        schemas["UpgradeBatchRequestRequest"]["properties"]["items"]["maxItems"],
    ) == (1, 10_000)
    assert schemas["UpgradeEligibilityRequestRequest"]["properties"]["subscriptions"]["minItems"] == 1
