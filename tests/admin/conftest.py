"""A demo-like world for the admin tests (issue 8 item 1): Contoso and Wingtip share the customer Proseware.

- Proseware (TW): a reseller relationship with both partners; DAP on for Wingtip only; an active GDAP relationship
  each. Contoso sold "Microsoft 365 Business Basic" (7 seats), Wingtip "Microsoft 365 Apps for business"
  (5 seats, friendly name "Wingtip Apps Deal"). Tenant users: ana (Contoso license), ben (a Contoso AND a Wingtip
  license), cara (no license).
- Wide World Importers (US): Contoso's only, DAP switched off by the customer, no GDAP: every upgrade option
  carries ``delegated_admin_permissions_disabled``.
- ``contoso-admin`` (global_admin, in Admin Agents: no delegated role on Proseware until a test gives one),
  ``contoso-sales``, ``wingtip-admin``; ``operator`` (superuser).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from partners.models import SecurityGroup
from partners.services import partner_user_sync_admin_access
from tests import factories
from tests.builders import AdminWorld, login


@pytest.fixture
def world(db):
    contoso = factories.PartnerFactory(code="contoso-csp", name="Contoso CSP")
    wingtip = factories.PartnerFactory(code="wingtip-csp", name="Wingtip CSP")
    w = AdminWorld(
        contoso=contoso,
        wingtip=wingtip,
        proseware=factories.CustomerFactory(company_name="Proseware", domain="proseware.onmicrosoft.com", country="TW"),
        wideworld=factories.CustomerFactory(
            company_name="Wide World Importers", domain="wideworldimporters.onmicrosoft.com"
        ),
    )
    w.users["contoso-admin"] = factories.PartnerUserFactory(
        partner=contoso, username="contoso-admin", roles=["global_admin"]
    )
    w.users["contoso-sales"] = factories.PartnerUserFactory(
        partner=contoso, username="contoso-sales", roles=["sales_agent"]
    )
    w.users["wingtip-admin"] = factories.PartnerUserFactory(
        partner=wingtip, username="wingtip-admin", roles=["global_admin"]
    )
    w.users["operator"] = factories.UserFactory(username="operator", is_superuser=True, is_staff=True)
    for name in ("contoso-admin", "wingtip-admin"):
        partner_user_sync_admin_access(w.users[name])
        w.users[name].refresh_from_db()
    w.groups["contoso-admin-agents"] = factories.SecurityGroupFactory(partner=contoso, name=SecurityGroup.ADMIN_AGENTS)
    w.groups["tier2"] = factories.SecurityGroupFactory(partner=contoso, name="Tier 2")
    w.groups["wingtip-admin-agents"] = factories.SecurityGroupFactory(partner=wingtip, name=SecurityGroup.ADMIN_AGENTS)
    w.groups["contoso-admin-agents"].members.add(w.users["contoso-admin"])
    w.groups["tier2"].members.add(w.users["contoso-admin"])
    w.groups["wingtip-admin-agents"].members.add(w.users["wingtip-admin"])

    for partner in (contoso, wingtip):
        factories.RelationshipFactory(partner=partner, customer=w.proseware)
    factories.RelationshipFactory(partner=contoso, customer=w.wideworld)
    w.dap["wingtip"] = factories.DapGrantFactory(partner=wingtip, customer=w.proseware, enabled=True)
    w.dap["wideworld"] = factories.DapGrantFactory(partner=contoso, customer=w.wideworld, enabled=False)
    roles = ["Directory Readers", "Directory Writers", "License Administrator", "User Administrator"]
    w.gdap["contoso"] = factories.GdapRelationshipFactory(
        partner=contoso, customer=w.proseware, display_name="Proseware by Contoso", unified_roles=roles
    )
    w.gdap["wingtip"] = factories.GdapRelationshipFactory(
        partner=wingtip, customer=w.proseware, display_name="Proseware by Wingtip", unified_roles=roles
    )
    w.gdap["pending"] = factories.GdapRelationshipFactory(
        partner=contoso,
        customer=w.wideworld,
        display_name="Wide World request",
        status="approvalPending",
        activated_date_time=None,
        created_date_time=timezone.now() - timedelta(days=2),
    )

    w.subs["contoso"] = factories.SubscriptionFactory(
        customer=w.proseware, partner=contoso, offer_id="m365-business-basic", quantity=7, friendly_name="Contoso Basic"
    )
    w.subs["wingtip"] = factories.SubscriptionFactory(
        customer=w.proseware,
        partner=wingtip,
        offer_id="m365-apps-for-business",
        quantity=5,
        friendly_name="Wingtip Apps Deal",
    )
    w.subs["wideworld"] = factories.SubscriptionFactory(
        customer=w.wideworld, partner=contoso, offer_id="m365-business-basic", quantity=3
    )
    for name in ("ana", "ben", "cara"):
        w.tenant_users[name] = factories.TenantUserFactory(
            customer=w.proseware,
            user_principal_name=f"{name}@proseware.onmicrosoft.com",
            display_name=name.title(),
            email=f"{name}@proseware.example",
        )
    w.licenses["ana-contoso"] = factories.LicenseAssignmentFactory(
        subscription=w.subs["contoso"], user=w.tenant_users["ana"]
    )
    w.licenses["ben-contoso"] = factories.LicenseAssignmentFactory(
        subscription=w.subs["contoso"], user=w.tenant_users["ben"]
    )
    w.licenses["ben-wingtip"] = factories.LicenseAssignmentFactory(
        subscription=w.subs["wingtip"], user=w.tenant_users["ben"]
    )
    return w


@pytest.fixture
def contoso_admin(client, world):
    return login(client, world.users["contoso-admin"])


@pytest.fixture
def operator(world):
    """The operator on a client of its own (a test may hold ``contoso_admin`` beside it)."""
    return login(Client(), world.users["operator"])
