"""Fixtures of the upgrades tests: a partner agent with license-writing GDAP access to a customer."""

import uuid
from datetime import date

import pytest

from accounts.principals import ApplicationPrincipal
from customers.models import TenantUser
from subscriptions.models import LicenseAssignment
from tests import factories

ALL_ROLES = [
    "Directory Readers",
    "Directory Writers",
    "Global Reader",
    "License Administrator",
    "User Administrator",
    "Helpdesk Administrator",
    "Global Administrator",
]


@pytest.fixture
def agent(partner):
    return factories.PartnerUserFactory(
        partner=partner, username="agent", email="agent@contoso-csp.example", roles=["admin_agent"]
    )


def grant_gdap(
    *,
    partner,
    customer,
    user,
    roles=("Directory Writers",),
    status="active",
    relationship_roles=ALL_ROLES,
    **relationship_fields,
):
    """An active GDAP relationship whose access assignment gives ``user``'s group ``roles``."""
    relationship = factories.GdapRelationshipFactory(
        partner=partner, customer=customer, unified_roles=list(relationship_roles), **relationship_fields
    )
    group = factories.SecurityGroupFactory(partner=partner, name=f"Upgraders {relationship.display_name}")
    group.members.add(user)
    factories.AccessAssignmentFactory(relationship=relationship, group=group, unified_roles=list(roles), status=status)
    return relationship


@pytest.fixture
def customer(partner, agent):
    customer = factories.CustomerFactory(company_name="Fabrikam", domain="fabrikam.onmicrosoft.com")
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    return customer


@pytest.fixture
def india_customer(partner, agent):
    customer = factories.CustomerFactory(company_name="Tata Demo", domain="tatademo.onmicrosoft.com", country="IN")
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    return customer


def make_subscription(customer, offer_id="m365-business-basic", *, partner=None, quantity=10, **fields):
    fields.setdefault("term_start_date", date.today().replace(day=1))
    if fields.get("channel", "csp") != "csp":
        fields.setdefault("channel_partner_name", "")
        partner = None
    return factories.SubscriptionFactory(
        customer=customer, offer_id=offer_id, partner=partner, quantity=quantity, **fields
    )


@pytest.fixture
def source(customer, partner):
    return make_subscription(customer, "m365-business-basic", partner=partner, quantity=10)


def add_users(subscription, count, *, disabled=None, prefix="u"):
    """``count`` tenant users with a license of ``subscription`` (bulk: two INSERTs)."""
    tag = uuid.uuid4().hex[:6]
    users = TenantUser.objects.bulk_create(
        [
            TenantUser(
                customer_id=subscription.customer_id,
                object_id=uuid.uuid4(),
                user_principal_name=f"{prefix}{i:05d}.{tag}@{subscription.customer.domain}",
                display_name=f"User {i}",
                email=f"{prefix}{i:05d}.{tag}@example.com",
            )
            for i in range(count)
        ]
    )
    LicenseAssignment.objects.bulk_create(
        [
            LicenseAssignment(user=user, subscription=subscription, disabled_service_plans=list(disabled or []))
            for user in users
        ]
    )
    return users


def app_actor(partner):
    return ApplicationPrincipal(partner=partner, application_id=uuid.uuid4())
