"""guardian grants (direct FK tables) written and removed by the delegation services; scoping selectors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import CustomerGroupObjectPermission, CustomerUserObjectPermission
from customers.selectors import customers_license_transferable_by, customers_manageable_by, customers_visible_to
from delegation import services
from delegation.models import DapGrant
from tests import factories
from tests.builders import active_gdap


def perms(user, customer):
    user = type(user).objects.get(pk=user.pk)  # fresh: guardian caches per instance
    return {
        p
        for p in ("view_customer", "manage_customer", "transfer_licenses")
        if user.has_perm(f"customers.{p}", customer)
    }


def test_direct_fk_models_are_the_ones_guardian_uses(world):
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    assert get_group_obj_perms_model(world.own) is CustomerGroupObjectPermission
    assert get_user_obj_perms_model(world.own) is CustomerUserObjectPermission


def test_reseller_relationship_gives_every_partner_user_view_only(world):
    for role, user in world.users.items():
        assert list(customers_visible_to(user)) == [world.own], role
        assert perms(user, world.foreign) == set()
    assert perms(world.users["billing_admin"], world.own) == {"view_customer"}


def test_customer_admins_see_only_their_tenant(world):
    for user in world.customer_admins.values():
        assert list(customers_visible_to(user)) == [world.own]
        assert list(customers_manageable_by(user)) == []
    assert list(customers_visible_to(world.foreign_admin)) == [world.foreign]


def test_dap_on_gives_admin_agents_global_admin_and_helpdesk_agents_helpdesk(world):
    dap = factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=True)
    assert perms(world.users["admin_agent"], world.own) == {"view_customer", "manage_customer", "transfer_licenses"}
    assert perms(world.users["helpdesk_agent"], world.own) == {"view_customer", "manage_customer"}
    assert perms(world.users["sales_agent"], world.own) == {"view_customer"}
    assert list(customers_manageable_by(world.users["helpdesk_agent"])) == [world.own]
    assert list(customers_license_transferable_by(world.users["helpdesk_agent"])) == []
    # The other partner's users get nothing from our DAP.
    assert list(customers_manageable_by(world.other_users["admin_agent"])) == []

    services.dap_set(
        actor=world.customer_admins["global_administrator"], partner=world.partner, customer=world.own, enabled=False
    )
    dap.refresh_from_db()
    assert dap.enabled is False
    assert perms(world.users["admin_agent"], world.own) == {"view_customer"}  # reseller relationship stays
    assert list(customers_visible_to(world.users["admin_agent"])) == [world.own]
    assert list(customers_manageable_by(world.users["admin_agent"])) == []


def test_dap_off_only_by_the_customers_global_admin_and_never_back_on(world):
    from core.errors import Forbidden

    factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=True)
    for actor in (world.users["global_admin"], world.customer_admins["user_administrator"], world.foreign_admin):
        with pytest.raises(Forbidden):
            services.dap_set(actor=actor, partner=world.partner, customer=world.own, enabled=False)
    ga = world.customer_admins["global_administrator"]
    services.dap_set(actor=ga, partner=world.partner, customer=world.own, enabled=False)
    with pytest.raises(Forbidden):
        services.dap_set(actor=ga, partner=world.partner, customer=world.own, enabled=True)
    assert DapGrant.objects.get().enabled is False


@pytest.mark.parametrize(
    "status,end_offset,expected",
    [
        ("active", timedelta(days=100), True),
        ("expiring", timedelta(days=5), True),
        ("active", -timedelta(minutes=1), False),  # past endDateTime: no access even before the sweep runs
        ("expired", -timedelta(days=1), False),
        ("terminated", timedelta(days=100), False),
        ("terminationRequested", timedelta(days=100), False),
        ("approvalPending", None, False),
    ],
)
def test_gdap_status_decides_the_grant(world, status, end_offset, expected):
    now = timezone.now()
    relationship = factories.GdapRelationshipFactory(
        partner=world.partner,
        customer=world.own,
        status=status,
        unified_roles=["Directory Writers"],
        activated_date_time=None if end_offset is None else now - timedelta(days=30),
    )
    relationship.end_date_time = None if end_offset is None else now + end_offset
    relationship.save()
    factories.AccessAssignmentFactory(
        relationship=relationship, group=world.gdap_group, unified_roles=["Directory Writers"]
    )
    services.grants_resync(partner=world.partner, now=now)
    sales = world.users["sales_agent"]
    assert (world.own in customers_manageable_by(sales)) is expected
    assert (world.own in customers_license_transferable_by(sales)) is expected


def test_reader_roles_manage_but_do_not_transfer_licenses(world):
    active_gdap(
        world.partner,
        world.own,
        roles=["Directory Readers", "Directory Writers"],
        group=world.gdap_group,
        assignment_roles=["Directory Readers"],
    )
    sales = world.users["sales_agent"]
    assert perms(sales, world.own) == {"view_customer", "manage_customer"}


def test_services_write_and_remove_grants_for_the_whole_lifecycle(world):
    agent, ga = world.users["admin_agent"], world.customer_admins["global_administrator"]
    sales = world.users["sales_agent"]
    relationship = services.relationship_request_create(
        actor=agent, customer=world.own, display_name="Tier 1 support", unified_roles=["Directory Writers"]
    )
    assert list(customers_manageable_by(sales)) == []  # not approved yet
    services.relationship_approve(actor=ga, relationship_id=relationship.pk)
    assert list(customers_manageable_by(sales)) == []  # approved, but no group assigned
    assignment = services.access_assignment_create(
        actor=agent, relationship_id=relationship.pk, group=world.gdap_group, unified_roles=["Directory Writers"]
    )
    rows = CustomerGroupObjectPermission.objects.filter(
        content_object=world.own, group__name__contains=f"sg:{world.gdap_group.pk}"
    )
    assert sorted(rows.values_list("permission__codename", flat=True)) == ["manage_customer", "transfer_licenses"]
    assert list(customers_license_transferable_by(sales)) == [world.own]
    services.access_assignment_delete(actor=agent, assignment_id=assignment.pk)
    assert not rows.exists()
    services.access_assignment_create(
        actor=agent, relationship_id=relationship.pk, group=world.gdap_group, unified_roles=["Directory Writers"]
    )
    assert rows.count() == 2
    services.relationship_termination_request(actor=agent, relationship_id=relationship.pk)
    assert not rows.exists()
    assert list(customers_visible_to(sales)) == [world.own]  # the reseller relationship is untouched


def test_one_row_per_group_permission_customer_never_per_subscription(world):
    factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=True)
    for _ in range(5):
        factories.SubscriptionFactory(customer=world.own, partner=world.partner)
    before = CustomerGroupObjectPermission.objects.count()
    services.grants_resync()
    assert CustomerGroupObjectPermission.objects.count() == before
    # users group: view; Admin Agents: manage + transfer; Helpdesk Agents: manage; other partner's view.
    assert before == 1 + 2 + 1 + 1


def test_grants_resync_repairs_bulk_writes_and_removes_stale_rows(world):
    from customers.models import ResellerRelationship

    ResellerRelationship.objects.bulk_create([ResellerRelationship(partner=world.partner, customer=world.orphan)])
    user = world.users["sales_agent"]
    assert world.orphan not in customers_visible_to(user)  # bulk_create bypasses the signals
    result = services.grants_resync(partner=world.partner)
    assert result["group_grants_created"] == 1
    assert world.orphan in customers_visible_to(user)
    ResellerRelationship.objects.filter(customer=world.orphan).update(relationship="none")
    services.grants_resync(customer=world.orphan)
    assert world.orphan not in customers_visible_to(user)
    assert services.grants_resync() == {
        "group_grants_created": 0,
        "group_grants_deleted": 0,
        "user_grants_created": 0,
        "user_grants_deleted": 0,
    }


def test_group_membership_follows_security_group_and_partner(world):
    factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=True)
    sales = world.users["sales_agent"]
    world.admin_agents.members.add(sales)
    assert world.own in customers_manageable_by(sales)
    world.admin_agents.members.remove(sales)
    assert world.own not in customers_manageable_by(sales)
    sales.security_groups.add(world.admin_agents)  # the reverse side too
    assert world.own in customers_manageable_by(sales)
    world.admin_agents.members.clear()
    assert world.own not in customers_manageable_by(sales)
    assert world.own not in customers_manageable_by(world.users["admin_agent"])


def test_inactive_users_and_anonymous_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    user = world.users["global_admin"]
    user.is_active = False
    user.save()
    assert list(customers_visible_to(user)) == []
    assert list(customers_visible_to(AnonymousUser())) == []
    assert list(customers_manageable_by(None)) == []


def test_application_principal_sees_partner_scope(world):
    from accounts.principals import ApplicationPrincipal

    factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=True)
    app = ApplicationPrincipal(partner=world.partner, application_id="00000000-0000-0000-0000-000000000001")
    assert list(customers_visible_to(app)) == [world.own]
    assert list(customers_manageable_by(app)) == [world.own]


def test_superuser_sees_everything(world):
    root = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    assert customers_visible_to(root).count() == 3
    assert customers_manageable_by(root).count() == 3
