"""The 120-day deprovision of replaced CSP E4s (Celery beat task), by time travel: exactly once, audited."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from audit.models import AuditRecord
from direct import partner_e4
from direct.tasks import suspended_e4_deprovision_task
from subscriptions.models import Subscription
from tests.builders import direct_subscription

pytestmark = pytest.mark.django_db

REPLACED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def replaced(clock, agent, csp_e4):
    partner_e4.csp_e4_replace(actor=agent, subscription_id=csp_e4.pk, target_offer_id="o365-e5")
    csp_e4.refresh_from_db()
    assert csp_e4.suspended_at == REPLACED_AT
    return csp_e4


def deprovision_records():
    return AuditRecord.objects.filter(operation_type="update_subscription", resource_new_value__status="deleted")


def test_the_task_is_on_the_beat_schedule_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["direct-deprovision-csp-e4"]
    assert entry == {"task": "direct.deprovision_suspended_csp_e4", "schedule": 3600.0}


def test_day_119_nothing_day_120_deprovisioned_once_then_nothing(clock, replaced):
    clock.set(datetime(2026, 6, 29, 9, 0, tzinfo=UTC))  # day 119
    assert suspended_e4_deprovision_task.apply().get() == 0
    assert Subscription.objects.get(pk=replaced.pk).status == "suspended"

    clock.set(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))  # day 120, the hour it was suspended
    assert suspended_e4_deprovision_task.apply().get() == 1
    e4 = Subscription.objects.get(pk=replaced.pk)
    assert (e4.status, e4.auto_renew) == ("deleted", False)
    assert deprovision_records().count() == 1
    record = deprovision_records().get()
    assert record.user_principal_name == "system"
    assert record.resource_old_value == {"id": str(replaced.pk), "status": "suspended"}

    assert suspended_e4_deprovision_task.apply().get() == 0  # the same hour again
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))  # day 121
    assert suspended_e4_deprovision_task.apply().get() == 0
    assert deprovision_records().count() == 1
    assert Subscription.objects.get(customer=replaced.customer, offer_id="o365-e5").status == "active"


def test_a_late_first_run_on_day_121_deprovisions_once(clock, replaced):
    clock.set(datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    assert suspended_e4_deprovision_task.apply().get() == 1
    assert suspended_e4_deprovision_task.apply().get() == 0
    assert deprovision_records().count() == 1


def test_one_hour_short_of_120_days_is_not_due(clock, replaced):
    clock.set(REPLACED_AT + timedelta(days=120) - timedelta(hours=1))
    assert suspended_e4_deprovision_task.apply().get() == 0


def test_other_suspended_subscriptions_are_left_alone(clock, customer, partner, replaced):
    e3 = direct_subscription(customer, "o365-e3", channel="csp", partner=partner, payment_method="")
    Subscription.objects.filter(pk=e3.pk).update(status="suspended", suspended_at=REPLACED_AT)
    direct_e4 = direct_subscription(customer)  # bought directly: the admin center's, not the partner's
    Subscription.objects.filter(pk=direct_e4.pk).update(status="suspended", suspended_at=REPLACED_AT)
    clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    assert suspended_e4_deprovision_task.apply().get() == 1
    assert Subscription.objects.get(pk=e3.pk).status == "suspended"
    assert Subscription.objects.get(pk=direct_e4.pk).status == "suspended"


def test_the_result_page_says_deprovisioned_afterwards(clock, client, agent, replaced):
    from django.urls import reverse

    clock.set(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))
    suspended_e4_deprovision_task.apply()
    client.force_login(agent)
    url = reverse(
        "portal:e4_replacement_result",
        kwargs={"tenant_id": replaced.customer.tenant_id, "subscription_id": replaced.pk},
    )
    page = client.get(url)
    assert page.status_code == 200 and "Deprovisioned" in page.content.decode()
