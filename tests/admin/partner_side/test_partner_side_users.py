"""Partner users in the Django admin go through ``partners.user_services`` (issue 8 item 1)."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from accounts.models import User
from audit.models import AuditRecord
from partners.models import PartnerRoleAssignment
from tests.builders import admin_url

pytestmark = pytest.mark.django_db


def roles_of(user) -> set[str]:
    return set(PartnerRoleAssignment.objects.filter(user=user).values_list("role", flat=True))


def test_pga_adds_a_partner_user_through_the_invite_service(pga_client, world):
    before = AuditRecord.objects.count()
    response = pga_client.post(
        admin_url(User, "add"),
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "first_name": "New",
            "last_name": "Bie",
            "roles": ["global_admin", "admin_agent"],
            "security_groups": [world.own.group.pk],
            # Fields a partner global admin may not set: ignored.
            "partner": world.other.partner.pk,
            "is_staff": "on",
            "is_superuser": "on",
            "password1": "x",
            "password2": "x",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.partner_id == world.own.partner.pk
    assert roles_of(user) == {"global_admin", "admin_agent"}
    assert list(user.security_groups.values_list("name", flat=True)) == ["contoso-tier-one"]
    assert not user.is_superuser and not user.has_usable_password()
    assert user.is_staff  # a new global admin gets admin access from the sync
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.partner_id, record.user_principal_name) == (
        "update_partner_user",
        world.own.partner.pk,
        "contoso-boss@example.com",
    )
    assert record.resource_new_value["roles"] == ["admin_agent", "global_admin"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["newbie@example.com"]


def test_pga_add_refuses_unknown_roles_and_foreign_groups(pga_client, world):
    response = pga_client.post(
        admin_url(User, "add"), {"username": "sneaky", "email": "s@example.com", "roles": ["emperor"]}
    )
    assert response.status_code == 200 and "roles" in response.context["adminform"].form.errors
    response = pga_client.post(
        admin_url(User, "add"),
        {
            "username": "sneaky",
            "email": "s@example.com",
            "roles": ["sales_agent"],
            "security_groups": [world.other.group.pk],
        },
    )
    assert response.status_code == 200 and "security_groups" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="sneaky").exists()


def test_pga_changes_roles_and_groups_through_the_update_service(pga_client, world):
    agent = world.own.agent
    before = AuditRecord.objects.count()
    response = pga_client.post(
        admin_url(agent, "change"),
        {
            "roles": ["admin_agent", "billing_admin"],
            "security_groups": [],
            "is_staff": "on",
            "is_superuser": "on",
            "partner": world.other.partner.pk,
            "email": "changed@example.com",
            "user_permissions": [Permission.objects.get(codename="change_offer").pk],
            "username": "renamed",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert roles_of(agent) == {"admin_agent", "billing_admin"}
    assert agent.security_groups.count() == 0
    assert (agent.username, agent.email, agent.partner_id) == (
        "contoso-agent",
        "contoso-agent@example.com",
        world.own.partner.pk,
    )
    assert not agent.is_staff and not agent.is_superuser and agent.user_permissions.count() == 0
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert record.resource_old_value["roles"] == ["sales_agent"]
    assert record.resource_new_value["roles"] == ["admin_agent", "billing_admin"]


def test_pga_cannot_remove_the_last_global_admin(pga_client, world):
    boss = world.own.admin
    before = AuditRecord.objects.count()
    response = pga_client.post(admin_url(boss, "change"), {"roles": ["sales_agent"]})
    assert response.status_code == 302
    assert roles_of(boss) == {"global_admin"}
    assert AuditRecord.objects.count() == before
    page = pga_client.get(response["Location"])
    assert "last global admin" in page.content.decode()


def test_pga_deactivates_and_reactivates_users(pga_client, world):
    agent = world.own.agent
    before = AuditRecord.objects.count()
    response = pga_client.post(admin_url(User), {"action": "deactivate_users", "_selected_action": [agent.pk]})
    assert response.status_code == 302
    agent.refresh_from_db()
    world.own.user_token.refresh_from_db()
    assert not agent.is_active and world.own.user_token.revoked
    response = pga_client.post(admin_url(User), {"action": "reactivate_users", "_selected_action": [agent.pk]})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active
    assert AuditRecord.objects.count() == before + 2


def test_pga_cannot_delete_users_or_set_passwords(pga_client, world):
    agent = world.own.agent
    assert pga_client.get(admin_url(agent, "delete")).status_code == 403
    assert pga_client.post(admin_url(agent, "delete"), {"post": "yes"}).status_code == 403
    pga_client.post(admin_url(User), {"action": "delete_selected", "_selected_action": [agent.pk], "post": "yes"})
    assert User.objects.filter(pk=agent.pk).exists()
    actions = pga_client.get(admin_url(User)).context["action_form"].fields["action"].choices
    assert [name for name, _ in actions] == ["", "deactivate_users", "reactivate_users"]
    assert pga_client.get(f"/admin/accounts/user/{agent.pk}/password/").status_code == 403
    assert pga_client.get(f"/admin/accounts/user/{world.other.agent.pk}/password/").status_code == 404


def test_pga_change_form_has_no_platform_fields(pga_client, world):
    form = pga_client.get(admin_url(world.own.agent, "change")).context["adminform"].form
    assert set(form.fields) == {"roles", "security_groups"}
    assert set(form.fields["security_groups"].queryset) == {world.own.group}


def test_pga_never_reaches_another_partners_users(pga_client, world):
    other = world.other.agent
    response = pga_client.get(admin_url(other, "change"))
    assert response.status_code == 404
    before = AuditRecord.objects.count()
    pga_client.post(admin_url(other, "change"), {"roles": ["global_admin"]})
    pga_client.post(admin_url(User), {"action": "deactivate_users", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert other.is_active and roles_of(other) == {"sales_agent"}
    assert AuditRecord.objects.count() == before


def test_operator_invites_a_partner_user_for_any_partner(operator_client, world):
    before = AuditRecord.objects.count()
    response = operator_client.post(
        admin_url(User, "add"),
        {
            "username": "first-admin",
            "email": "first@example.com",
            "partner": world.other.partner.pk,
            "roles": ["global_admin"],
            "security_groups": [world.other.group.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="first-admin")
    assert user.partner_id == world.other.partner.pk and roles_of(user) == {"global_admin"}
    assert AuditRecord.objects.count() == before + 1


def test_operator_group_of_another_partner_is_refused(operator_client, world):
    response = operator_client.post(
        admin_url(User, "add"),
        {
            "username": "mixed",
            "email": "mixed@example.com",
            "partner": world.other.partner.pk,
            "roles": ["sales_agent"],
            "security_groups": [world.own.group.pk],
        },
    )
    assert response.status_code == 302  # refused by the service: back to the form with the message
    assert not User.objects.filter(username="mixed").exists()


def test_operator_adds_a_user_without_partner_with_a_password(operator_client, world):
    before = AuditRecord.objects.count()
    response = operator_client.post(
        admin_url(User, "add"),
        {
            "username": "second-operator",
            "email": "op2@example.com",
            "password1": "Str0ng-passphrase!",
            "password2": "Str0ng-passphrase!",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="second-operator")
    assert user.partner_id is None and user.check_password("Str0ng-passphrase!")
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert "password" not in record.resource_new_value


def test_operator_edits_a_partner_user_in_one_audit_record(operator_client, world):
    agent = world.own.agent
    before = AuditRecord.objects.count()
    response = operator_client.post(
        admin_url(agent, "change"),
        {
            "username": "contoso-agent",
            "first_name": "Ana",
            "last_name": "",
            "email": "ana@example.com",
            "roles": ["sales_agent", "helpdesk_agent"],
            "security_groups": [world.own.group.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.first_name, agent.email) == ("Ana", "ana@example.com")
    assert roles_of(agent) == {"sales_agent", "helpdesk_agent"}
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert record.resource_old_value["account"]["email"] == "contoso-agent@example.com"
    assert record.resource_new_value["account"]["email"] == "ana@example.com"
    assert record.resource_new_value["roles"] == ["helpdesk_agent", "sales_agent"]


def test_operator_sets_a_password_audited(operator_client, world):
    agent = world.own.agent
    before = AuditRecord.objects.count()
    response = operator_client.post(
        f"/admin/accounts/user/{agent.pk}/password/",
        {"password1": "An0ther-passphrase!", "password2": "An0ther-passphrase!", "set_usable_password": "true"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("An0ther-passphrase!")
    assert AuditRecord.objects.count() == before + 1
