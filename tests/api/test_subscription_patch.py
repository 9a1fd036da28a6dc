"""PATCH /v1/customers/{id}/subscriptions/{id}: quantity, status, friendlyName, autoRenewEnabled."""

import pytest

from audit.models import AuditRecord
from tests import factories
from tests.builders import assert_fault, sub_url

pytestmark = pytest.mark.django_db


def test_patch_changes_fields_and_audits_with_correlation_id(api, subscription):
    response = api.patch(
        sub_url(subscription),
        {"quantity": 15, "friendlyName": "Sales team", "autoRenewEnabled": False},
        headers={"MS-CorrelationId": "corr-123"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["quantity"], body["friendlyName"], body["autoRenewEnabled"]) == (15, "Sales team", False)
    assert response["MS-CorrelationId"] == "corr-123"
    subscription.refresh_from_db()
    assert (subscription.quantity, subscription.friendly_name, subscription.auto_renew) == (15, "Sales team", False)
    record = AuditRecord.objects.get(operation_type="update_subscription")
    assert record.original_correlation_id == "corr-123"
    assert record.resource_old_value == {
        "id": str(subscription.pk),
        "quantity": 10,
        "friendlyName": "",
        "autoRenewEnabled": True,
    }
    assert record.resource_new_value == {
        "id": str(subscription.pk),
        "quantity": 15,
        "friendlyName": "Sales team",
        "autoRenewEnabled": False,
    }
    assert record.customer == subscription.customer and record.user_principal_name == "ana@example.com"


def test_full_subscription_body_is_accepted_and_unchanged_values_are_not_changes(api, subscription):
    full = api.get(sub_url(subscription)).json()
    full["quantity"] = 12
    response = api.patch(sub_url(subscription), full)
    assert response.status_code == 200, response.json()
    assert response.json()["quantity"] == 12
    record = AuditRecord.objects.get()
    assert set(record.resource_new_value) == {"id", "quantity"}


def test_suspend_and_reactivate(api, subscription):
    assert api.patch(sub_url(subscription), {"status": "suspended"}).json()["status"] == "suspended"
    subscription.refresh_from_db()
    assert subscription.suspended_at is not None
    assert api.patch(sub_url(subscription), {"status": "active"}).json()["status"] == "active"
    subscription.refresh_from_db()
    assert subscription.suspended_at is None
    assert AuditRecord.objects.count() == 2


@pytest.mark.parametrize("status", ["deleted", "expired", "pending", "disabled"])
def test_only_active_and_suspended_are_allowed(api, subscription, status):
    assert_fault(api.patch(sub_url(subscription), {"status": status}), 400, "status")
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_deleted_subscription_cannot_be_changed(api, partner, customer):
    deleted = factories.SubscriptionFactory(customer=customer, partner=partner, status="deleted")
    assert_fault(api.patch(sub_url(deleted), {"quantity": 3}), 400, "deleted")


def test_quantity_not_below_assigned_licenses(api, subscription):
    factories.LicenseAssignmentFactory.create_batch(4, subscription=subscription)
    assert_fault(api.patch(sub_url(subscription), {"quantity": 3}), 400, "quantity", "4")
    assert api.patch(sub_url(subscription), {"quantity": 4}).status_code == 200


@pytest.mark.parametrize("quantity", [0, -1, 300_001, 10**30])
def test_quantity_within_offer_bounds(api, subscription, quantity):
    assert_fault(api.patch(sub_url(subscription), {"quantity": quantity}), 400, "quantity")
    subscription.refresh_from_db()
    assert subscription.quantity == 10


def test_retired_offer_cannot_grow(api, partner, customer):
    e4 = factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="o365-e4", quantity=5)
    assert_fault(api.patch(sub_url(e4), {"quantity": 6}), 400, "quantity", "retired")
    assert api.patch(sub_url(e4), {"quantity": 4}).json()["quantity"] == 4


@pytest.mark.parametrize(
    "body, field",
    [
        ({"quantity": "ten"}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"status": "paused"}, "status"),
        ({"autoRenewEnabled": "perhaps"}, "autoRenewEnabled"),
        ({"friendlyName": "x" * 201}, "friendlyName"),
        ({}, "body"),
        ({"offerId": "o365-e5"}, "body"),
        ([1, 2], "body"),
        ("text", "body"),
    ],
)
def test_bad_patch_bodies_are_400_naming_the_field(api, subscription, body, field):
    assert_fault(api.patch(sub_url(subscription), body), 400, field)
    assert not AuditRecord.objects.exists()


def test_invalid_json_and_missing_body(api, subscription):
    assert_fault(api.patch(sub_url(subscription), raw_body="{not json"), 400, "JSON")
    assert_fault(api.patch(sub_url(subscription), raw_body=""), 400, "body")
    assert_fault(api.call("patch", sub_url(subscription)), 400, "body")


def test_patch_needs_manage_subscriptions(partner, subscription):
    from tests.builders import api_for

    user_admin = api_for(user=factories.PartnerUserFactory(partner=partner, roles=["user_management_admin"]))
    assert_fault(user_admin.patch(sub_url(subscription), {"quantity": 11}), 403)


def test_service_enforces_the_role_itself(partner, subscription):
    from django.core.exceptions import PermissionDenied

    from subscriptions.services import subscription_update

    billing = factories.PartnerUserFactory(partner=partner, roles=["billing_admin"])
    with pytest.raises(PermissionDenied):
        subscription_update(actor=billing, subscription=subscription, changes={"quantity": 11})
