"""Renewals with a fixed ``now``: the right day (not the day before), the scheduled changes applied, exactly
once when the sweep runs twice or a second worker races the first; a mid-term change in between removes the
changes; without auto-renew the subscription expires."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import AuditRecord
from subscriptions import renewals
from subscriptions.renewals import subscription_renew, subscriptions_renew_due
from subscriptions.services import subscription_update
from tests import factories

from .items import BASIC_ITEM, STANDARD_ITEM

pytestmark = pytest.mark.django_db

DAY_BEFORE = datetime(2027, 2, 28, 23, 59, 59, tzinfo=UTC)  # the term's last second
RENEWAL = datetime(2027, 3, 1, 0, 0, 0, tzinfo=UTC)
LATER_THAT_DAY = datetime(2027, 3, 1, 13, 0, tzinfo=UTC)

TO_STANDARD_MONTHLY = {
    "product": {**STANDARD_ITEM, "billingCycle": "monthly", "termDuration": "P1M"},
    "quantity": 5,
    "customTermEndDate": None,
}


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="ana", roles=["admin_agent"])


@pytest.fixture
def scheduled(make_nce):
    return make_nce(scheduled_next_term_instructions=TO_STANDARD_MONTHLY)


def test_renews_with_its_scheduled_changes_on_the_right_day(scheduled):
    assert subscriptions_renew_due(now=DAY_BEFORE) == 0
    scheduled.refresh_from_db()
    assert scheduled.offer_id == "m365-business-basic" and scheduled.commitment_end_date == date(2027, 2, 28)

    assert subscriptions_renew_due(now=RENEWAL) == 1
    scheduled.refresh_from_db()
    assert scheduled.offer_id == "m365-business-standard"
    assert (scheduled.term_duration, scheduled.billing_cycle, scheduled.quantity) == ("P1M", "monthly", 5)
    assert scheduled.term_start_date == date(2027, 3, 1)
    assert scheduled.commitment_end_date == date(2027, 3, 31)
    assert scheduled.cancellation_allowed_until == datetime(2027, 3, 8, tzinfo=UTC)
    assert scheduled.refundable_quantity == 5
    assert scheduled.scheduled_next_term_instructions is None
    assert scheduled.status == "active"
    record = AuditRecord.objects.get()
    assert record.user_principal_name == "system" and record.operation_type == "update_subscription"
    assert record.resource_old_value["offerId"] == "m365-business-basic"
    assert record.resource_old_value["scheduledNextTermInstructions"] == TO_STANDARD_MONTHLY
    assert record.resource_new_value == {
        "id": str(scheduled.pk),
        "offerId": "m365-business-standard",
        "termDuration": "P1M",
        "billingCycle": "monthly",
        "quantity": 5,
        "effectiveStartDate": "2027-03-01",
        "commitmentEndDate": "2027-03-31",
        "scheduledNextTermInstructions": None,
        "renewal": {"scheduledChangesApplied": True},
    }


def test_exactly_once_when_the_sweep_runs_twice(scheduled):
    assert subscriptions_renew_due(now=RENEWAL) == 1
    assert subscriptions_renew_due(now=LATER_THAT_DAY) == 0
    assert subscription_renew(subscription_id=scheduled.pk, now=LATER_THAT_DAY) is None
    scheduled.refresh_from_db()
    assert scheduled.commitment_end_date == date(2027, 3, 31)
    assert AuditRecord.objects.count() == 1


def test_exactly_once_when_a_second_worker_renews_between_the_read_and_the_write(scheduled, monkeypatch):
    """The other worker commits its renewal after this one read the row: the conditional UPDATE on the term
    end this one read matches nothing, so it writes nothing and audits nothing."""
    real_next_term = renewals.next_term
    raced = []

    def next_term_after_another_worker(subscription):
        if not raced:
            raced.append(True)
            assert subscription_renew(subscription_id=subscription.pk, now=RENEWAL) is not None
        return real_next_term(subscription)

    monkeypatch.setattr(renewals, "next_term", next_term_after_another_worker)
    assert subscription_renew(subscription_id=scheduled.pk, now=RENEWAL) is None
    scheduled.refresh_from_db()
    assert (scheduled.offer_id, scheduled.commitment_end_date) == ("m365-business-standard", date(2027, 3, 31))
    assert AuditRecord.objects.count() == 1


def test_without_changes_a_new_year_term_starts(nce):
    assert subscriptions_renew_due(now=RENEWAL) == 1
    nce.refresh_from_db()
    assert (nce.offer_id, nce.term_duration, nce.billing_cycle, nce.quantity) == (
        "m365-business-basic",
        "P1Y",
        "monthly",
        10,
    )
    assert (nce.term_start_date, nce.commitment_end_date) == (date(2027, 3, 1), date(2028, 2, 29))
    assert AuditRecord.objects.get().resource_new_value["renewal"] == {"scheduledChangesApplied": False}


def test_a_custom_term_end_and_a_longer_term(make_nce):
    subscription = make_nce(
        scheduled_next_term_instructions={
            "product": {**BASIC_ITEM, "billingCycle": "triennial", "termDuration": "P3Y"},
            "quantity": 12,
            "customTermEndDate": "2029-12-31",
        }
    )
    subscriptions_renew_due(now=RENEWAL)
    subscription.refresh_from_db()
    assert (subscription.term_duration, subscription.billing_cycle, subscription.quantity) == ("P3Y", "triennial", 12)
    assert subscription.commitment_end_date == date(2029, 12, 31)


def test_a_mid_term_change_in_between_removes_the_changes(agent, scheduled):
    subscription_update(
        actor=agent, subscription=scheduled, changes={"quantity": 11}, now=datetime(2026, 9, 1, tzinfo=UTC)
    )
    assert subscriptions_renew_due(now=RENEWAL) == 1
    scheduled.refresh_from_db()
    assert (scheduled.offer_id, scheduled.term_duration, scheduled.quantity) == ("m365-business-basic", "P1Y", 11)
    assert scheduled.commitment_end_date == date(2028, 2, 29)


def test_changes_no_longer_sold_renew_unchanged_and_say_why(make_nce):
    from catalog.models import CommerceProduct

    subscription = make_nce(scheduled_next_term_instructions=TO_STANDARD_MONTHLY)
    CommerceProduct.objects.filter(offer_id="m365-business-standard").delete()
    subscriptions_renew_due(now=RENEWAL)
    subscription.refresh_from_db()
    assert (subscription.offer_id, subscription.quantity) == ("m365-business-basic", 10)
    renewal = AuditRecord.objects.get().resource_new_value["renewal"]
    assert renewal == {
        "scheduledChangesApplied": False,
        "scheduledChangesNotApplied": "the catalog item is no longer sold",
    }


def test_without_auto_renew_it_expires(make_nce):
    subscription = make_nce(auto_renew=False)
    assert subscriptions_renew_due(now=DAY_BEFORE) == 0
    assert subscriptions_renew_due(now=RENEWAL) == 1
    subscription.refresh_from_db()
    assert (subscription.status, subscription.refundable_quantity) == ("expired", 0)
    assert subscription.commitment_end_date == date(2027, 2, 28)
    assert AuditRecord.objects.get().resource_new_value == {"id": str(subscription.pk), "status": "expired"}
    assert subscriptions_renew_due(now=LATER_THAT_DAY) == 0


def test_legacy_suspended_and_not_yet_due_subscriptions_are_left_alone(partner, customer, make_nce):
    legacy = factories.SubscriptionFactory(
        customer=customer, partner=partner, term_start_date=date(2026, 3, 1), commitment_end_date=date(2027, 2, 28)
    )
    suspended = make_nce(status="suspended")
    later = make_nce(commitment_end_date=date(2027, 3, 1))
    assert subscriptions_renew_due(now=LATER_THAT_DAY) == 0
    for subscription in (legacy, suspended, later):
        before = subscription.commitment_end_date
        subscription.refresh_from_db()
        assert subscription.commitment_end_date == before


def test_the_task_runs_the_sweep_and_beat_runs_it_hourly(make_nce):
    from partnercenter.celery import app
    from subscriptions.tasks import subscriptions_renew_due_task

    assert app.tasks["subscriptions.renew_due"].name == subscriptions_renew_due_task.name == "subscriptions.renew_due"
    assert settings.CELERY_BEAT_SCHEDULE["subscriptions-renew-due"] == {
        "task": "subscriptions.renew_due",
        "schedule": 3600.0,
    }
    yesterday = timezone.now().astimezone(UTC).date() - timedelta(days=1)
    subscription = make_nce(
        term_duration="P1M", term_start_date=yesterday - timedelta(days=30), commitment_end_date=yesterday
    )
    assert subscriptions_renew_due_task.apply().get() == 1
    subscription.refresh_from_db()
    assert subscription.term_start_date == yesterday + timedelta(days=1)


def test_one_failing_renewal_does_not_stop_the_sweep(make_nce, monkeypatch):
    broken = make_nce(commitment_end_date=date(2027, 2, 27))  # first in the sweep's order
    fine = make_nce()
    real_next_term = renewals.next_term

    def next_term_failing_for_broken(subscription):
        if subscription.pk == broken.pk:
            raise RuntimeError("broken row")
        return real_next_term(subscription)

    monkeypatch.setattr(renewals, "next_term", next_term_failing_for_broken)
    assert subscriptions_renew_due(now=RENEWAL) == 1
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.commitment_end_date, fine.commitment_end_date) == (date(2027, 2, 27), date(2028, 2, 29))
    assert AuditRecord.objects.count() == 1
