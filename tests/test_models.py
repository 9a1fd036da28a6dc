import pytest
from django.db import IntegrityError, transaction

from tests import factories


@pytest.mark.django_db
def test_subscription_quantity_cannot_be_negative():
    sub = factories.SubscriptionFactory()
    sub.quantity = -1
    with pytest.raises(IntegrityError), transaction.atomic():
        sub.save()


@pytest.mark.django_db
def test_one_assignment_per_user_and_subscription():
    assignment = factories.LicenseAssignmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.LicenseAssignmentFactory(subscription=assignment.subscription, user=assignment.user)


@pytest.mark.django_db
def test_tenant_ids_are_unique():
    customer = factories.CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.CustomerFactory(tenant_id=customer.tenant_id)


@pytest.mark.django_db
def test_direct_subscription_needs_a_payment_method():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.SubscriptionFactory(channel="direct", partner=None, payment_method="")
