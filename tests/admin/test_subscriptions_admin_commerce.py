"""New commerce fields in the subscription admin: shown, filtered, never written through the form (§8)."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from audit.models import AuditRecord
from subscriptions.models import Subscription
from tests import factories
from tests.builders import admin_url, form_data, login, page_text

pytestmark = pytest.mark.django_db

SCHEDULED = {
    "product": {
        "productId": "CFQ7TTC0LDPB",
        "skuId": "0001",
        "availabilityId": "DZH318Z0BPS6",
        "billingCycle": "annual",
        "termDuration": "P1Y",
    },
    "quantity": 4,
}


@pytest.fixture
def nce(world):
    """Contoso's and Wingtip's new commerce subscriptions at Proseware."""
    common = {"customer": world.proseware, "commerce": "new", "term_duration": "P1Y", "billing_cycle": "annual"}
    return {
        "contoso": factories.SubscriptionFactory(
            partner=world.contoso,
            offer_id="m365-business-basic",
            quantity=6,
            cancellation_allowed_until=datetime(2026, 11, 8, tzinfo=UTC),
            refundable_quantity=6,
            scheduled_next_term_instructions=SCHEDULED,
            **common,
        ),
        "wingtip": factories.SubscriptionFactory(partner=world.wingtip, offer_id="m365-business-standard", **common),
    }


@pytest.fixture
def operator_client(world):
    """The operator on a client of its own (``operator`` and ``contoso_admin`` share the one ``client``)."""
    return login(Client(), world.users["operator"])


def changelist_ids(client, query: str = "") -> set:
    response = client.get(admin_url(Subscription, "changelist") + query)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_the_change_page_shows_the_new_commerce_fields_read_only(contoso_admin, operator_client, world, nce):
    for client in (contoso_admin, operator_client):
        response = client.get(admin_url(nce["contoso"], "change"))
        assert set(response.context["adminform"].form.fields) == {"friendly_name", "quantity", "auto_renew"}
        text = page_text(response)
        assert "New commerce (changed by transitions, renewals and scheduled changes)" in text
        assert "CFQ7TTC0LDPB:0001:DZH318Z0BPS6, P1Y billed annual, 4 seats" in text
        assert "refundable seats" in text.lower()


def test_posted_new_commerce_fields_change_nothing(contoso_admin, world, nce):
    sub = nce["contoso"]
    page = contoso_admin.get(admin_url(sub, "change"))
    before = AuditRecord.objects.count()
    response = contoso_admin.post(
        admin_url(sub, "change"),
        form_data(page)
        | {
            "commerce": "legacy",
            "term_duration": "P3Y",
            "refundable_quantity": "0",
            "cancellation_allowed_until": "2030-01-01 00:00:00",
            "scheduled_next_term_instructions": "null",
        },
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.commerce, sub.term_duration, sub.refundable_quantity) == ("new", "P1Y", 6)
    assert sub.cancellation_allowed_until == datetime(2026, 11, 8, tzinfo=UTC)
    assert sub.scheduled_next_term_instructions == SCHEDULED
    assert AuditRecord.objects.count() == before  # nothing the form edits changed either


def test_the_changelist_filters_by_commerce_and_term_within_the_partners_scope(
    contoso_admin, operator_client, world, nce
):
    assert changelist_ids(contoso_admin, "?commerce__exact=new") == {nce["contoso"].pk}
    assert changelist_ids(contoso_admin, "?commerce__exact=legacy") == {
        world.subs["contoso"].pk,
        world.subs["wideworld"].pk,
    }
    assert changelist_ids(contoso_admin, "?term_duration__exact=P1Y") == {nce["contoso"].pk}
    assert changelist_ids(contoso_admin, "?term_duration__exact=P3Y") == set()
    assert changelist_ids(operator_client, "?commerce__exact=new") == {nce["contoso"].pk, nce["wingtip"].pk}
    assert contoso_admin.get(admin_url(nce["wingtip"], "change")).status_code in (302, 404)
