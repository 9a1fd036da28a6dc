"""Security groups (through ``partners.group_services``), role assignments, partners and API tokens in the admin."""

import pytest

from accounts.models import ApiToken
from audit.models import AuditRecord
from partners.models import Partner, PartnerRoleAssignment, SecurityGroup
from tests.builders import admin_url

pytestmark = pytest.mark.django_db


def test_pga_creates_renames_and_deletes_a_group_through_the_service(pga_client, world):
    before = AuditRecord.objects.count()
    response = pga_client.post(
        admin_url(SecurityGroup, "add"),
        {"name": "Tier two", "members": [world.own.agent.pk], "partner": world.other.partner.pk},
    )
    assert response.status_code == 302
    group = SecurityGroup.objects.get(name="Tier two")
    assert group.partner_id == world.own.partner.pk
    assert list(group.members.values_list("username", flat=True)) == ["contoso-agent"]
    response = pga_client.post(admin_url(group, "change"), {"name": "Tier 2", "members": []})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Tier 2" and group.members.count() == 0
    response = pga_client.post(admin_url(group, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not SecurityGroup.objects.filter(pk=group.pk).exists()
    records = AuditRecord.objects.order_by("operation_date")[before:]
    assert [(r.operation_type, r.partner_id) for r in records] == [("update_security_group", world.own.partner.pk)] * 3


def test_group_members_are_limited_to_the_own_partners_users(pga_client, world):
    response = pga_client.post(
        admin_url(world.own.group, "change"), {"name": "contoso-tier-one", "members": [world.other.agent.pk]}
    )
    assert response.status_code == 200
    assert "members" in response.context["adminform"].form.errors
    assert list(world.own.group.members.values_list("username", flat=True)) == ["contoso-agent"]
    autocomplete = pga_client.get(
        "/admin/autocomplete/",
        {"app_label": "partners", "model_name": "securitygroup", "field_name": "members", "term": "agent"},
    )
    assert autocomplete.status_code == 200
    assert [row["text"] for row in autocomplete.json()["results"]] == ["contoso-agent"]


def test_group_service_refuses_a_duplicate_name(pga_client, world):
    before = AuditRecord.objects.count()
    response = pga_client.post(admin_url(SecurityGroup, "add"), {"name": "contoso-tier-one", "members": []})
    assert response.status_code == 302  # back to the form with the service's message
    assert SecurityGroup.objects.filter(partner=world.own.partner, name="contoso-tier-one").count() == 1
    assert AuditRecord.objects.count() == before


def test_role_assignments_are_view_only(pga_client, operator_client, world):
    assignment = PartnerRoleAssignment.objects.get(user=world.own.agent)
    for client in (pga_client, operator_client):
        client.force_login(world.own.admin if client is pga_client else world.operator)
        assert client.get(admin_url(PartnerRoleAssignment)).status_code == 200
        assert client.get(admin_url(PartnerRoleAssignment, "add")).status_code == 403
        assert (
            client.post(
                admin_url(assignment, "change"), {"user": assignment.user_id, "role": "global_admin"}
            ).status_code
            == 403
        )
        assert client.post(admin_url(assignment, "delete"), {"post": "yes"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.role == "sales_agent"


def test_a_pga_changes_only_the_approval_threshold_and_operators_are_audited(client, world):
    partner = world.own.partner
    client.force_login(world.own.admin)
    page = client.get(admin_url(partner, "change"))
    assert page.context["has_change_permission"] is True  # the approval threshold only (issue 11)
    assert set(page.context["adminform"].form.fields) == {"approval_items", "approval_seats", "approval_monthly_value"}
    client.post(
        admin_url(partner, "change"),
        {"name": "Hacked", "code": "hacked", "security_groups-TOTAL_FORMS": "0", "security_groups-INITIAL_FORMS": "0"},
    )
    assert client.get(admin_url(Partner, "add")).status_code == 403
    partner.refresh_from_db()
    assert (partner.name, partner.code) == ("Contoso CSP", "contoso-csp")
    client.force_login(world.operator)
    before = AuditRecord.objects.count()
    response = client.post(
        admin_url(partner, "change"),
        {
            "name": "Contoso Ltd",
            "code": "contoso-csp",
            "mpn_id": partner.mpn_id,
            "tenant_id": str(partner.tenant_id),
            "security_groups-TOTAL_FORMS": "0",
            "security_groups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Contoso Ltd"
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.resource_old_value["name"], record.resource_new_value["name"]) == (
        "update_partner",
        "Contoso CSP",
        "Contoso Ltd",
    )


def test_pga_revokes_own_tokens_only(pga_client, world):
    before = AuditRecord.objects.count()
    response = pga_client.post(
        admin_url(ApiToken),
        {"action": "revoke", "_selected_action": [world.own.app_token.pk, world.other.app_token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=world.own.app_token.pk).revoked
    assert not ApiToken.objects.get(pk=world.other.app_token.pk).revoked
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.partner_id) == ("update_api_token", world.own.partner.pk)
    # view only: no form fields, no delete
    page = pga_client.get(admin_url(world.own.user_token, "change"))
    assert page.context["has_change_permission"] is False
    assert pga_client.post(admin_url(world.own.user_token, "delete"), {"post": "yes"}).status_code == 403
