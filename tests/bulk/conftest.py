"""Fixtures of the bulk API tests (built on the /v1/ API test fixtures)."""

import pytest

from bulk.models import UpgradeBatch
from tests.api.conftest import Api, api, api_for, app_api, make_upgradable  # noqa: F401  (fixtures)

BATCHES = "/v1/upgradeBatches"
ELIGIBILITY = "/v1/upgradeEligibility"


def item(upgradable, target="o365-e3", **extra) -> dict:
    return {
        "customerId": str(upgradable.customer.tenant_id),
        "subscriptionId": str(upgradable.subscription.pk),
        "targetOfferId": target,
        **extra,
    }


@pytest.fixture
def upgradables(partner, sales_agent):
    """Three upgradable Business Basic subscriptions of ``partner`` in three customers."""
    return [make_upgradable(partner=partner, agent=sales_agent, licensed=2) for _ in range(3)]


def run_batch(api: Api, body: dict, capture, **kwargs):
    """POST a batch and run the chunk tasks it enqueues (eager Celery) as the commit would."""
    with capture(execute=True):
        response = api.post(BATCHES, body, **kwargs)
    assert response.status_code == 202, response.json()
    return UpgradeBatch.objects.get(pk=response.json()["id"]), response


def items_of(api: Api, batch, query: str = "") -> dict:
    response = api.get(f"{BATCHES}/{batch.pk}/items{query}")
    assert response.status_code == 200, response.json()
    return response.json()
