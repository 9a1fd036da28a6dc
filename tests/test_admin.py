"""The Django admin: every model registered; partner global admins scoped to their own partner (issue 4 item 5)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import AuditRecord
from catalog.models import Offer, UpgradePath
from partners.models import Partner, PartnerRoleAssignment, SecurityGroup
from partners.services import PARTNER_ADMIN_GROUP_NAME, partner_admin_group_ensure, partner_user_sync_admin_access
from tests import factories

pytestmark = pytest.mark.django_db


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def listed(client, model):
    response = client.get(changelist(model))
    assert response.status_code == 200
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


@pytest.fixture
def world(partner, other_partner):
    """Two partners, each with a customer, a subscription, a user, a group and an audit record."""
    data = {}
    for key, owner in (("own", partner), ("other", other_partner)):
        customer = factories.CustomerFactory(company_name=f"{key} customer")
        relationship = factories.RelationshipFactory(partner=owner, customer=customer)
        subscription = factories.SubscriptionFactory(customer=customer, partner=owner)
        data[key] = {
            "partner": owner,
            "customer": customer,
            "relationship": relationship,
            "subscription": subscription,
            "assignment": factories.LicenseAssignmentFactory(subscription=subscription),
            "user": factories.PartnerUserFactory(partner=owner),
            "group": factories.SecurityGroupFactory(partner=owner, name="Admin Agents"),
            "dap": factories.DapGrantFactory(partner=owner, customer=customer),
            "gdap": factories.GdapRelationshipFactory(partner=owner, customer=customer),
            "audit": AuditRecord.objects.create(
                partner=owner, customer=customer, resource_type="subscription", operation_type="update_subscription"
            ),
        }
    data["unrelated_customer"] = factories.CustomerFactory(company_name="nobody's customer")
    return data


@pytest.fixture
def global_admin(partner):
    user = factories.PartnerUserFactory(partner=partner, username="gina", roles=["global_admin"])
    partner_user_sync_admin_access(user)
    user.refresh_from_db()
    return user


@pytest.fixture
def admin_client(client, global_admin):
    client.force_login(global_admin)
    return client


@pytest.fixture
def operator_client(client):
    client.force_login(factories.UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


# --- access ------------------------------------------------------------------------------------------------


def test_sync_gives_global_admins_staff_and_the_group(global_admin):
    assert global_admin.is_staff
    assert global_admin.groups.filter(name=PARTNER_ADMIN_GROUP_NAME).exists()
    assert global_admin.has_perm("customers.view_customer")
    assert global_admin.has_perm("catalog.view_offer") and not global_admin.has_perm("catalog.change_offer")


def test_sync_takes_access_away_when_the_role_goes(global_admin):
    global_admin.partner_roles.filter(role="global_admin").delete()
    assert partner_user_sync_admin_access(global_admin) is False
    global_admin.refresh_from_db()
    assert not global_admin.is_staff
    assert not global_admin.groups.filter(name=PARTNER_ADMIN_GROUP_NAME).exists()


def test_sync_leaves_other_partner_roles_without_admin(partner):
    agent = factories.PartnerUserFactory(partner=partner, roles=["sales_agent", "user_management_admin"])
    assert partner_user_sync_admin_access(agent) is False
    agent.refresh_from_db()
    assert not agent.is_staff


def test_sync_keeps_operators_staff():
    operator = factories.UserFactory(is_superuser=True, is_staff=True)
    partner_user_sync_admin_access(operator)
    operator.refresh_from_db()
    assert operator.is_staff


def test_partner_admin_group_is_created_idempotently():
    first = partner_admin_group_ensure()
    count = first.permissions.count()
    second = partner_admin_group_ensure()
    assert first.pk == second.pk
    assert Group.objects.filter(name=PARTNER_ADMIN_GROUP_NAME).count() == 1
    assert second.permissions.count() == count > 0


def test_non_staff_user_cannot_enter_the_admin(client, sales_agent):
    client.force_login(sales_agent)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(changelist(Partner)).status_code == 302


def test_staff_without_partner_role_sees_nothing(client, partner, world):
    staff = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"], is_staff=True)
    staff.groups.add(partner_admin_group_ensure())
    client.force_login(staff)
    assert client.get(changelist(Partner)).status_code == 403
    assert client.get(reverse("admin:index")).context["app_list"] == []


# --- scoping for a partner global admin ----------------------------------------------------------------


@pytest.mark.parametrize(
    "key, model_path",
    [
        ("customer", "customers.Customer"),
        ("relationship", "customers.ResellerRelationship"),
        ("subscription", "subscriptions.Subscription"),
        ("assignment", "subscriptions.LicenseAssignment"),
        ("group", "partners.SecurityGroup"),
        ("dap", "delegation.DapGrant"),
        ("gdap", "delegation.GdapRelationship"),
        ("audit", "audit.AuditRecord"),
        ("partner", "partners.Partner"),
    ],
)
def test_partner_admin_changelists_show_only_their_partner(admin_client, world, key, model_path):
    from django.apps import apps

    model = apps.get_model(model_path)
    assert listed(admin_client, model) == {world["own"][key].pk}


def test_partner_admin_sees_only_their_partners_users(admin_client, world, global_admin):
    from accounts.models import User

    factories.UserFactory(partner=world["own"]["partner"], is_superuser=True, is_staff=True)
    assert listed(admin_client, User) == {world["own"]["user"].pk, global_admin.pk}


@pytest.mark.parametrize("key", ["customer", "subscription", "user", "group", "audit", "gdap", "partner"])
def test_partner_admin_cannot_open_another_partners_object(admin_client, world, key):
    response = admin_client.get(change_url(world["other"][key]))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    assert admin_client.get(change_url(world["own"][key])).status_code == 200


def test_partner_admin_cannot_open_a_customer_without_relationship(admin_client, world):
    assert admin_client.get(change_url(world["unrelated_customer"])).status_code in (302, 404)


def test_partner_admin_choices_are_limited_to_their_partner(admin_client, world, partner, global_admin):
    form = admin_client.get(add_url(SecurityGroup)).context["adminform"].form
    assert "partner" not in form.fields  # always their own partner (issue 8: through the group service)
    assert set(form.fields["members"].queryset) == {world["own"]["user"], global_admin}
    # Consent is the customer's: a partner global admin views DAP grants, never adds one (issue 8).
    assert admin_client.get(add_url(factories.DapGrantFactory._meta.model)).status_code == 403
    form = admin_client.get(add_url(factories.GdapRelationshipFactory._meta.model)).context["adminform"].form
    assert set(form.fields["customer"].queryset) == {world["own"]["customer"]}


def test_partner_admin_cannot_create_for_another_partner(admin_client, world, partner, other_partner):
    response = admin_client.post(add_url(SecurityGroup), {"partner": other_partner.pk, "name": "Sneaky"})
    assert response.status_code == 302
    assert list(SecurityGroup.objects.filter(name="Sneaky").values_list("partner_id", flat=True)) == [partner.pk]


def test_partner_admin_creates_for_their_own_partner(admin_client, partner):
    response = admin_client.post(add_url(SecurityGroup), {"partner": partner.pk, "name": "Helpdesk Agents"})
    assert response.status_code == 302
    assert SecurityGroup.objects.filter(partner=partner, name="Helpdesk Agents").exists()


def test_partner_admin_cannot_grant_platform_powers(admin_client, world):
    form = admin_client.get(change_url(world["own"]["user"])).context["adminform"].form
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert field not in form.fields


def test_partner_admin_cannot_delete_a_shared_customer_or_partner(admin_client, world):
    customer = world["own"]["customer"]
    response = admin_client.post(reverse("admin:customers_customer_delete", args=[customer.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert (
        admin_client.get(reverse("admin:partners_partner_delete", args=[world["own"]["partner"].pk])).status_code == 403
    )


def test_partner_admin_views_the_catalog_read_only(admin_client):
    offer = Offer.objects.get(pk="o365-e3")
    assert admin_client.get(changelist(Offer)).status_code == 200
    response = admin_client.get(change_url(offer))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert admin_client.get(add_url(Offer)).status_code == 403
    assert admin_client.get(add_url(UpgradePath)).status_code == 403
    response = admin_client.post(change_url(offer), {"name": "Hacked"})
    assert response.status_code == 403
    assert Offer.objects.get(pk="o365-e3").name == "Office 365 E3"
    path = UpgradePath.objects.first()
    assert (
        admin_client.post(reverse("admin:catalog_upgradepath_delete", args=[path.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert UpgradePath.objects.filter(pk=path.pk).exists()


def test_partner_admin_role_change_in_admin_syncs_access(admin_client, world):
    user = world["own"]["user"]
    # Role assignments are view only (issue 8): roles change on the user, through partner_user_update.
    assert (
        admin_client.post(add_url(PartnerRoleAssignment), {"user": user.pk, "role": "global_admin"}).status_code == 403
    )
    response = admin_client.post(change_url(user), {"roles": ["global_admin"]})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff


# --- operators ---------------------------------------------------------------------------------------------


def test_operator_sees_every_partner_and_customer(operator_client, world):
    assert listed(operator_client, Partner) == {world["own"]["partner"].pk, world["other"]["partner"].pk}
    customers = listed(operator_client, world["own"]["customer"].__class__)
    assert customers == {world["own"]["customer"].pk, world["other"]["customer"].pk, world["unrelated_customer"].pk}
    assert len(listed(operator_client, AuditRecord)) == 2


def test_operator_edits_the_catalog(operator_client):
    price = Offer.objects.get(pk="o365-e3").prices.get(billing_cycle="monthly")
    response = operator_client.post(
        changelist(price.__class__),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": price.pk,
            "form-0-unit_price": "24.00",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    price.refresh_from_db()
    assert str(price.unit_price) == "24.00"


def test_every_registered_admin_renders_for_an_operator(operator_client, world):
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        response = operator_client.get(changelist(model))
        assert response.status_code == 200, label
        response = operator_client.get(add_url(model))
        request = response.wsgi_request
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert response.status_code == expected, label
