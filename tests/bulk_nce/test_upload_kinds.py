"""The CSV upload's new commerce columns (bulk.upload): transitions and scheduled changes by line and column."""

import pytest
from django.urls import reverse

from bulk.models import UpgradeBatch
from bulk.upload import batch_items_from_csv
from tests.builders import login, page_text
from tests.builders import nce_subscription as nce

from .conftest import E3

pytestmark = pytest.mark.django_db

HEAD = (
    "customerId,subscriptionId,targetOfferId,quantity,upgradeType,kind,toCatalogItemId,termDuration,billingCycle,"
    "productId,skuId,availabilityId"
)


def test_transition_and_scheduled_change_lines_become_items(agent, customer, partner):
    first, second = nce(customer, partner=partner), nce(customer, partner=partner)
    t = customer.tenant_id
    data = (
        f"{HEAD}\n"
        f"{t},{first.pk},,4,,transition,{E3},,,,,\n"
        f"{t},{second.pk},,6,,scheduledChange,,P1Y,monthly,CFQ7TTC0LDPB,0001,DZH318Z0BPS6\n"
    ).encode()
    specs, errors = batch_items_from_csv(agent, data)
    assert errors == []
    assert [(s.kind, s.subscription_id) for s in specs] == [("transition", first.pk), ("scheduledChange", second.pk)]
    assert specs[0].request == {
        "toCatalogItemId": E3,
        "toSubscriptionId": None,
        "quantity": 4,
        "termDuration": None,
        "billingCycle": None,
        "transitionType": "transition_only",
    }
    assert specs[1].request == {
        "scheduledNextTermInstructions": {
            "product": {
                "productId": "CFQ7TTC0LDPB",
                "skuId": "0001",
                "availabilityId": "DZH318Z0BPS6",
                "billingCycle": "monthly",
                "termDuration": "P1Y",
            },
            "quantity": 6,
            "customTermEndDate": None,
        }
    }


def test_each_bad_new_commerce_cell_is_named_by_line_and_column(agent, customer, partner):
    subs = [nce(customer, partner=partner) for _ in range(5)]
    t = customer.tenant_id
    data = (
        f"{HEAD}\n"
        f"{t},{subs[0].pk},,,,transition,bad,,,,,\n"
        f"{t},{subs[1].pk},,5,,scheduledChange,,P1Y,monthly,CFQ7TTC0LDPB,,DZH318Z0BPS6\n"
        f"{t},{subs[2].pk},,,,scheduledChange,,P1Y,monthly,CFQ7TTC0LDPB,0001,DZH318Z0BPS6\n"
        f"{t},{subs[3].pk},,,,upgrade2,,,,,,\n"
        f"{t},{subs[4].pk},,,,transition,AAAA1111:0001:BBBB2222,,,,,\n"
    ).encode()
    _specs, errors = batch_items_from_csv(agent, data)
    assert [(e.line, e.column) for e in errors] == [
        (2, "toCatalogItemId"),
        (3, "skuId"),
        (4, "quantity"),
        (5, "kind"),
        (6, "toCatalogItemId"),
    ]
    assert errors[5 - 1].message == "AAAA1111:0001:BBBB2222 is not a catalog item sold here."


def test_an_unknown_extra_column_is_refused(agent):
    data = b"customerId,subscriptionId,targetOfferId,quantity,upgradeType,colour\n"
    _specs, errors = batch_items_from_csv(agent, data)
    assert [(e.line, e.column) for e in errors] == [(1, "")]
    assert "colour" not in errors[0].message and "kind,toCatalogItemId" in errors[0].message


def test_the_upload_page_documents_the_columns_and_makes_a_dry_run(client, agent, customer, partner):
    source = nce(customer, partner=partner)
    login(client, agent)
    html = page_text(client.get(reverse("portal:batch_upload")))
    assert "kind,toCatalogItemId,toSubscriptionId,termDuration,billingCycle,transitionType" in html
    assert "scheduledChange" in html
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "items.csv", f"{HEAD}\n{customer.tenant_id},{source.pk},,2,,transition,{E3},,,,,\n".encode(), "text/csv"
    )
    response = client.post(reverse("portal:batch_upload"), {"file": upload})
    batch = UpgradeBatch.objects.get()
    assert response.status_code == 302 and batch.dry_run
    assert list(batch.items.values_list("kind", "quantity")) == [("transition", 2)]
