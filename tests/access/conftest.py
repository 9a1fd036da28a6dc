"""A small world for access-control tests: one partner with a user per role and its groups, another partner,
and three customers: our own (reseller), another partner's, and one without any relationship."""

from dataclasses import dataclass, field

import pytest

from partners.models import PartnerRole, SecurityGroup
from tests import factories

ROLES = [r.value for r in PartnerRole]


@dataclass
class World:
    partner: object
    other_partner: object
    users: dict = field(default_factory=dict)  # partner role → user of ``partner``
    other_users: dict = field(default_factory=dict)  # partner role → user of ``other_partner``
    own: object = None  # customer with a reseller relationship to ``partner``
    foreign: object = None  # customer of ``other_partner`` only
    orphan: object = None  # customer with no relationship at all
    admin_agents: object = None
    helpdesk_agents: object = None
    gdap_group: object = None
    customer_admins: dict = field(default_factory=dict)  # customer admin role → user (admin of ``own``)
    foreign_admin: object = None  # global administrator of ``foreign``


@pytest.fixture
def world(db):
    partner = factories.PartnerFactory(code="contoso-csp", name="Contoso CSP")
    other = factories.PartnerFactory(code="wingtip-csp", name="Wingtip CSP")
    w = World(partner=partner, other_partner=other)
    for role in ROLES:
        w.users[role] = factories.PartnerUserFactory(partner=partner, username=f"p-{role}", roles=[role])
        w.other_users[role] = factories.PartnerUserFactory(partner=other, username=f"o-{role}", roles=[role])
    w.own = factories.CustomerFactory(company_name="Own Co")
    w.foreign = factories.CustomerFactory(company_name="Foreign Co")
    w.orphan = factories.CustomerFactory(company_name="Orphan Co")
    factories.RelationshipFactory(partner=partner, customer=w.own)
    factories.RelationshipFactory(partner=other, customer=w.foreign)
    w.admin_agents = factories.SecurityGroupFactory(partner=partner, name=SecurityGroup.ADMIN_AGENTS)
    w.helpdesk_agents = factories.SecurityGroupFactory(partner=partner, name=SecurityGroup.HELPDESK_AGENTS)
    w.gdap_group = factories.SecurityGroupFactory(partner=partner, name="Tier 1")
    w.admin_agents.members.add(w.users["admin_agent"], w.users["global_admin"])
    w.helpdesk_agents.members.add(w.users["helpdesk_agent"])
    w.gdap_group.members.add(w.users["sales_agent"])
    for role in ("global_administrator", "billing_administrator", "user_administrator", "license_administrator"):
        admin = factories.UserFactory(username=f"c-{role}")
        factories.CustomerAdminRoleFactory(user=admin, customer=w.own, role=role)
        w.customer_admins[role] = admin
    w.foreign_admin = factories.UserFactory(username="c-foreign-ga")
    factories.CustomerAdminRoleFactory(user=w.foreign_admin, customer=w.foreign, role="global_administrator")
    return w
