"""Nothing of another partner shows to a partner global admin: lists, change pages, autocomplete, filters,
delete confirmations (issue 8 item 1)."""

import pytest

from accounts.models import ApiToken, User
from audit.models import AuditRecord
from bulk.models import UpgradeBatch, UpgradeBatchItem
from partners.models import PartnerRoleAssignment, SecurityGroup
from tests.builders import absent, admin_url
from upgrades.models import BillingEntry, UpgradeOperation

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    ApiToken,
    SecurityGroup,
    PartnerRoleAssignment,
    UpgradeBatch,
    UpgradeBatchItem,
    UpgradeOperation,
    BillingEntry,
    AuditRecord,
]


def other_objects(world):
    return {
        "user": world.other.agent,
        "token": world.other.app_token,
        "user_token": world.other.user_token,
        "group": world.other.group,
        "batch": world.other.batch,
        "operation": world.other.operation,
        "billing": world.other.billing,
        "audit": world.other.audit,
        "role": PartnerRoleAssignment.objects.get(user=world.other.agent),
        "item": world.other.batch.items.get(),
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelists_hide_the_other_partner(pga_client, world, model):
    response = pga_client.get(admin_url(model))
    assert response.status_code == 200
    assert absent(response, world.other.names) == []
    filtered = pga_client.get(admin_url(model), {"q": "wingtip"})
    assert filtered.status_code == 200 and absent(filtered, world.other.names) == []


def test_own_objects_do_show(pga_client, world):
    for obj in (
        world.own.agent,
        world.own.group,
        world.own.batch,
        world.own.operation,
        world.own.billing,
        world.own.audit,
        world.own.app_token,
    ):
        assert pga_client.get(admin_url(obj, "change")).status_code == 200, obj


@pytest.mark.parametrize(
    "key", ["user", "token", "user_token", "group", "batch", "operation", "billing", "audit", "role", "item"]
)
def test_other_partners_object_pages_do_not_exist(pga_client, world, key):
    obj = other_objects(world)[key]
    for view in ("change", "delete", "history"):
        response = pga_client.get(admin_url(obj, view))
        assert response.status_code in (302, 403, 404), (key, view)
        if response.status_code == 302:
            assert response["Location"] == "/admin/"
        assert absent(response, world.other.names) == []


def test_filters_and_autocomplete_hide_the_other_partner(pga_client, world):
    for model in MODELS:
        response = pga_client.get(admin_url(model))
        specs = response.context["cl"].filter_specs
        assert [spec for spec in specs if getattr(spec, "field_path", "") == "partner"] == [], model
    response = pga_client.get(
        "/admin/autocomplete/",
        {"app_label": "partners", "model_name": "securitygroup", "field_name": "members", "term": ""},
    )
    assert response.status_code == 200
    assert absent(response, world.other.names) == []
    assert {row["text"] for row in response.json()["results"]} == {"contoso-boss", "contoso-agent"}


def test_group_delete_confirmation_shows_nothing_of_the_other_partner(pga_client, world):
    response = pga_client.get(admin_url(world.own.group, "delete"))
    assert response.status_code == 200
    assert absent(response, world.other.names) == []
    response = pga_client.post(
        admin_url(SecurityGroup),
        {"action": "delete_selected", "_selected_action": [world.own.group.pk, world.other.group.pk]},
    )
    assert response.status_code == 200
    assert absent(response, world.other.names) == []


def test_cancel_action_reaches_only_own_batches(pga_client, world):
    before = AuditRecord.objects.count()
    response = pga_client.post(
        admin_url(UpgradeBatch),
        {"action": "cancel_batches", "_selected_action": [world.own.batch.pk, world.other.batch.pk]},
    )
    assert response.status_code == 302
    assert UpgradeBatch.objects.get(pk=world.own.batch.pk).status == "cancelled"
    assert UpgradeBatch.objects.get(pk=world.other.batch.pk).status == "queued"
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.partner_id, record.resource_type, record.resource_new_value["cancelledItems"]) == (
        world.own.partner.pk,
        "UpgradeBatch",
        1,
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_an_operator_sees_both_partners(client, world, model):
    """The check above is not vacuous: the other partner's names do show to an operator."""
    client.force_login(world.operator)
    response = client.get(admin_url(model))
    assert response.status_code == 200
    assert absent(response, world.other.names) != []
