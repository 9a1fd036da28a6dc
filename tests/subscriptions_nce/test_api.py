"""The /v1/ subscription resource for new commerce: its fields, scheduledNextTermInstructions, cancellation,
and the warning when a mid-term change deletes the scheduled changes. Dates are set around the real clock
(the API reads it): an open window ends tomorrow, a closed one ended yesterday."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditRecord
from tests import factories
from tests.builders import assert_fault, sub_url, tokens_just_used

from .items import BASIC_ITEM, STANDARD_ITEM

pytestmark = pytest.mark.django_db

INSTRUCTIONS = "scheduledNextTermInstructions"


def instructions(item=STANDARD_ITEM, *, cycle="monthly", term="P1M", quantity=5, end=None) -> dict:
    body = {"product": {**item, "billingCycle": cycle, "termDuration": term}, "quantity": quantity}
    if end is not None:
        body["customTermEndDate"] = end
    return body


@pytest.fixture
def open_window(make_nce):
    """Bought three days ago, its window ends at 10:00 UTC tomorrow."""
    today = timezone.now().astimezone(UTC).date()
    return make_nce(
        term_start_date=today - timedelta(days=3),
        commitment_end_date=today + timedelta(days=361),
        cancellation_allowed_until=datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        + timedelta(hours=10),
    )


@pytest.fixture
def closed_window(make_nce):
    today = timezone.now().astimezone(UTC).date()
    return make_nce(
        term_start_date=today - timedelta(days=30),
        commitment_end_date=today + timedelta(days=334),
        cancellation_allowed_until=datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=UTC),
    )


def test_new_commerce_fields_are_shown(api, nce):
    body = api.get(sub_url(nce)).json()
    assert body["commerceType"] == "new"
    assert body["catalogItemId"] == "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q"
    assert body["termDuration"] == "P1Y"
    assert body["billingCycle"] == "monthly"
    assert body["cancellationAllowedUntilDate"] == "2026-03-08T00:00:00Z"
    assert body["refundableQuantity"] == {"totalQuantity": 0, "details": []}  # that window closed long ago
    assert body[INSTRUCTIONS] is None
    assert body["isTrial"] is False


def test_refundable_seats_with_their_window(api, open_window):
    body = api.get(sub_url(open_window)).json()
    until = open_window.cancellation_allowed_until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["refundableQuantity"] == {
        "totalQuantity": 10,
        "details": [{"quantity": 10, "allowedUntilDateTime": until}],
    }


def test_legacy_subscription_shows_them_as_null(api, partner, customer):
    legacy = factories.SubscriptionFactory(customer=customer, partner=partner)
    body = api.get(sub_url(legacy)).json()
    assert body["commerceType"] == "legacy"
    for name in ("catalogItemId", "termDuration", "cancellationAllowedUntilDate", "refundableQuantity", INSTRUCTIONS):
        assert body[name] is None, name


def test_list_reads_the_catalog_items_in_a_constant_number_of_queries(api, make_nce, customer):
    url = f"/v1/customers/{customer.tenant_id}/subscriptions"
    make_nce()
    tokens_just_used()
    with CaptureQueriesContext(connection) as one:
        assert api.get(url).status_code == 200
    for offer in ("m365-business-standard", "o365-e3", "m365-business-basic", "o365-e1"):
        make_nce(offer_id=offer)
    tokens_just_used()
    with CaptureQueriesContext(connection) as five:
        body = api.get(url).json()
    assert len(body["items"]) == 5 and all(item["catalogItemId"] for item in body["items"])
    assert len(five.captured_queries) == len(one.captured_queries)


def test_schedule_a_higher_offer_on_a_monthly_term(api, nce):
    response = api.patch(sub_url(nce), {INSTRUCTIONS: instructions(cycle="Monthly")})
    assert response.status_code == 200, response.json()
    expected = {
        "product": {**STANDARD_ITEM, "billingCycle": "monthly", "termDuration": "P1M"},
        "quantity": 5,
        "customTermEndDate": None,
    }
    assert response.json()[INSTRUCTIONS] == expected
    assert response.json()["warnings"] == []
    nce.refresh_from_db()
    assert nce.scheduled_next_term_instructions == expected
    assert nce.quantity == 10 and nce.offer_id == "m365-business-basic"  # nothing changes before the renewal
    record = AuditRecord.objects.get()
    assert record.resource_old_value == {"id": str(nce.pk), INSTRUCTIONS: None}
    assert record.resource_new_value == {"id": str(nce.pk), INSTRUCTIONS: expected}


def test_schedule_fewer_seats_on_a_longer_term_with_a_custom_end(api, nce):
    body = instructions(BASIC_ITEM, cycle="annual", term="P3Y", quantity=3, end="2028-12-31T00:00:00Z")
    response = api.patch(sub_url(nce), {INSTRUCTIONS: body})
    assert response.status_code == 200, response.json()
    assert response.json()[INSTRUCTIONS]["customTermEndDate"] == "2028-12-31"
    assert response.json()[INSTRUCTIONS]["quantity"] == 3


def test_null_clears_them(api, nce):
    api.patch(sub_url(nce), {INSTRUCTIONS: instructions()})
    response = api.patch(sub_url(nce), {INSTRUCTIONS: None})
    assert response.status_code == 200 and response.json()[INSTRUCTIONS] is None
    nce.refresh_from_db()
    assert nce.scheduled_next_term_instructions is None


@pytest.mark.parametrize(
    "body, field, mention",
    [
        ("soon", INSTRUCTIONS, "object"),
        ({"quantity": 5}, f"{INSTRUCTIONS}.product", "productId"),
        (instructions({**STANDARD_ITEM, "skuId": "0099"}), f"{INSTRUCTIONS}.product", "CFQ7TTC0LDPB:0099"),
        (instructions({**STANDARD_ITEM, "productId": ""}), f"{INSTRUCTIONS}.product.productId", "required"),
        (instructions(cycle="annual", term="P1M"), f"{INSTRUCTIONS}.product.billingCycle", "P1M"),
        (instructions(cycle="weekly"), f"{INSTRUCTIONS}.product.billingCycle", "triennial"),
        (instructions(term="P2Y"), f"{INSTRUCTIONS}.product.termDuration", "P3Y"),
        (
            instructions({"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "DZH318Z0BQIN"}),
            f"{INSTRUCTIONS}.product",
            "another market",
        ),
        (instructions(quantity=0), f"{INSTRUCTIONS}.quantity", "between 1 and 300000"),
        (instructions(quantity=300_001), f"{INSTRUCTIONS}.quantity", "between 1 and 300000"),
        (instructions(quantity="5"), f"{INSTRUCTIONS}.quantity", "integer"),
        (instructions(end="2027-02-28"), f"{INSTRUCTIONS}.customTermEndDate", "2027-03-01"),
        (instructions(end="2027-04-01"), f"{INSTRUCTIONS}.customTermEndDate", "2027-03-31"),
        (instructions(end="someday"), f"{INSTRUCTIONS}.customTermEndDate", "YYYY-MM-DD"),
    ],
)
def test_bad_instructions_are_400_naming_the_field(api, nce, body, field, mention):
    assert_fault(api.patch(sub_url(nce), {INSTRUCTIONS: body}), 400, field, mention)
    nce.refresh_from_db()
    assert nce.scheduled_next_term_instructions is None
    assert not AuditRecord.objects.exists()


def test_instructions_need_auto_renew(api, make_nce):
    subscription = make_nce(auto_renew=False)
    assert_fault(api.patch(sub_url(subscription), {INSTRUCTIONS: instructions()}), 400, INSTRUCTIONS, "auto-renew")
    on = make_nce()
    body = {INSTRUCTIONS: instructions(), "autoRenewEnabled": False}
    assert_fault(api.patch(sub_url(on), body), 400, INSTRUCTIONS, "auto-renew")


def test_legacy_subscriptions_have_no_scheduled_changes(api, partner, customer):
    legacy = factories.SubscriptionFactory(customer=customer, partner=partner)
    assert_fault(api.patch(sub_url(legacy), {INSTRUCTIONS: instructions()}), 400, INSTRUCTIONS, "new commerce")
    full = api.get(sub_url(legacy)).json()  # a full body sends null back: not a change
    full["quantity"] = 11
    assert api.patch(sub_url(legacy), full).status_code == 200


def test_a_seat_increase_deletes_the_scheduled_changes_and_says_so(api, closed_window):
    api.patch(sub_url(closed_window), {INSTRUCTIONS: instructions()})
    response = api.patch(sub_url(closed_window), {"quantity": 12})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["quantity"] == 12 and body[INSTRUCTIONS] is None
    [warning] = body["warnings"]
    assert warning["code"] == "scheduled_changes_deleted"
    assert warning[INSTRUCTIONS]["quantity"] == 5
    closed_window.refresh_from_db()
    assert closed_window.scheduled_next_term_instructions is None
    assert closed_window.commitment_end_date == timezone.now().astimezone(UTC).date() + timedelta(days=334)
    record = AuditRecord.objects.order_by("-operation_date").first()
    assert record.resource_old_value[INSTRUCTIONS]["quantity"] == 5
    assert record.resource_new_value[INSTRUCTIONS] is None


def test_a_full_body_sent_back_with_more_seats_also_deletes_them(api, closed_window):
    api.patch(sub_url(closed_window), {INSTRUCTIONS: instructions()})
    full = api.get(sub_url(closed_window)).json()
    full["quantity"] = 11
    body = api.patch(sub_url(closed_window), full).json()
    assert body[INSTRUCTIONS] is None and body["warnings"][0]["code"] == "scheduled_changes_deleted"


def test_a_friendly_name_change_keeps_them(api, nce):
    api.patch(sub_url(nce), {INSTRUCTIONS: instructions()})
    body = api.patch(sub_url(nce), {"friendlyName": "Sales"}).json()
    assert body[INSTRUCTIONS]["quantity"] == 5 and body["warnings"] == []


def test_turning_auto_renew_off_deletes_them(api, nce):
    api.patch(sub_url(nce), {INSTRUCTIONS: instructions()})
    body = api.patch(sub_url(nce), {"autoRenewEnabled": False}).json()
    assert body[INSTRUCTIONS] is None and body["warnings"][0]["code"] == "scheduled_changes_deleted"


def test_seat_reduction_after_the_window_is_refused_with_its_date(api, closed_window):
    closed = closed_window.cancellation_allowed_until.date().isoformat()
    assert_fault(api.patch(sub_url(closed_window), {"quantity": 9}), 400, "quantity", closed)


def test_cancel_inside_the_window(api, open_window):
    response = api.patch(sub_url(open_window), {"status": "deleted"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "deleted"
    assert response.json()["refundableQuantity"] == {"totalQuantity": 0, "details": []}
    refund = AuditRecord.objects.get().resource_new_value["refund"]
    assert refund["seats"] == 10 and refund["currency"] == "USD" and refund["amount"] is not None


def test_cancel_after_the_window_is_refused_with_its_date(api, closed_window):
    closed = closed_window.cancellation_allowed_until.date().isoformat()
    assert_fault(api.patch(sub_url(closed_window), {"status": "deleted"}), 400, "status", closed)
    closed_window.refresh_from_db()
    assert closed_window.status == "active"


def test_reduce_inside_the_window(api, open_window):
    body = api.patch(sub_url(open_window), {"quantity": 7}).json()
    assert body["quantity"] == 7 and body["refundableQuantity"]["totalQuantity"] == 7
    assert AuditRecord.objects.get().resource_new_value["refund"]["seats"] == 3


def test_an_add_on_cannot_replace_a_base_offer(api, nce):
    from catalog.models import CommercePrice, CommerceProduct

    CommerceProduct.objects.create(
        offer_id="audio-conferencing", product_id="CFQ7TTC0ADD1", sku_id="0001", availability_id="ADDON00001"
    )
    CommercePrice.objects.create(
        offer_id="audio-conferencing", term_duration="P1M", billing_cycle="monthly", currency="USD", unit_price="4.80"
    )
    add_on = {"productId": "CFQ7TTC0ADD1", "skuId": "0001", "availabilityId": "ADDON00001"}
    assert_fault(
        api.patch(sub_url(nce), {INSTRUCTIONS: instructions(add_on)}), 400, f"{INSTRUCTIONS}.product", "add-on"
    )
