"""Tenant users and their licenses; the error handler's mapping of framework exceptions; the admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions

from api.errors import service_fault_handler
from api.models import IdempotencyRecord
from tests import factories
from tests.builders import assert_fault

pytestmark = pytest.mark.django_db


def test_users_and_their_licenses(api, partner, customer, subscription, other_partner):
    assignment = factories.LicenseAssignmentFactory(subscription=subscription, disabled_service_plans=["TEAMS1"])
    user = assignment.user
    theirs = factories.SubscriptionFactory(customer=customer, partner=other_partner, offer_id="o365-e3")
    factories.LicenseAssignmentFactory(subscription=theirs, user=user)  # another partner's: not shown
    factories.TenantUserFactory()  # another tenant's user

    users = api.get(f"/v1/customers/{customer.tenant_id}/users").json()
    assert [u["id"] for u in users["items"]] == [str(user.object_id)]
    assert users["items"][0]["userPrincipalName"] == user.user_principal_name
    assert users["items"][0]["attributes"] == {"objectType": "CustomerUser"}

    licenses = api.get(f"/v1/customers/{customer.tenant_id}/users/{user.object_id}/licenses").json()
    assert licenses["attributes"] == {"objectType": "Collection"}
    [license_] = licenses["items"]
    assert license_["productSku"]["skuPartNumber"] == "O365_BUSINESS_ESSENTIALS"
    plans = {plan["serviceName"]: plan["capabilityStatus"] for plan in license_["servicePlans"]}
    assert plans["TEAMS1"] == "Suspended" and plans["EXCHANGE_S_STANDARD"] == "Enabled"
    assert license_["attributes"] == {"objectType": "License"}


def test_user_of_another_tenant_is_404(api, customer):
    stranger = factories.TenantUserFactory()
    assert_fault(api.get(f"/v1/customers/{customer.tenant_id}/users/{stranger.object_id}/licenses"), 404)


@pytest.mark.parametrize(
    "exc, status, name",
    [
        (exceptions.Throttled(wait=30), 429, "too_many_requests"),
        (Http404("nope"), 404, "not_found"),
        (PermissionDenied("no"), 403, "forbidden"),
        (ValidationError({"quantity": ["too big"]}), 400, "invalid_input"),
        (exceptions.UnsupportedMediaType("text/xml"), 415, "unsupported_media_type"),
    ],
)
def test_framework_exceptions_become_service_faults(exc, status, name):
    response = service_fault_handler(exc, {})
    assert (response.status_code, response.data["errorName"]) == (status, name)
    assert response.data["attributes"] == {"objectType": "ServiceFault"}
    if status == 429:
        assert response["Retry-After"] == "30"
    if status == 400:
        assert response.data["data"] == ["quantity: too big"]


def test_non_json_content_type_is_415(api, subscription):
    from tests.builders import sub_url

    response = api.client.patch(
        sub_url(subscription),
        data="quantity=3",
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Bearer {api.raw_token}",
    )
    assert_fault(response, 415)


def test_idempotency_records_are_in_the_admin(admin_client, api, subscription):
    from tests.builders import sub_url

    api.patch(sub_url(subscription), {"quantity": 11}, headers={"MS-RequestId": "admin-1"})
    record = IdempotencyRecord.objects.get(key="admin-1")
    assert admin_client.get("/admin/api/idempotencyrecord/").status_code == 200
    assert admin_client.get(f"/admin/api/idempotencyrecord/{record.pk}/change/").status_code == 200
