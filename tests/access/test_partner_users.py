"""Partner user management: global admins and user management admins, own partner only."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, User
from audit.models import AuditRecord
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from partners import user_services


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "role,status",
    [
        ("global_admin", 200),
        ("user_management_admin", 200),
        ("admin_agent", 403),
        ("sales_agent", 403),
        ("helpdesk_agent", 403),
        ("billing_admin", 403),
    ],
)
def test_who_manages_users(world, role, status):
    assert client_for(world.users[role]).get(reverse("partners:user_list")).status_code == status


def test_customer_admin_cannot_manage_partner_users(world):
    assert (
        client_for(world.customer_admins["global_administrator"]).get(reverse("partners:user_list")).status_code == 403
    )


def test_invite_sends_a_set_password_link_that_works(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = client_for(world.users["user_management_admin"])
    response = admin.post(
        reverse("partners:user_invite"),
        {
            "username": "newbie",
            "email": "newbie@contoso.example",
            "roles": ["sales_agent"],
            "groups": [world.gdap_group.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.partner == world.partner and not user.has_usable_password()
    assert set(user.role_codes) == {"sales_agent"} and list(user.security_groups.all()) == [world.gdap_group]
    link = next(word for word in mail.outbox[0].body.split() if "/partner/users/set-password/" in word)
    path = link[link.index("/partner/users/") :]
    anonymous = Client()
    form_page = anonymous.get(path, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = anonymous.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"new_password1": "Str0ng-and-l0ng-pass", "new_password2": "Str0ng-and-l0ng-pass"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Str0ng-and-l0ng-pass")
    assert AuditRecord.objects.filter(operation_type="update_partner_user").exists()


def test_weak_password_is_refused(world):
    user, path = user_services.partner_user_invite(
        actor=world.users["global_admin"], username="weak", email="weak@contoso.example", roles=["sales_agent"]
    )
    client = Client()
    page = client.get(path, follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_only_global_admins_grant_global_admin(world):
    uma = world.users["user_management_admin"]
    with pytest.raises(Forbidden):
        user_services.partner_user_invite(actor=uma, username="boss", email="b@x.example", roles=["global_admin"])
    with pytest.raises(Forbidden):
        user_services.partner_user_update(actor=uma, user_id=world.users["global_admin"].pk, roles=["sales_agent"])
    user_services.partner_user_update(
        actor=world.users["global_admin"], user_id=world.users["sales_agent"].pk, roles=["sales_agent", "global_admin"]
    )
    assert "global_admin" in User.objects.get(pk=world.users["sales_agent"].pk).role_codes


def test_set_roles_and_groups_and_sync_admin_access(world):
    target = world.users["sales_agent"]
    user_services.partner_user_update(
        actor=world.users["global_admin"], user_id=target.pk, roles=["global_admin"], group_ids=[world.admin_agents.pk]
    )
    target.refresh_from_db()
    assert target.is_staff  # partners.services.partner_user_sync_admin_access ran
    assert list(target.security_groups.all()) == [world.admin_agents]
    user_services.partner_user_update(actor=world.users["global_admin"], user_id=target.pk, roles=["sales_agent"])
    target.refresh_from_db()
    assert not target.is_staff


def test_validation_names_the_field(world):
    ga = world.users["global_admin"]
    with pytest.raises(InvalidInput) as info:
        user_services.partner_user_invite(
            actor=ga, username="p-sales_agent", email="x@x.example", roles=["sales_agent"]
        )
    assert info.value.field == "username"
    with pytest.raises(InvalidInput) as info:
        user_services.partner_user_invite(actor=ga, username="u2", email="nope", roles=["sales_agent"])
    assert info.value.field == "email"
    with pytest.raises(InvalidInput) as info:
        user_services.partner_user_update(actor=ga, user_id=world.users["sales_agent"].pk, roles=["emperor"])
    assert info.value.field == "roles"
    from partners.models import SecurityGroup

    theirs = SecurityGroup.objects.create(partner=world.other_partner, name="Theirs")
    with pytest.raises(InvalidInput) as info:
        user_services.partner_user_update(
            actor=ga, user_id=world.users["sales_agent"].pk, roles=["sales_agent"], group_ids=[theirs.pk]
        )
    assert info.value.field == "groups"


def test_deactivate_never_deletes_and_revokes_tokens(world):
    target = world.users["sales_agent"]
    ApiToken.issue(user=target)
    response = client_for(world.users["global_admin"]).post(reverse("partners:user_deactivate", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active is False and User.objects.filter(pk=target.pk).exists()
    assert not ApiToken.objects.filter(user=target, revoked=False).exists()


def test_other_partners_users_are_not_found(world):
    other = world.other_users["sales_agent"]
    admin = client_for(world.users["global_admin"])
    assert admin.get(reverse("partners:user_detail", args=[other.pk])).status_code == 404
    assert admin.post(reverse("partners:user_deactivate", args=[other.pk])).status_code == 404
    with pytest.raises(NotFound):
        user_services.partner_user_deactivate(actor=world.users["global_admin"], user_id=other.pk)
    other.refresh_from_db()
    assert other.is_active


def test_no_self_deactivation_and_keep_a_global_admin(world):
    ga = world.users["global_admin"]
    with pytest.raises(InvalidInput):
        user_services.partner_user_deactivate(actor=ga, user_id=ga.pk)
    with pytest.raises(Conflict):
        user_services.partner_user_update(actor=ga, user_id=ga.pk, roles=["sales_agent"])
