"""Tenant isolation: another partner's customer or subscription, or a customer without a relationship, is a 404
on EVERY customer-scoped endpoint (never a 403 that would reveal it exists)."""

import pytest

from tests import factories
from tests.builders import assert_fault, sub_url

pytestmark = pytest.mark.django_db


def customer_urls(customer, subscription, user_object_id):
    tid = customer.tenant_id
    return [
        ("get", f"/v1/customers/{tid}"),
        ("get", f"/v1/customers/{tid}/subscriptions"),
        ("get", f"/v1/customers/{tid}/users"),
        ("get", f"/v1/customers/{tid}/users/{user_object_id}/licenses"),
        ("get", f"/v1/customers/{tid}/subscriptions/{subscription.pk}"),
        ("patch", f"/v1/customers/{tid}/subscriptions/{subscription.pk}"),
        ("get", f"/v1/customers/{tid}/subscriptions/{subscription.pk}/upgrades"),
        ("post", f"/v1/customers/{tid}/subscriptions/{subscription.pk}/upgrades"),
    ]


BODIES = {"patch": {"quantity": 5}, "post": {"targetOffer": {"id": "o365-e3"}}}


def _check_all_404(api, customer, subscription):
    user = factories.LicenseAssignmentFactory(subscription=subscription).user
    for method, url in customer_urls(customer, subscription, user.object_id):
        response = api.call(method, url, BODIES.get(method))
        assert_fault(response, 404)
    subscription.refresh_from_db()
    assert subscription.quantity != 5 and subscription.status == "active"


def test_another_partners_customer_is_404_everywhere(api, app_api, other_customer, other_subscription):
    _check_all_404(api, other_customer, other_subscription)
    _check_all_404(app_api, other_customer, other_subscription)


def test_customer_without_relationship_is_404(api, partner):
    orphan = factories.CustomerFactory()
    subscription = factories.SubscriptionFactory(customer=orphan, partner=partner)
    _check_all_404(api, orphan, subscription)


def test_relationship_none_is_404(api, partner):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer, relationship="none")
    _check_all_404(api, customer, factories.SubscriptionFactory(customer=customer, partner=partner))


def test_shared_customer_shows_only_own_subscriptions(api, partner, other_partner, customer, subscription):
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    theirs = factories.SubscriptionFactory(customer=customer, partner=other_partner)
    listed = api.get(f"/v1/customers/{customer.tenant_id}/subscriptions").json()["items"]
    assert [item["id"] for item in listed] == [str(subscription.pk)]
    assert_fault(api.get(sub_url(theirs)), 404)
    assert_fault(api.get(sub_url(theirs, "/upgrades")), 404)


def test_subscription_under_the_wrong_customer_is_404(api, partner, customer, subscription):
    second = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=second)
    assert_fault(api.get(f"/v1/customers/{second.tenant_id}/subscriptions/{subscription.pk}"), 404)


def test_lists_never_include_other_partners_data(api, customer, other_customer, other_subscription):
    ids = [item["id"] for item in api.get("/v1/customers").json()["items"]]
    assert ids == [str(customer.tenant_id)]


def test_audit_records_are_scoped_to_the_partner(api, partner, other_partner, customer, other_customer):
    from audit.services import audit_record_create

    audit_record_create(
        actor=None,
        operation_type="update_subscription",
        resource_type="subscription",
        partner=partner,
        customer=customer,
    )
    audit_record_create(
        actor=None,
        operation_type="update_subscription",
        resource_type="subscription",
        partner=other_partner,
        customer=other_customer,
    )
    items = api.get("/v1/auditrecords?startDate=2000-01-01").json()["items"]
    assert [item["customerId"] for item in items] == [str(customer.tenant_id)]
