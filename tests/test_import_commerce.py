"""Tenant import of new commerce subscriptions (tenant-import.md "Additions for new commerce", domain.md §8)."""

import copy
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from importer.services import TenantImportInvalid, tenant_import
from subscriptions.models import Subscription

EXAMPLE = Path(__file__).parent / "data" / "tenant_import_example.json"
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)  # the example's term started 2026-11-01: its window is open
SUB = "customers[0].subscriptions[0]"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def example():
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def nce(example):
    """The example with its one subscription (Business Basic India, 25 seats) bought as new commerce, P1Y."""
    sub = example["customers"][0]["subscriptions"][0]
    sub.update({"commerce": "new", "termDuration": "P1Y", "billingCycle": "annual"})
    del sub["commitmentEndDate"]
    return example


def sub_of(document) -> dict:
    return document["customers"][0]["subscriptions"][0]


def errors_of(document) -> dict[str, str]:
    with pytest.raises(TenantImportInvalid) as info:
        tenant_import(actor=None, document=document)
    assert Subscription.objects.count() == 0
    return {issue.path: issue.message for issue in info.value.issues}


def test_a_legacy_subscription_keeps_the_defaults(example):
    tenant_import(actor=None, document=example)
    sub = Subscription.objects.get()
    assert (sub.commerce, sub.term_duration, sub.cancellation_allowed_until) == ("legacy", "", None)
    assert (sub.refundable_quantity, sub.scheduled_next_term_instructions, sub.auto_renew) == (0, None, True)
    assert sub.commitment_end_date == date(2027, 10, 31)

    sub_of(example).update({"commerce": "legacy", "autoRenewEnabled": False})  # Partner Center's name, legacy too
    assert tenant_import(actor=None, document=example).counts["subscriptions"].updated == 1
    assert Subscription.objects.get().auto_renew is False


def test_a_new_commerce_subscription_takes_every_default(nce):
    tenant_import(actor=None, document=nce)
    sub = Subscription.objects.get()
    assert (sub.commerce, sub.term_duration, sub.billing_cycle) == ("new", "P1Y", "annual")
    assert (sub.auto_renew, sub.is_trial, sub.scheduled_next_term_instructions) == (True, False, None)
    assert sub.term_start_date == date(2026, 11, 1)
    assert sub.commitment_end_date == date(2027, 10, 31)  # one term after the start, the day before
    assert sub.cancellation_allowed_until == datetime(2026, 11, 8, tzinfo=UTC)  # start + 7 days
    assert sub.refundable_quantity == 25  # window open on import: every seat


def test_every_new_commerce_field_is_read(nce):
    sub_of(nce).update(
        {
            "termDuration": "P3Y",
            "billingCycle": "triennial",
            "commitmentEndDate": "2029-06-30",
            "autoRenewEnabled": True,
            "isTrial": True,
            "cancellationAllowedUntilDate": "2026-11-06T09:30:00Z",
            "scheduledNextTermInstructions": {
                "offer": "m365-business-standard-in",
                "termDuration": "P1Y",
                "billingCycle": "monthly",
                "quantity": 30,
            },
        }
    )
    tenant_import(actor=None, document=nce)
    sub = Subscription.objects.get()
    assert (sub.term_duration, sub.billing_cycle, sub.commitment_end_date) == ("P3Y", "triennial", date(2029, 6, 30))
    assert (sub.auto_renew, sub.is_trial) == (True, True)
    assert sub.cancellation_allowed_until == datetime(2026, 11, 6, 9, 30, tzinfo=UTC)
    assert sub.scheduled_next_term_instructions == {
        "product": {
            "productId": "CFQ7TTC0LDPB",
            "skuId": "0001",
            "availabilityId": "DZH318Z0BPIN",
            "billingCycle": "monthly",
            "termDuration": "P1Y",
        },
        "quantity": 30,
    }


def test_a_closed_window_leaves_no_refundable_seats_and_a_date_means_midnight_utc(nce):
    sub_of(nce).update({"termDuration": "P1M", "billingCycle": "monthly", "cancellationAllowedUntilDate": "2026-11-04"})
    tenant_import(actor=None, document=nce)
    sub = Subscription.objects.get()
    assert sub.cancellation_allowed_until == datetime(2026, 11, 4, tzinfo=UTC)
    assert sub.refundable_quantity == 0
    assert sub.commitment_end_date == date(2026, 11, 30)


def test_auto_renew_under_either_name(nce):
    sub_of(nce)["autoRenew"] = False
    tenant_import(actor=None, document=nce)
    assert Subscription.objects.get().auto_renew is False
    del sub_of(nce)["autoRenew"]
    sub_of(nce)["autoRenewEnabled"] = False
    assert tenant_import(actor=None, document=nce).updated == 0
    sub_of(nce)["autoRenew"] = None  # null: not given
    assert tenant_import(actor=None, document=nce).updated == 0
    sub_of(nce)["autoRenew"] = False  # both, the same value: accepted
    assert tenant_import(actor=None, document=nce).updated == 0
    sub_of(nce)["autoRenewEnabled"] = True
    with pytest.raises(TenantImportInvalid) as info:
        tenant_import(actor=None, document=nce)
    assert [str(i) for i in info.value.issues] == [
        f"{SUB}.autoRenewEnabled: differs from autoRenew (the same field under its older name): give one of them"
    ]


def test_reimporting_a_new_commerce_subscription_changes_nothing(nce):
    sub_of(nce)["scheduledNextTermInstructions"] = {
        "offer": "m365-business-standard-in",
        "termDuration": "P1Y",
        "billingCycle": "annual",
        "quantity": 20,
    }
    tenant_import(actor=None, document=nce)
    stamp = Subscription.objects.values_list("updated", flat=True).get()
    summary = tenant_import(actor=None, document=nce)
    assert (summary.created, summary.updated) == (0, 0)
    assert Subscription.objects.values_list("updated", flat=True).get() == stamp

    sub_of(nce)["scheduledNextTermInstructions"]["quantity"] = 15
    assert tenant_import(actor=None, document=nce).counts["subscriptions"].updated == 1
    assert Subscription.objects.get().scheduled_next_term_instructions["quantity"] == 15


def test_legacy_subscriptions_refuse_new_commerce_fields(example):
    sub_of(example).update(
        {
            "termDuration": "P1Y",
            "billingCycle": "triennial",
            "cancellationAllowedUntilDate": "2026-11-08",
            "scheduledNextTermInstructions": {"offer": "m365-business-standard-in"},
        }
    )
    only_new = "only a new commerce subscription (commerce: new) has this field"
    assert errors_of(example) == {
        f"{SUB}.termDuration": only_new,
        f"{SUB}.cancellationAllowedUntilDate": only_new,
        f"{SUB}.scheduledNextTermInstructions": only_new,
        f"{SUB}.billingCycle": "a legacy subscription is billed monthly or annual, not 'triennial'",
    }


def test_every_bad_new_commerce_value_is_named_by_its_path(nce):
    doc = copy.deepcopy(nce)
    sub_of(doc).update(
        {"commerce": "modern", "autoRenewEnabled": "yes", "isTrial": 1, "cancellationAllowedUntilDate": "soon"}
    )
    assert errors_of(doc) == {
        f"{SUB}.commerce": "unknown commerce type 'modern' (expected one of: legacy, new)",
        f"{SUB}.autoRenewEnabled": "expected boolean, got string",
        f"{SUB}.isTrial": "expected boolean, got number",
    }

    doc = copy.deepcopy(nce)
    del sub_of(doc)["termDuration"]
    assert errors_of(doc) == {f"{SUB}.termDuration": "required field missing"}

    doc = copy.deepcopy(nce)
    sub_of(doc).update({"termDuration": "P2Y", "cancellationAllowedUntilDate": "soon"})
    assert errors_of(doc) == {
        f"{SUB}.termDuration": "unknown term 'P2Y' (expected one of: P1M, P1Y, P3Y)",
        f"{SUB}.cancellationAllowedUntilDate": "invalid date 'soon' (expected YYYY-MM-DD)",
    }

    doc = copy.deepcopy(nce)
    sub_of(doc).update({"termDuration": "P1Y", "billingCycle": "triennial", "offer": "o365-e4"})
    sub_of(doc)["assignments"][0]["disabledServicePlans"] = []
    sub_of(doc)["cancellationAllowedUntilDate"] = "2026-10-31T23:59:00Z"
    assert errors_of(doc) == {
        f"{SUB}.billingCycle": "a P1Y term is not billed 'triennial' (allowed: monthly, annual)",
        f"{SUB}.offer": "offer 'o365-e4' has no new commerce product",
        f"{SUB}.cancellationAllowedUntilDate": "is before termStartDate",
    }

    doc = copy.deepcopy(nce)
    sub_of(doc)["cancellationAllowedUntilDate"] = "2026-11-08T25:00:00Z"
    assert list(errors_of(doc)) == [f"{SUB}.cancellationAllowedUntilDate"]


def test_every_bad_scheduled_change_is_named_by_its_path(nce):
    path = f"{SUB}.scheduledNextTermInstructions"
    doc = copy.deepcopy(nce)
    sub_of(doc)["scheduledNextTermInstructions"] = {
        "offer": "o365-e9",
        "termDuration": "P5Y",
        "billingCycle": "weekly",
        "quantity": 0,
        "customTermEndDate": "2027-12-31",
    }
    assert errors_of(doc) == {
        f"{path}.offer": "unknown offer 'o365-e9'",
        f"{path}.termDuration": "unknown term 'P5Y' (expected one of: P1M, P1Y, P3Y)",
        f"{path}.billingCycle": "unknown billing cycle 'weekly' (expected one of: annual, monthly, triennial)",
        f"{path}.quantity": "must be at least 1, got 0",
        f"{path}.customTermEndDate": "unknown field",
    }

    doc = copy.deepcopy(nce)
    sub_of(doc)["scheduledNextTermInstructions"] = {"offer": "o365-e4", "termDuration": "P1M", "billingCycle": "annual"}
    assert errors_of(doc) == {
        f"{path}.offer": "offer 'o365-e4' has no new commerce product",
        f"{path}.billingCycle": "a P1M term is not billed 'annual' (allowed: monthly)",
        f"{path}.quantity": "required field missing",
    }

    doc = copy.deepcopy(nce)
    sub_of(doc)["autoRenewEnabled"] = False
    sub_of(doc)["scheduledNextTermInstructions"] = {
        "offer": "m365-business-standard",  # the customer is in India
        "termDuration": "P1Y",
        "billingCycle": "annual",
        "quantity": 10,
    }
    assert errors_of(doc) == {
        f"{path}.offer": "customers in India buy the India variant 'm365-business-standard-in'",
        path: "scheduled changes apply at an automatic renewal: they need autoRenewEnabled true",
    }

    doc = copy.deepcopy(nce)
    sub_of(doc)["scheduledNextTermInstructions"] = ["m365-business-standard-in"]
    assert errors_of(doc) == {path: "expected an object, got array"}


def test_many_new_commerce_subscriptions_import_in_the_same_number_of_queries(nce):
    def with_subscriptions(count: int) -> dict:
        doc = copy.deepcopy(nce)
        template = sub_of(doc)
        template["scheduledNextTermInstructions"] = {
            "offer": "m365-business-standard-in",
            "termDuration": "P1Y",
            "billingCycle": "annual",
            "quantity": 20,
        }
        doc["customers"][0]["subscriptions"] = [
            {**copy.deepcopy(template), "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"nce/{count}/{n}"))}
            for n in range(count)
        ]
        return doc

    tenant_import(actor=None, document=nce)  # partners, users and the customer exist: each import adds subscriptions
    counts = []
    for size in (2, 30):
        with CaptureQueriesContext(connection) as ctx:
            tenant_import(actor=None, document=with_subscriptions(size))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
