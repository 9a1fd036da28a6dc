"""Bad batch bodies: a 400 ServiceFault listing every bad item by index and field; nothing is stored."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulk.models import UpgradeBatch, UpgradeBatchItem
from tests.builders import BATCHES, assert_fault, item, tokens_just_used

pytestmark = pytest.mark.django_db

GOOD = {
    "customerId": "6f1a2c3d-0000-4000-8000-000000000001",
    "subscriptionId": "6f1a2c3d-0000-4000-8000-000000000002",
    "targetOfferId": "o365-e3",
}


@pytest.mark.parametrize(
    "body, lines",
    [
        ({"items": [GOOD, GOOD, GOOD, {**GOOD, "subscriptionId": "abc"}]}, ["items[3].subscriptionId: not a GUID."]),
        ({"items": [{**GOOD, "customerId": 12}]}, ["items[0].customerId: not a GUID."]),
        (
            {"items": [{"targetOfferId": "o365-e3"}]},
            ["items[0].customerId: is required.", "items[0].subscriptionId: is required."],
        ),
        (
            {"items": [{**GOOD, "targetOfferId": ""}, {**GOOD, "targetOfferId": "x" * 65}]},
            ["items[0].targetOfferId: is required", "items[1].targetOfferId: must be at most 64"],
        ),
        (
            {"items": [{**GOOD, "quantity": 0}, {**GOOD, "quantity": 2.5}, {**GOOD, "quantity": True}]},
            [
                "items[0].quantity: must be between 1",
                "items[1].quantity: must be a whole number.",
                "items[2].quantity: must be a whole number.",
            ],
        ),
        ({"items": [{**GOOD, "upgradeType": "sideways"}]}, ["items[0].upgradeType: Must be one of"]),
        ({"items": [GOOD, "o365-e3"]}, ["items[1]: must be an object"]),
        ({"items": []}, ["items: must hold 1 to 10000 items (got 0)."]),
        ({"items": {"a": 1}}, ["items: must be a list."]),
        ({}, ["items: is required."]),
        ({"items": [GOOD], "dryRun": "yes"}, ["dryRun: must be true or false."]),
        ([GOOD], ["body: Expected a JSON object"]),
    ],
)
def test_bad_bodies_name_the_item_and_field(api, body, lines):
    fault = assert_fault(api.post(BATCHES, body), 400, "invalid_input")
    for line in lines:
        assert any(entry.startswith(line) for entry in fault["data"]), fault["data"]
    assert not UpgradeBatch.objects.exists() and not UpgradeBatchItem.objects.exists()


def test_too_many_items_and_too_many_problems(api):
    fault = assert_fault(api.post(BATCHES, {"items": [GOOD] * 10_001}), 400)
    assert fault["data"] == ["items: must hold 1 to 10000 items (got 10001)."]
    fault = assert_fault(api.post(BATCHES, {"items": [{**GOOD, "subscriptionId": "x"}] * 150}), 400)
    assert len(fault["data"]) == 101 and fault["data"][-1] == "items: 50 more problems not listed."


def test_accepted_spellings(api):
    body = {
        "items": [
            {**GOOD, "quantity": "12", "upgradeType": 1},
            {**GOOD, "upgradeType": "UpgradeWithLicenseTransfer", "quantity": None},
        ],
        "dryRun": None,
    }
    assert api.post(BATCHES, body).status_code == 202
    rows = list(UpgradeBatchItem.objects.order_by("position").values_list("quantity", "upgrade_type"))
    assert rows == [(12, "upgrade_only"), (None, "upgrade_with_license_transfer")]


def _create_queries(api, upgradables, count: int) -> int:
    items = [item(upgradables[i % len(upgradables)], target="o365-e3") for i in range(count)]
    tokens_just_used()
    with CaptureQueriesContext(connection) as queries:
        response = api.post(BATCHES, {"items": items, "dryRun": True})
    assert response.status_code == 202, response.json()
    assert response.json()["progress"]["total"] == count
    return len(queries)


def test_creating_10_or_1000_items_costs_the_same_queries(api, upgradables):
    small = _create_queries(api, upgradables, 10)
    large = _create_queries(api, upgradables, 1000)
    assert small == large
    assert UpgradeBatchItem.objects.count() == 1010


def _read_queries(api, batch_id) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as detail:
        assert api.get(f"{BATCHES}/{batch_id}").status_code == 200
    with CaptureQueriesContext(connection) as page:
        assert api.get(f"{BATCHES}/{batch_id}/items?size=500").status_code == 200
    return len(detail), len(page)


def test_reading_a_batch_costs_the_same_for_any_size(api, upgradables):
    small = api.post(BATCHES, {"items": [item(upgradables[0])], "dryRun": True}).json()["id"]
    large = api.post(BATCHES, {"items": [item(upgradables[i % 3]) for i in range(300)], "dryRun": True}).json()["id"]
    assert _read_queries(api, small) == _read_queries(api, large)
