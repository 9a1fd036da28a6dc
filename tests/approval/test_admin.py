"""The Django admin's Approve and Reject actions on upgrade batches and upgrade operations (through the
approval services; a reason asked on an intermediate page listing only the editor's own objects)."""

import pytest
from django.contrib.messages import get_messages

from bulk.models import UpgradeBatch
from bulk.services import BatchItemSpec, upgrade_batch_create
from partners.services import partner_user_sync_admin_access
from tests import factories
from upgrades.approval_services import subscription_upgrade_request
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db

BATCHES = "/admin/bulk/upgradebatch/"
OPERATIONS = "/admin/upgrades/upgradeoperation/"


def staff(user):
    partner_user_sync_admin_access(user)
    user.refresh_from_db()
    return user


@pytest.fixture
def pga_client(client, global_admin):
    client.force_login(staff(global_admin))
    return client


@pytest.fixture
def batch(sales_agent, upgradables, threshold):
    threshold(items=2)
    specs = [
        BatchItemSpec(
            customer_tenant_id=u.customer.tenant_id, subscription_id=u.subscription.pk, target_offer_id="o365-e3"
        )
        for u in upgradables
    ]
    return upgrade_batch_create(actor=sales_agent, items=specs)


@pytest.fixture
def operation(sales_agent, upgradables, threshold):
    threshold(seats=5)
    return subscription_upgrade_request(
        actor=sales_agent, subscription_id=upgradables[1].subscription.pk, target_offer_id="o365-e3"
    ).operation


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_partner_global_admin_approves_a_batch(pga_client, batch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = pga_client.post(BATCHES, {"action": "approve_batches", "_selected_action": [str(batch.pk)]})
    assert response.status_code == 302
    assert texts(response) == ["1 batch approved."]
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "succeeded"
    again = pga_client.post(BATCHES, {"action": "approve_batches", "_selected_action": [str(batch.pk)]})
    assert any("not waiting for approval" in text for text in texts(again))  # 409, per batch


def test_reject_asks_a_reason_on_an_intermediate_page(pga_client, batch):
    selected = {"action": "reject_batches", "_selected_action": [str(batch.pk)]}
    page = pga_client.post(BATCHES, {**selected, "index": "0"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="reason"' in html and str(batch.pk) in html and 'value="reject_batches"' in html
    empty = pga_client.post(BATCHES, {**selected, "post": "yes", "reason": ""})
    assert empty.status_code == 200 and UpgradeBatch.objects.get(pk=batch.pk).status == "awaiting_approval"
    done = pga_client.post(BATCHES, {**selected, "post": "yes", "reason": "Not now."})
    assert done.status_code == 302 and texts(done) == ["1 batch rejected."]
    rejected = UpgradeBatch.objects.get(pk=batch.pk)
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Not now.")


def test_the_creator_cannot_approve_in_the_admin(client, global_admin, upgradables, threshold):
    threshold(items=2)
    specs = [
        BatchItemSpec(
            customer_tenant_id=u.customer.tenant_id, subscription_id=u.subscription.pk, target_offer_id="o365-e3"
        )
        for u in upgradables
    ]
    own = upgrade_batch_create(actor=global_admin, items=specs)
    client.force_login(staff(global_admin))
    response = client.post(BATCHES, {"action": "approve_batches", "_selected_action": [str(own.pk)]})
    assert any("You created this job" in text for text in texts(response))
    assert UpgradeBatch.objects.get(pk=own.pk).status == "awaiting_approval"


def test_another_partners_admin_never_sees_nor_decides_it(client, other_partner, batch, operation):
    wingtip = staff(factories.PartnerUserFactory(partner=other_partner, roles=["global_admin"]))
    client.force_login(wingtip)
    for url, action in ((BATCHES, "approve_batches"), (OPERATIONS, "approve_operations")):
        pk = batch.pk if url == BATCHES else operation.pk
        client.post(url, {"action": action, "_selected_action": [str(pk)], "index": "0"})
    page = client.post(BATCHES, {"action": "reject_batches", "_selected_action": [str(batch.pk)], "index": "0"})
    assert str(batch.pk) not in page.content.decode()
    client.post(
        BATCHES, {"action": "reject_batches", "_selected_action": [str(batch.pk)], "post": "yes", "reason": "x"}
    )
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "awaiting_approval"
    assert UpgradeOperation.objects.get(pk=operation.pk).status == "awaiting_approval"
    assert client.get(f"{BATCHES}{batch.pk}/change/").status_code == 404


def test_upgrade_operations_are_approved_and_rejected_in_the_admin(
    pga_client, operation, sales_agent, upgradables, threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pga_client.post(
            OPERATIONS, {"action": "approve_operations", "_selected_action": [str(operation.pk)]}
        )
    assert texts(response) == ["1 upgrade approved."]
    assert UpgradeOperation.objects.get(pk=operation.pk).status == "succeeded"
    second = subscription_upgrade_request(
        actor=sales_agent, subscription_id=upgradables[2].subscription.pk, target_offer_id="o365-e3"
    ).operation
    selected = {"action": "reject_operations", "_selected_action": [str(second.pk)]}
    assert pga_client.post(OPERATIONS, {**selected, "index": "0"}).status_code == 200
    done = pga_client.post(OPERATIONS, {**selected, "post": "yes", "reason": "Budget."})
    assert texts(done) == ["1 upgrade rejected."]
    assert UpgradeOperation.objects.get(pk=second.pk).status == "rejected"
