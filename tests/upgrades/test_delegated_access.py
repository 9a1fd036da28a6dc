"""``delegation.selectors``: active relationship and the user's roles per customer, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from delegation.selectors import delegated_access, delegated_access_for
from tests import factories
from tests.builders import app_actor, grant_gdap

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(partner):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


def test_no_relationship(partner, agent, tenant):
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent)
    assert not access.has_active_relationship and not access.can_transfer_licenses and access.roles == frozenset()


@pytest.mark.parametrize(
    "status,days_left,active",
    [
        ("active", 30, True),
        ("expiring", 3, True),
        ("active", -1, False),
        ("expired", 30, False),
        ("approvalPending", 30, False),
        ("terminated", 30, False),
    ],
)
def test_gdap_status_and_end_date(status, days_left, active, partner, agent, tenant):
    grant_gdap(partner=partner, customer=tenant, user=agent, status="active", roles=["License Administrator"])
    from delegation.models import GdapRelationship

    GdapRelationship.objects.filter(customer=tenant).update(
        status=status, end_date_time=timezone.now() + timedelta(days=days_left)
    )
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent)
    assert access.has_active_relationship is active
    assert access.can_transfer_licenses is active


@pytest.mark.parametrize("assignment_status", ["pending", "deleting", "deleted", "error"])
def test_only_active_assignments_give_roles(assignment_status, partner, agent, tenant):
    grant_gdap(partner=partner, customer=tenant, user=agent, status=assignment_status)
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent)
    assert access.has_active_relationship and access.roles == frozenset()
    assert not access.can_transfer_licenses


def test_reader_roles_do_not_allow_license_transfer(partner, agent, tenant):
    grant_gdap(partner=partner, customer=tenant, user=agent, roles=["Directory Readers", "Global Reader"])
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent)
    assert access.roles == {"Directory Readers", "Global Reader"} and not access.can_transfer_licenses


@pytest.mark.parametrize(
    "role", ["Directory Writers", "License Administrator", "User Administrator", "Global Administrator"]
)
def test_each_license_writing_role(role, partner, agent, tenant):
    grant_gdap(partner=partner, customer=tenant, user=agent, roles=[role])
    assert delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent).can_transfer_licenses


def test_assignment_roles_are_capped_by_the_relationship(partner, agent, tenant):
    grant_gdap(
        partner=partner,
        customer=tenant,
        user=agent,
        roles=["Global Administrator"],
        relationship_roles=["Directory Readers"],
    )
    assert not delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent).can_transfer_licenses


def test_user_outside_the_group_has_no_roles(partner, agent, tenant):
    grant_gdap(partner=partner, customer=tenant, user=agent)
    colleague = factories.PartnerUserFactory(partner=partner)
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=colleague)
    assert access.has_active_relationship and access.roles == frozenset()


def test_dap_groups(partner, agent, tenant):
    factories.DapGrantFactory(partner=partner, customer=tenant, enabled=True)
    helpdesk = factories.PartnerUserFactory(partner=partner)
    factories.SecurityGroupFactory(partner=partner, name="Admin Agents").members.add(agent)
    factories.SecurityGroupFactory(partner=partner, name="Helpdesk Agents").members.add(helpdesk)
    admin_access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent)
    helpdesk_access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=helpdesk)
    assert admin_access.roles == {"Global Administrator"} and admin_access.can_transfer_licenses
    assert helpdesk_access.roles == {"Helpdesk Administrator"} and not helpdesk_access.can_transfer_licenses


def test_dap_switched_off(partner, agent, tenant):
    factories.DapGrantFactory(partner=partner, customer=tenant, enabled=False)
    factories.SecurityGroupFactory(partner=partner, name="Admin Agents").members.add(agent)
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent)
    assert not access.has_active_relationship and access.roles == frozenset()


def test_other_partners_relationship_does_not_count(partner, other_partner, agent, tenant):
    intruder = factories.PartnerUserFactory(partner=other_partner)
    grant_gdap(partner=other_partner, customer=tenant, user=intruder)
    assert not delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=agent).has_active_relationship


def test_application_has_the_relationship_but_no_roles(partner, agent, tenant):
    grant_gdap(partner=partner, customer=tenant, user=agent)
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=app_actor(partner))
    assert access.has_active_relationship and access.roles == frozenset()


def test_superuser_holds_the_partners_roles(partner, agent, tenant):
    grant_gdap(
        partner=partner,
        customer=tenant,
        user=agent,
        roles=["Directory Readers"],
        relationship_roles=["Directory Readers", "User Administrator"],
    )
    operator = factories.UserFactory(is_superuser=True)
    access = delegated_access(partner_id=partner.pk, customer_id=tenant.pk, user=operator)
    assert access.roles == {"Directory Readers", "User Administrator"} and access.can_transfer_licenses


@pytest.mark.parametrize("count", [3, 30])
def test_query_count_is_flat_for_many_customers(count, partner, agent):
    customers = factories.CustomerFactory.create_batch(count)
    factories.SecurityGroupFactory(partner=partner, name="Admin Agents").members.add(agent)
    for index, customer in enumerate(customers):
        if index % 2:
            factories.DapGrantFactory(partner=partner, customer=customer)
        else:
            grant_gdap(partner=partner, customer=customer, user=agent)
    with CaptureQueriesContext(connection) as queries:
        access = delegated_access_for(partner_id=partner.pk, customer_ids=[c.pk for c in customers], user=agent)
    assert len(queries) == 4
    assert all(a.can_transfer_licenses for a in access.values()) and len(access) == count
