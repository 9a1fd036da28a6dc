"""subscription_update on a new commerce subscription: the 7-day window with a fixed ``now`` (both sides of its
last second), the refund in the audit record, cancellation by status ``deleted``."""

from datetime import UTC, date, datetime, timedelta

import pytest

from audit.models import AuditRecord
from core.errors import InvalidInput
from subscriptions.services import subscription_update, subscription_update_outcome
from tests import factories

from .items import BASIC_ITEM

pytestmark = pytest.mark.django_db

LAST_SECOND = datetime(2026, 3, 8, 0, 0, 0, tzinfo=UTC)  # == cancellation_allowed_until
ONE_SECOND_LATER = LAST_SECOND + timedelta(seconds=1)


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="ana", roles=["admin_agent"])


def update(agent, subscription, now, **changes):
    return subscription_update(actor=agent, subscription=subscription, changes=changes, now=now)


def test_seats_decrease_at_the_windows_last_second_with_a_prorated_refund(agent, nce):
    updated = update(agent, nce, LAST_SECOND, quantity=8)
    assert (updated.quantity, updated.refundable_quantity) == (8, 8)
    record = AuditRecord.objects.get()
    # 6.00 a seat a month (P1Y billed monthly), March = 31 days, the 8th day used: 2 × 6.00 × 23 / 31 = 8.90
    assert record.resource_new_value == {
        "id": str(nce.pk),
        "quantity": 8,
        "refund": {"seats": 2, "amount": "8.90", "currency": "USD"},
    }
    assert record.resource_old_value == {"id": str(nce.pk), "quantity": 10}


def test_seats_decrease_one_second_after_the_window_is_refused_with_its_date(agent, nce):
    with pytest.raises(InvalidInput) as error:
        update(agent, nce, ONE_SECOND_LATER, quantity=8)
    assert error.value.field == "quantity" and "2026-03-08" in error.value.message
    nce.refresh_from_db()
    assert nce.quantity == 10 and not AuditRecord.objects.exists()


def test_no_more_than_the_refundable_seats_can_be_removed(agent, make_nce):
    subscription = make_nce(refundable_quantity=3)
    with pytest.raises(InvalidInput) as error:
        update(agent, subscription, LAST_SECOND, quantity=6)
    assert error.value.field == "quantity" and "at most 3" in error.value.message
    assert update(agent, subscription, LAST_SECOND, quantity=7).refundable_quantity == 0


def test_increase_after_the_window_is_co_termed(agent, nce):
    updated = update(agent, nce, datetime(2026, 9, 1, tzinfo=UTC), quantity=14)
    assert updated.quantity == 14
    assert updated.commitment_end_date == date(2027, 2, 28)
    assert updated.refundable_quantity == 10  # no new refundable seats outside the window
    assert "refund" not in AuditRecord.objects.get().resource_new_value


def test_increase_inside_the_window_adds_refundable_seats(agent, nce):
    assert update(agent, nce, LAST_SECOND, quantity=13).refundable_quantity == 13
    assert update(agent, nce, LAST_SECOND, quantity=10).refundable_quantity == 10


def test_cancel_inside_the_window_refunds_every_seat(agent, nce):
    nce.scheduled_next_term_instructions = {
        "product": {**BASIC_ITEM, "billingCycle": "monthly", "termDuration": "P1Y"},
        "quantity": 5,
        "customTermEndDate": None,
    }
    nce.save()
    outcome = subscription_update_outcome(actor=agent, subscription=nce, changes={"status": "deleted"}, now=LAST_SECOND)
    nce.refresh_from_db()
    assert (nce.status, nce.refundable_quantity, nce.scheduled_next_term_instructions) == ("deleted", 0, None)
    # 10 × 6.00 × 23 / 31 = 44.516… → 44.52
    assert outcome.refund == {"seats": 10, "amount": "44.52", "currency": "USD"}
    assert outcome.deleted_instructions["quantity"] == 5
    new = AuditRecord.objects.get().resource_new_value
    assert new["status"] == "deleted" and new["refund"]["amount"] == "44.52"
    assert new["scheduledNextTermInstructions"] is None


def test_cancel_of_an_annual_billing_refunds_the_unused_year(agent, make_nce):
    subscription = make_nce(billing_cycle="annual")
    outcome = subscription_update_outcome(
        actor=agent, subscription=subscription, changes={"status": "deleted"}, now=datetime(2026, 3, 3, 12, tzinfo=UTC)
    )
    # 72.00 a seat a year, 365 days, the 3rd day used: 10 × 72.00 × 362 / 365 = 714.082… → 714.08
    assert outcome.refund == {"seats": 10, "amount": "714.08", "currency": "USD"}


def test_cancel_one_second_after_the_window_is_refused(agent, nce):
    with pytest.raises(InvalidInput) as error:
        update(agent, nce, ONE_SECOND_LATER, status="deleted")
    assert error.value.field == "status" and "2026-03-08" in error.value.message
    nce.refresh_from_db()
    assert nce.status == "active"


def test_cancel_cannot_change_seats_in_the_same_request(agent, nce):
    with pytest.raises(InvalidInput) as error:
        update(agent, nce, LAST_SECOND, status="deleted", quantity=9)
    assert error.value.field == "quantity"


def test_a_suspended_new_commerce_subscription_can_be_cancelled_in_its_window(agent, make_nce):
    subscription = make_nce(status="suspended")
    assert update(agent, subscription, LAST_SECOND, status="deleted").status == "deleted"


def test_a_legacy_subscription_keeps_its_rules(agent, partner, customer):
    legacy = factories.SubscriptionFactory(customer=customer, partner=partner, quantity=10)
    assert update(agent, legacy, ONE_SECOND_LATER, quantity=4).quantity == 4  # no window for legacy
    with pytest.raises(InvalidInput) as error:
        update(agent, legacy, LAST_SECOND, status="deleted")
    assert error.value.field == "status"
    assert "refund" not in AuditRecord.objects.get().resource_new_value


def test_no_price_on_file_records_the_seats_without_an_amount(agent, make_nce):
    from catalog.models import CommercePrice

    CommercePrice.objects.filter(offer_id="m365-business-basic").delete()
    outcome = subscription_update_outcome(
        actor=agent, subscription=make_nce(), changes={"quantity": 9}, now=LAST_SECOND
    )
    assert outcome.refund == {"seats": 1, "amount": None, "currency": "USD"}
