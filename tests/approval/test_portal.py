"""The portal's approvals: the Approvals page, the approve / reject POST views, the approval panel, the menu's
figure and the home page's figure."""

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from bulk.models import UpgradeBatch
from bulk.services import BatchItemSpec, upgrade_batch_create
from notifications.models import Notification
from portal.home_selectors import dashboard_for, pending_approvals_for
from tests import factories
from tests.builders import make_upgradable
from upgrades.approval_services import subscription_upgrade_request
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db

APPROVALS = "/approvals/"


@pytest.fixture
def batch(sales_agent, upgradables, threshold):
    threshold(items=2, seats=15)
    specs = [
        BatchItemSpec(
            customer_tenant_id=u.customer.tenant_id, subscription_id=u.subscription.pk, target_offer_id="o365-e3"
        )
        for u in upgradables
    ]
    return upgrade_batch_create(actor=sales_agent, items=specs)


@pytest.fixture
def operation(batch, sales_agent, partner, threshold):
    """A single upgrade (another subscription of the partner's) waiting on seats (10 > 5)."""
    threshold(seats=5)
    upgradable = make_upgradable(partner=partner, agent=sales_agent)
    return subscription_upgrade_request(
        actor=sales_agent, subscription_id=upgradable.subscription.pk, target_offer_id="o365-e3"
    ).operation


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_approvals_page_lists_what_waits_with_buttons_for_an_approver(client, admin_agent, batch, operation):
    html = signed_in(client, admin_agent).get(APPROVALS).content.decode()
    assert 'data-approvals="2"' in html
    assert f'data-waiting="batch" data-job="{batch.pk}"' in html
    assert f'data-waiting="upgrade" data-job="{operation.pk}"' in html
    assert "Batch of 3 upgrades" in html
    assert '<dd data-approval="creator">ana</dd>' in html
    assert "Items: 3 · seats: 30 · monthly value: 690.00" in html
    assert "Items: 1 · seats: 10 · monthly value: 230.00" in html
    assert '<dd data-approval="measures">items, seats</dd>' in html
    assert html.count('data-action="approve"') == 2 and html.count('name="reason"') == 2
    assert f'action="/batches/{batch.pk}/approve/"' in html and f'action="/upgrades/{operation.pk}/reject/"' in html
    # the menu's figure for an approver
    assert '<span class="badge badge--warning" data-nav-count="approvals">2' in html


def test_the_creator_and_a_seller_see_why_they_cannot_decide(client, sales_agent, batch):
    html = signed_in(client, sales_agent).get(APPROVALS).content.decode()
    assert 'data-action="approve"' not in html
    assert "Your partner role does not allow this action (approve)." in html
    assert 'data-nav-count="approvals"' not in html  # no figure for who cannot approve


def test_another_partners_user_sees_nothing_waiting(client, other_partner, batch):
    stranger = factories.PartnerUserFactory(partner=other_partner, roles=["admin_agent"])
    html = signed_in(client, stranger).get(APPROVALS).content.decode()
    assert 'data-approvals="0"' in html and str(batch.pk) not in html


def test_approve_from_the_portal_runs_the_batch(
    client, admin_agent, sales_agent, batch, django_capture_on_commit_callbacks
):
    signed_in(client, admin_agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/batches/{batch.pk}/approve/", {"next": "/upgrades/"})
    assert response.status_code == 302 and response["Location"] == "/upgrades/"
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "succeeded"
    assert Notification.objects.filter(key=f"approval-decided:batch:{batch.pk}", user=sales_agent).exists()
    again = client.post(f"/batches/{batch.pk}/approve/", follow=True)  # 409: back with the message
    assert "The batch is not waiting for approval (Succeeded)." in again.content.decode()


def test_reject_from_the_portal_needs_a_reason(client, global_admin, batch):
    signed_in(client, global_admin)
    missing = client.post(f"/batches/{batch.pk}/reject/", {"reason": ""}, follow=True)
    assert "A rejection needs a reason." in missing.content.decode()
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "awaiting_approval"
    response = client.post(f"/batches/{batch.pk}/reject/", {"reason": "Too big.", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == APPROVALS  # an unsafe next is ignored
    rejected = UpgradeBatch.objects.get(pk=batch.pk)
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Too big.")
    assert set(rejected.items.values_list("status", flat=True)) == {"cancelled"}
    assert AuditRecord.objects.filter(resource_type="UpgradeBatch", resource_new_value__approval="rejected").exists()


def test_the_creator_and_a_seller_get_403(client, partner, admin_agent, upgradables, threshold):
    threshold(items=2)
    specs = [
        BatchItemSpec(
            customer_tenant_id=u.customer.tenant_id, subscription_id=u.subscription.pk, target_offer_id="o365-e3"
        )
        for u in upgradables
    ]
    own = upgrade_batch_create(actor=admin_agent, items=specs)
    assert signed_in(client, admin_agent).post(f"/batches/{own.pk}/approve/").status_code == 403
    seller = factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])
    assert signed_in(client, seller).post(f"/batches/{own.pk}/reject/", {"reason": "x"}).status_code == 403
    assert UpgradeBatch.objects.get(pk=own.pk).status == "awaiting_approval"


def test_upgrades_are_approved_and_rejected_from_the_portal(
    client, admin_agent, sales_agent, operation, django_capture_on_commit_callbacks
):
    signed_in(client, admin_agent)
    page = client.get(f"/upgrades/{operation.pk}/").content.decode()
    assert f'data-approval-panel="upgrade" data-job="{operation.pk}"' in page and 'data-action="approve"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/upgrades/{operation.pk}/approve/", {"next": f"/upgrades/{operation.pk}/"})
    assert response["Location"] == f"/upgrades/{operation.pk}/"
    assert UpgradeOperation.objects.get(pk=operation.pk).status == "succeeded"
    assert client.post(f"/upgrades/{operation.pk}/reject/", {"reason": "late"}).status_code == 302
    assert UpgradeOperation.objects.get(pk=operation.pk).status == "succeeded"  # 409: nothing changed


def test_a_rejected_upgrade_says_why_on_its_page(client, global_admin, operation):
    signed_in(client, global_admin)
    client.post(f"/upgrades/{operation.pk}/reject/", {"reason": "Budget frozen."})
    html = client.get(f"/upgrades/{operation.pk}/").content.decode()
    assert 'data-approval="rejected"' in html and "Reason: Budget frozen." in html


def test_another_partners_jobs_answer_404_on_every_portal_path(client, other_partner, batch, operation):
    stranger = factories.PartnerUserFactory(partner=other_partner, roles=["global_admin"])
    signed_in(client, stranger)
    for url in (
        f"/batches/{batch.pk}/approve/",
        f"/batches/{batch.pk}/reject/",
        f"/upgrades/{operation.pk}/approve/",
        f"/upgrades/{operation.pk}/reject/",
    ):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    assert UpgradeBatch.objects.get(pk=batch.pk).status == "awaiting_approval"
    assert UpgradeOperation.objects.get(pk=operation.pk).status == "awaiting_approval"


def test_the_post_views_refuse_a_get(client, admin_agent, batch):
    assert signed_in(client, admin_agent).get(f"/batches/{batch.pk}/approve/").status_code == 405


def test_the_home_page_counts_what_waits(client, sales_agent, batch, operation, django_assert_num_queries):
    assert pending_approvals_for(sales_agent) == 2
    with django_assert_num_queries(5):  # the same five queries as without approvals
        dashboard = dashboard_for(sales_agent)
    assert (dashboard.pending_approvals, dashboard.batches_in_progress, dashboard.upgrades_in_progress) == (2, 0, 0)
    html = signed_in(client, sales_agent).get(reverse("portal:home")).content.decode()
    assert f'<a href="{APPROVALS}">2</a>' in html
