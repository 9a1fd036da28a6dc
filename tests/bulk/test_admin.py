"""Django admin of upgrade batches: read-only, items inline limited, cancel action through the service."""

import pytest
from django.urls import reverse

from bulk.models import UpgradeBatch, UpgradeBatchItem
from tests.builders import BATCHES, item

pytestmark = pytest.mark.django_db


def test_operator_sees_batches_with_a_limited_items_inline(admin_client, api, upgradables):
    items = [item(upgradables[i % 3], target="o365-e3") for i in range(60)]
    batch_id = api.post(BATCHES, {"items": items, "dryRun": True}).json()["id"]
    assert admin_client.get(reverse("admin:bulk_upgradebatch_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:bulk_upgradebatch_change", args=[batch_id]))
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert len(inline.formset.forms) == 50
    assert admin_client.get(reverse("admin:bulk_upgradebatchitem_changelist") + f"?q={batch_id}").status_code == 200
    assert admin_client.get(reverse("admin:bulk_upgradebatch_add")).status_code == 403


def test_cancel_action_uses_the_service(admin_client, api, upgradables):
    batch_id = api.post(BATCHES, {"items": [item(u) for u in upgradables]}).json()["id"]
    response = admin_client.post(
        reverse("admin:bulk_upgradebatch_changelist"), {"action": "cancel_batches", "_selected_action": [batch_id]}
    )
    assert response.status_code == 302
    assert UpgradeBatch.objects.get(pk=batch_id).status == "cancelled"
    assert set(UpgradeBatchItem.objects.values_list("status", flat=True)) == {"cancelled"}
