"""The Django admin shows a batch item's kind and request, read-only (writes go through the bulk services)."""

import pytest
from django.urls import reverse

from bulk.models import UpgradeBatchItem
from tests.builders import BATCHES
from tests.builders import nce_subscription as nce

from .conftest import E3

pytestmark = pytest.mark.django_db


def test_the_item_page_shows_kind_and_request_read_only(admin_client, agent_api, customer, partner):
    source = nce(customer, partner=partner)
    body = {
        "items": [
            {
                "kind": "transition",
                "customerId": str(customer.tenant_id),
                "subscriptionId": str(source.pk),
                "toCatalogItemId": E3,
                "quantity": 3,
            }
        ],
        "dryRun": True,
    }
    assert agent_api.post(BATCHES, body).status_code == 202
    item = UpgradeBatchItem.objects.get()
    page = admin_client.get(reverse("admin:bulk_upgradebatchitem_change", args=[item.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Transition" in html and E3 in html
    assert 'name="kind"' not in html and 'name="request"' not in html  # shown, not editable
    listing = admin_client.get(reverse("admin:bulk_upgradebatchitem_changelist") + "?kind__exact=transition")
    assert listing.status_code == 200 and str(source.pk) in listing.content.decode()
    before = dict(UpgradeBatchItem.objects.values("kind", "request").get())
    admin_client.post(
        reverse("admin:bulk_upgradebatchitem_change", args=[item.pk]), {"kind": "upgrade", "request": "{}"}
    )
    assert dict(UpgradeBatchItem.objects.values("kind", "request").get()) == before
