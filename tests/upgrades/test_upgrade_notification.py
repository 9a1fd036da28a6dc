"""When a partner user's upgrade finishes (portal wizard or /v1/), they get one in-portal notification linking to
the result page; batch items and application callers get none."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.selectors import notifications_visible_to
from tests import factories
from tests.builders import add_users, api_for, item, make_upgradable, run_batch, sub_url
from upgrades.models import UpgradeOperation
from upgrades.services import subscription_upgrade, subscription_upgrade_async, upgrade_finished_notify
from upgrades.tasks import run_upgrade_operation

pytestmark = pytest.mark.django_db


def wizard_submit(client, source, target="o365-e3"):
    """Review then submit the wizard, as the browser does (the review's hidden fields)."""
    review_url = reverse(
        "portal:upgrade_review", kwargs={"tenant_id": source.customer.tenant_id, "subscription_id": source.pk}
    )
    review = client.get(review_url, {"target": target, "billing_cycle": "monthly", "quantity": source.quantity})
    assert review.status_code == 200
    data = {name: str(value) for name, value in review.context["form"].initial.items()}
    return client.post(review_url, data)


def result_url(operation) -> str:
    return reverse("portal:upgrade_result", kwargs={"operation_id": operation.pk})


def test_a_portal_upgrade_notifies_its_agent_once_with_the_result_link(
    client, agent, source, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = wizard_submit(client, source)
    assert response.status_code == 302
    operation = UpgradeOperation.objects.get(source=source)
    note = Notification.objects.get()
    assert (note.user, note.customer, note.level) == (agent, source.customer, "success")
    assert note.link == result_url(operation) == response["Location"]
    assert note.message == "Your upgrade of Microsoft 365 Business Basic to Office 365 E3 for Fabrikam succeeded."
    assert note.key == f"upgrade-finished:{operation.pk}"
    # The bell shows it, linking to the result page.
    page = client.get(reverse("notifications:list")).content.decode()
    assert note.message in page and result_url(operation) in page


def test_a_queued_upgrade_notifies_once_even_when_the_task_runs_again(
    agent, source, django_capture_on_commit_callbacks
):
    add_users(source, 2)
    with django_capture_on_commit_callbacks(execute=True):
        operation = subscription_upgrade_async(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    operation.refresh_from_db()
    assert operation.status == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        run_upgrade_operation(str(operation.pk))  # a retried task: the operation already ended
        upgrade_finished_notify(operation_id=operation.pk)  # even a second send keeps one (the key)
    assert list(Notification.objects.values_list("user", "link")) == [(agent.pk, result_url(operation))]


def test_a_queued_upgrade_that_fails_notifies_the_failure(agent, source, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        operation = subscription_upgrade_async(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    source.status = "suspended"  # no longer eligible when the task runs
    source.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    operation.refresh_from_db()
    assert operation.status == "failed"
    note = Notification.objects.get()
    assert (note.user, note.level, note.link) == (agent, "error", result_url(operation))
    assert note.message == "Your upgrade of Microsoft 365 Business Basic to Office 365 E3 for Fabrikam failed."


def test_nothing_is_sent_before_the_transaction_commits(agent, source, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    # the notification, the operations metric (core.signals.operation_finished) and the domain event (core.events)
    assert Notification.objects.count() == 0 and len(callbacks) == 3


def test_an_api_upgrade_by_a_user_token_notifies_that_user(agent, source, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user=agent).post(sub_url(source, "/upgrades"), {"targetOffer": {"id": "o365-e3"}})
    assert response.status_code == 200, response.json()
    operation = UpgradeOperation.objects.get(source=source)
    assert list(Notification.objects.values_list("user", "link")) == [(agent.pk, result_url(operation))]


def test_no_notification_for_an_application_caller(agent, source, partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        operation = subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    Notification.objects.all().delete()
    # The same finished operation, recorded as an application's (no user): nothing to send.
    UpgradeOperation.objects.filter(pk=operation.operation_id).update(actor_user=None, actor_application_id="app-1")
    upgrade_finished_notify(operation_id=operation.operation_id)
    assert Notification.objects.count() == 0


def test_batch_items_send_no_notification(partner, sales_agent, django_capture_on_commit_callbacks):
    upgradables = [make_upgradable(partner=partner, agent=sales_agent, licensed=1) for _ in range(2)]
    batch, _response = run_batch(
        api_for(user=sales_agent), {"items": [item(u) for u in upgradables]}, django_capture_on_commit_callbacks
    )
    batch.refresh_from_db()
    assert batch.status == "succeeded" and UpgradeOperation.objects.filter(status="succeeded").count() == 2
    # no notice per item: the batch's own "finished" notice is the only one
    assert list(Notification.objects.values_list("key", flat=True)) == [f"batch-finished:{batch.pk}"]


def test_another_partners_agent_sees_nothing(client, agent, source, other_partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3")
    assert Notification.objects.count() == 1
    stranger = factories.PartnerUserFactory(partner=other_partner, roles=["admin_agent"])
    colleague = factories.PartnerUserFactory(partner=agent.partner, roles=["sales_agent"])
    assert list(notifications_visible_to(stranger)) == []
    assert list(notifications_visible_to(colleague)) == []  # the agent's own, not the whole partner's
    client.force_login(stranger)
    assert "Your upgrade of" not in client.get(reverse("notifications:list")).content.decode()
