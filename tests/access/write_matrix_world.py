"""The world of the write matrix (``test_write_matrix.py``): two partners, five customers, every actor, and the
per-scope objects a write URL or an admin page names; plus the snapshot that proves a cell changed nothing
outside its scope.

Partners: Contoso (the acting partner: one user per partner role, an application token) and Wingtip (the other
partner). Customers, seen from Contoso:

- ``own``: Contoso's reseller customer (Contoso's DAP, an active GDAP with an assignment, a pending GDAP, two CSP
  subscriptions of Contoso with licensed tenant users);
- ``foreign``: Wingtip's reseller customer (Wingtip's DAP, GDAP, subscription);
- ``shared``: both partners are resellers; Contoso has a subscription there, and Wingtip has its own subscription
  (with a licensed user), DAP, an active and a pending GDAP. Objects named in the ``shared`` scope are WINGTIP's;
- ``orphan``: no relationship with anybody (a volume-licensing subscription only);
- ``direct``: bought directly from Microsoft (an Office 365 E4 and an Office 365 E3 by credit card, licensed users).

The customer admin actors (one user per customer admin role) administer ``own`` and ``direct``. The operator is
a superuser without a partner. Ids of objects a scope does not have are ids that exist nowhere.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db import connection

from accounts.models import ApiToken, User
from audit.models import AuditRecord
from bulk.models import UpgradeBatch, UpgradeBatchItem
from customers.models import Customer, CustomerAdminRole, ResellerRelationship, TenantUser
from delegation.models import DapGrant, GdapAccessAssignment, GdapRelationship
from direct.models import DirectOrder
from notifications.models import Notification
from partners.models import Partner, PartnerRole, PartnerRoleAssignment, SecurityGroup
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import active_gdap
from upgrades.models import BillingEntry, UpgradeOperation
from webhooks.models import Delivery, Event, Registration

PARTNER_ROLES = [r.value for r in PartnerRole]
CUSTOMER_ROLES = ["global_administrator", "billing_administrator", "user_administrator", "license_administrator"]
ACTORS = (
    ["anonymous"]
    + [f"partner:{r}" for r in PARTNER_ROLES]
    + [f"customer:{r}" for r in CUSTOMER_ROLES]
    + ["app", "operator"]
)
SCOPES = ("own", "foreign", "shared", "orphan", "direct")
MISSING_UUID = uuid.UUID("00000000-0000-4000-8000-00000000dead")
MISSING_INT = 999_999


@dataclass
class ScopeObjects:
    """What a URL or a body of the scope names (``None``: a missing id is used)."""

    customer: Customer
    subscription: Subscription  # the subscription to write to (Wingtip's on ``shared``)
    second: Subscription | None = None  # a second subscription of the same owner (license-move target)
    relationship: GdapRelationship | None = None  # an active GDAP
    pending: GdapRelationship | None = None  # a GDAP waiting for the customer's approval
    assignment: GdapAccessAssignment | None = None
    free_group: SecurityGroup | None = None  # a group of the relationship's partner without an assignment
    dap: DapGrant | None = None
    partner_user: User | None = None  # an active user of the scope's partner
    inactive_user: User | None = None  # a deactivated user of the scope's partner
    batch: UpgradeBatch | None = None  # a pending batch of the scope's partner
    waiting_batch: UpgradeBatch | None = None  # a batch of the scope's partner awaiting approval (its sales agent's)
    waiting_customer: Customer | None = None  # the customer of ``waiting_upgrade`` (its open upgrade blocks others)
    waiting_source: Subscription | None = None  # the source of ``waiting_upgrade``
    waiting_upgrade: UpgradeOperation | None = None  # an upgrade awaiting approval (its sales agent's)
    notification: Notification | None = None
    tenant_user: TenantUser | None = None
    license: LicenseAssignment | None = None
    owner: str = "contoso"  # the snapshot group that owns the scope's objects


@dataclass
class WriteWorld:
    contoso: Partner
    wingtip: Partner
    users: dict = field(default_factory=dict)  # actor → User (partner and customer actors, operator)
    app_token: str = ""
    tokens: dict = field(default_factory=dict)  # actor → raw Bearer token
    scopes: dict = field(default_factory=dict)  # scope → ScopeObjects
    api_tokens: dict = field(default_factory=dict)  # scope → an application token row of the scope's partner

    def customer_of(self, scope: str) -> Customer:
        return self.scopes[scope].customer


def _licensed(subscription, count=2):
    users = factories.TenantUserFactory.create_batch(count, customer=subscription.customer)
    for user in users:
        LicenseAssignment.objects.create(user=user, subscription=subscription)
    return users


def _direct(customer, offer_id, **fields):
    values = {
        "quantity": 10,
        "channel": "direct",
        "partner": None,
        "channel_partner_name": "",
        "payment_method": "credit_card",
        "billing_cycle": "monthly",
        "term_start_date": date(2026, 1, 1),
        "commitment_end_date": date(2026, 12, 31),
        **fields,
    }
    return factories.SubscriptionFactory(customer=customer, offer_id=offer_id, **values)


def _pending_batch(partner, user, subscription):
    batch = UpgradeBatch.objects.create(partner=partner, created_by_user=user, status="queued", total_items=1)
    UpgradeBatchItem.objects.create(
        batch=batch,
        position=0,
        customer_tenant_id=subscription.customer.tenant_id,
        subscription_id=subscription.pk,
        target_offer_id="o365-e3",
        status="pending",
    )
    return batch


def _waiting_batch(partner, user, subscription):
    batch = _pending_batch(partner, user, subscription)
    UpgradeBatch.objects.filter(pk=batch.pk).update(
        status="awaiting_approval",
        approval_required=["items"],
        approval_size={"items": 1, "seats": subscription.quantity, "monthlyValue": "0.00"},
    )
    batch.refresh_from_db()
    return batch


def _waiting_upgrade(partner, user) -> tuple[Customer, Subscription, UpgradeOperation]:
    """On a customer of its own: an open upgrade blocks every other upgrade of its customer."""
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    source = factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="m365-business-basic")
    operation = UpgradeOperation.objects.create(
        source=source,
        target_offer_id="o365-e3",
        customer=customer,
        partner=partner,
        actor_user=user,
        actor_upn=user.username,
        upgrade_type="upgrade_only",
        quantity=source.quantity,
        billing_cycle="monthly",
        status="awaiting_approval",
        approval_required=["seats"],
        approval_size={"items": 1, "seats": source.quantity, "monthlyValue": "0.00"},
    )
    return customer, source, operation


def _with_waiting(objects: ScopeObjects, partner, user) -> ScopeObjects:
    objects.waiting_batch = _waiting_batch(partner, user, objects.subscription)
    objects.waiting_customer, objects.waiting_source, objects.waiting_upgrade = _waiting_upgrade(partner, user)
    return objects


def build_write_world(world) -> WriteWorld:
    """Extend the access tests' ``world`` (Contoso = ``world.partner``, Wingtip = ``world.other_partner``)."""
    from partners.services import partner_user_sync_admin_access

    w = world
    ww = WriteWorld(contoso=w.partner, wingtip=w.other_partner)
    shared = factories.CustomerFactory(company_name="Shared Co")
    direct = factories.CustomerFactory(company_name="Direct Co", country="SE")
    factories.RelationshipFactory(partner=w.partner, customer=shared)
    factories.RelationshipFactory(partner=w.other_partner, customer=shared)
    for role, admin in w.customer_admins.items():
        factories.CustomerAdminRoleFactory(user=admin, customer=direct, role=role)
        ww.users[f"customer:{role}"] = admin
    for role, user in w.users.items():
        partner_user_sync_admin_access(user)
        user.refresh_from_db()
        ww.users[f"partner:{role}"] = user
    ww.users["operator"] = factories.UserFactory(username="operator", is_staff=True, is_superuser=True)
    for actor, user in ww.users.items():
        ww.tokens[actor] = ApiToken.issue(user=user)[1]
    ww.tokens["app"] = ApiToken.issue(partner=w.partner, name="matrix app")[1]
    ww.api_tokens = {
        "own": ApiToken.objects.get(partner=w.partner),
        "foreign": ApiToken.issue(partner=w.other_partner, name="wingtip app")[0],
    }
    ww.api_tokens["shared"] = ww.api_tokens["foreign"]

    contoso_group2 = factories.SecurityGroupFactory(partner=w.partner, name="Tier 2")
    wingtip_group = factories.SecurityGroupFactory(partner=w.other_partner, name="Wingtip tier")
    wingtip_group2 = factories.SecurityGroupFactory(partner=w.other_partner, name="Wingtip tier 2")
    wingtip_group.members.add(w.other_users["admin_agent"])

    def inactive(partner, name):
        user = factories.PartnerUserFactory(partner=partner, username=name, roles=["sales_agent"], is_active=False)
        return user

    # own
    own_sub = factories.SubscriptionFactory(customer=w.own, partner=w.partner, offer_id="m365-business-basic")
    own_second = factories.SubscriptionFactory(customer=w.own, partner=w.partner, offer_id="o365-e1", quantity=5)
    own_licensed = _licensed(own_sub)
    own_rel = active_gdap(
        w.partner,
        w.own,
        group=w.gdap_group,
        display_name="Own GDAP",
        roles=("Directory Readers", "Directory Writers", "License Administrator"),
    )
    ww.scopes["own"] = ScopeObjects(
        customer=w.own,
        subscription=own_sub,
        second=own_second,
        relationship=own_rel,
        pending=factories.GdapRelationshipFactory(
            partner=w.partner,
            customer=w.own,
            status="approvalPending",
            activated_date_time=None,
            display_name="Own pending",
        ),
        assignment=own_rel.access_assignments.get(),
        free_group=contoso_group2,
        dap=factories.DapGrantFactory(partner=w.partner, customer=w.own, enabled=True),
        partner_user=w.users["helpdesk_agent"],
        inactive_user=inactive(w.partner, "p-inactive"),
        batch=_pending_batch(w.partner, w.users["sales_agent"], own_sub),
        notification=Notification.objects.create(user=w.users["sales_agent"], customer=w.own, message="Own note"),
        tenant_user=own_licensed[0],
        license=own_licensed[0].licenses.get(),
        owner="contoso",
    )

    # foreign
    foreign_sub = factories.SubscriptionFactory(customer=w.foreign, partner=w.other_partner)
    foreign_second = factories.SubscriptionFactory(customer=w.foreign, partner=w.other_partner, offer_id="o365-e1")
    foreign_licensed = _licensed(foreign_sub)
    foreign_rel = active_gdap(w.other_partner, w.foreign, group=wingtip_group, display_name="Foreign GDAP")
    ww.scopes["foreign"] = ScopeObjects(
        customer=w.foreign,
        subscription=foreign_sub,
        second=foreign_second,
        relationship=foreign_rel,
        pending=factories.GdapRelationshipFactory(
            partner=w.other_partner,
            customer=w.foreign,
            status="approvalPending",
            activated_date_time=None,
            display_name="Foreign pending",
        ),
        assignment=foreign_rel.access_assignments.get(),
        free_group=wingtip_group2,
        dap=factories.DapGrantFactory(partner=w.other_partner, customer=w.foreign, enabled=True),
        partner_user=w.other_users["helpdesk_agent"],
        inactive_user=inactive(w.other_partner, "o-inactive"),
        batch=_pending_batch(w.other_partner, w.other_users["sales_agent"], foreign_sub),
        notification=Notification.objects.create(
            user=w.other_users["sales_agent"], customer=w.foreign, message="Foreign note"
        ),
        tenant_user=foreign_licensed[0],
        license=foreign_licensed[0].licenses.get(),
        owner="wingtip",
    )

    # shared: Contoso's own objects exist there too; the scope names Wingtip's
    factories.SubscriptionFactory(customer=shared, partner=w.partner, offer_id="m365-apps-for-business")
    active_gdap(w.partner, shared, group=w.gdap_group, display_name="Contoso on shared")
    factories.DapGrantFactory(partner=w.partner, customer=shared, enabled=True)
    shared_sub = factories.SubscriptionFactory(customer=shared, partner=w.other_partner, offer_id="m365-business-basic")
    shared_second = factories.SubscriptionFactory(customer=shared, partner=w.other_partner, offer_id="o365-e1")
    shared_licensed = _licensed(shared_sub)
    shared_rel = active_gdap(w.other_partner, shared, group=wingtip_group, display_name="Wingtip on shared")
    ww.scopes["shared"] = ScopeObjects(
        customer=shared,
        subscription=shared_sub,
        second=shared_second,
        relationship=shared_rel,
        pending=factories.GdapRelationshipFactory(
            partner=w.other_partner,
            customer=shared,
            status="approvalPending",
            activated_date_time=None,
            display_name="Shared pending",
        ),
        assignment=shared_rel.access_assignments.get(),
        free_group=wingtip_group2,
        dap=factories.DapGrantFactory(partner=w.other_partner, customer=shared, enabled=True),
        partner_user=w.other_users["sales_agent"],
        inactive_user=inactive(w.other_partner, "o-inactive-2"),
        batch=_pending_batch(w.other_partner, w.other_users["sales_agent"], shared_sub),
        notification=Notification.objects.create(
            user=w.other_users["admin_agent"], customer=shared, message="Shared note"
        ),
        tenant_user=shared_licensed[0],
        license=shared_licensed[0].licenses.get(),
        owner="wingtip",
    )

    # orphan: no relationship; a volume-licensing subscription
    orphan_sub = factories.SubscriptionFactory(
        customer=w.orphan, partner=None, channel="volume_licensing", channel_partner_name="", offer_id="o365-e3"
    )
    orphan_second = factories.SubscriptionFactory(
        customer=w.orphan, partner=None, channel="volume_licensing", channel_partner_name="", offer_id="o365-e1"
    )
    orphan_licensed = _licensed(orphan_sub)
    ww.scopes["orphan"] = ScopeObjects(
        customer=w.orphan,
        subscription=orphan_sub,
        second=orphan_second,
        partner_user=w.foreign_admin,
        inactive_user=w.foreign_admin,
        tenant_user=orphan_licensed[0],
        license=orphan_licensed[0].licenses.get(),
        owner="unowned",
    )

    # direct: bought from Microsoft
    e4 = _direct(direct, "o365-e4")
    e3 = _direct(direct, "o365-e3", quantity=5)
    direct_licensed = _licensed(e4, 3)
    ww.scopes["direct"] = ScopeObjects(
        customer=direct,
        subscription=e4,
        second=e3,
        partner_user=w.customer_admins["billing_administrator"],
        inactive_user=w.customer_admins["billing_administrator"],
        tenant_user=direct_licensed[0],
        license=direct_licensed[0].licenses.get(),
        owner="unowned",
    )
    # four-eyes approval (issue 11): a batch and an upgrade awaiting approval, of the sales agent of each
    # partner-owned scope's partner (the shared scope's are Wingtip's)
    _with_waiting(ww.scopes["own"], w.partner, w.users["sales_agent"])
    _with_waiting(ww.scopes["foreign"], w.other_partner, w.other_users["sales_agent"])
    _with_waiting(ww.scopes["shared"], w.other_partner, w.other_users["sales_agent"])
    return ww


# ------------------------------------------------------------------------------------------------ snapshot
VOLATILE = {"last_login", "last_used", "updated", "last_modified_date_time"}


def _rows(queryset) -> list:
    model = queryset.model
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
    return list(queryset.order_by("pk").values_list(*names))


def _partner_groups(partner) -> dict[str, list]:
    users = User.objects.filter(partner=partner)
    subscriptions = Subscription.objects.filter(partner=partner)
    relationships = GdapRelationship.objects.filter(partner=partner)
    batches = UpgradeBatch.objects.filter(partner=partner)
    return {
        "partner": _rows(type(partner).objects.filter(pk=partner.pk)),
        "users": _rows(users),
        "roles": _rows(PartnerRoleAssignment.objects.filter(user__partner=partner)),
        "groups": _rows(SecurityGroup.objects.filter(partner=partner)),
        "members": sorted(
            SecurityGroup.members.through.objects.filter(securitygroup__partner=partner).values_list(
                "securitygroup_id", "user_id"
            )
        ),
        "relationships": _rows(ResellerRelationship.objects.filter(partner=partner)),
        "dap": _rows(DapGrant.objects.filter(partner=partner)),
        "gdap": _rows(relationships),
        "assignments": _rows(GdapAccessAssignment.objects.filter(relationship__in=relationships)),
        "subscriptions": _rows(subscriptions),
        "licenses": _rows(LicenseAssignment.objects.filter(subscription__in=subscriptions)),
        "batches": _rows(batches),
        "batch_items": _rows(UpgradeBatchItem.objects.filter(batch__in=batches)),
        "tokens": _rows(ApiToken.objects.filter(partner=partner)) + _rows(ApiToken.objects.filter(user__in=users)),
        "notifications": _rows(Notification.objects.filter(user__in=users)),
        "upgrades": _rows(UpgradeOperation.objects.filter(partner=partner)),
        "billing": _rows(BillingEntry.objects.filter(subscription__in=subscriptions)),
        "webhooks": _rows(Registration.objects.filter(partner=partner)),
        "webhook_events": _rows(Event.objects.filter(partner=partner)),
        "webhook_deliveries": _rows(Delivery.objects.filter(partner=partner)),
    }


PLATFORM = (
    "catalog.servicefamily",
    "catalog.serviceplan",
    "catalog.offer",
    "catalog.offerprice",
    "catalog.commerceproduct",
    "catalog.commerceprice",
    "catalog.upgradepath",
    "catalog.directoption",
    "direct.highvolumecondition",
    "api.idempotencyrecord",
)
# The object permissions (django-guardian) derived from relationships, groups and assignments: they may change
# with any permitted write, and never with a refused one.
GRANTS = ("customers.customeruserobjectpermission", "customers.customergroupobjectpermission", "auth.group")


def snapshot(ww: WriteWorld) -> dict[str, str]:
    """One hash per group: each partner's objects, every customer's own data (identity, admin roles, tenant
    users), and the unowned (direct, volume-licensing) subscriptions with their licenses and orders."""
    unowned = Subscription.objects.filter(partner__isnull=True)
    groups = {
        "platform": {label: _rows(apps.get_model(label).objects.all()) for label in PLATFORM},
        "grants": {label: _rows(apps.get_model(label).objects.all()) for label in GRANTS},
        "new": {
            "partners": _rows(type(ww.contoso).objects.exclude(pk__in=[ww.contoso.pk, ww.wingtip.pk])),
            "users": _rows(User.objects.filter(partner__isnull=True)),
        },
        "contoso": _partner_groups(ww.contoso),
        "wingtip": _partner_groups(ww.wingtip),
        "customers": {
            "customers": _rows(Customer.objects.all()),
            "admins": _rows(CustomerAdminRole.objects.all()),
            "tenant_users": _rows(TenantUser.objects.all()),
        },
        "unowned": {
            "subscriptions": _rows(unowned),
            "licenses": _rows(LicenseAssignment.objects.filter(subscription__in=unowned)),
            "orders": _rows(DirectOrder.objects.all()),
        },
    }
    return {name: hashlib.sha256(repr(value).encode()).hexdigest() for name, value in groups.items()}


def audit_count() -> int:
    return AuditRecord.objects.count()


def total_changes() -> int | None:
    """SQLite's count of rows changed on this connection (a cheap "nothing was written at all" test)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0]


# ------------------------------------------------------------------------------------------------ admin objects
def admin_object(ww: WriteWorld, label: str, scope: str):
    """The object of model ``label`` that an admin cell of ``scope`` names (None: the scope has none)."""
    s = ww.scopes[scope]
    partner = {"own": ww.contoso, "foreign": ww.wingtip, "shared": ww.wingtip}.get(scope)
    scoped = {
        "customers.customer": s.customer,
        "customers.resellerrelationship": (
            ResellerRelationship.objects.filter(partner=partner, customer=s.customer).first() if partner else None
        ),
        "customers.customeradminrole": CustomerAdminRole.objects.filter(customer=s.customer).order_by("pk").first(),
        "customers.tenantuser": s.tenant_user,
        "subscriptions.licenseassignment": s.license,
        "subscriptions.subscription": s.subscription,
        "delegation.dapgrant": s.dap,
        "delegation.gdaprelationship": s.relationship,
        "delegation.gdapaccessassignment": s.assignment,
        "partners.partner": partner,
        "partners.securitygroup": s.free_group,
        "partners.partnerroleassignment": (
            PartnerRoleAssignment.objects.filter(user=s.partner_user).first() if partner else None
        ),
        "accounts.user": s.partner_user,
        "accounts.apitoken": ww.api_tokens.get(scope),
        "bulk.upgradebatch": s.waiting_batch,  # awaiting approval: every action of the batch admin applies
        "bulk.upgradebatchitem": s.batch.items.first() if s.batch else None,
        "upgrades.upgradeoperation": s.waiting_upgrade,
        "direct.directorder": None,
    }
    if label in scoped:
        return scoped[label]
    model = apps.get_model(label)
    fixed = {"catalog.offer": "m365-e5-no-audio", "catalog.servicefamily": None, "catalog.serviceplan": None}
    if fixed.get(label):
        return model.objects.get(pk=fixed[label])
    return model.objects.order_by("pk").first()


def admin_owner(ww: WriteWorld, label: str, scope: str, who: str | None, op: str) -> set[str]:
    """The snapshot groups a permitted admin write of ``label`` in ``scope`` may change."""
    owner = ww.scopes[scope].owner
    groups = {"grants"}
    if label in GRANTS:
        return groups
    if label in PLATFORM:
        return groups | {"platform"}
    if who == "pga" and op == "add":
        return groups | {"contoso"} | ({"customers"} if label.startswith("customers.") else set())
    if label == "accounts.user" and scope in ("orphan", "direct"):
        return groups | {"new"}  # the scope's user is a customer admin (no partner)
    if label in ("partners.partner", "accounts.user") and op == "add":
        return groups | {"new", owner}
    if label in ("customers.customer", "customers.customeradminrole", "customers.tenantuser"):
        return groups | {"customers", owner}
    return groups | {owner}


# Change bodies: the field a change edits (on top of the form as the operator's change page shows it).
ADMIN_CHANGE: dict[str, dict] = {
    "customers.customer": {"company_name": "Renamed Co"},
    "customers.resellerrelationship": {"relationship": "advisor"},
    "customers.customeradminrole": {"role": "license_administrator"},
    "customers.tenantuser": {"display_name": "Renamed User"},
    "subscriptions.licenseassignment": {"disabled_service_plans": '["EXCHANGE_S_STANDARD"]'},
    "subscriptions.subscription": {"friendly_name": "Renamed subscription"},
    "delegation.gdapaccessassignment": {"assigned_roles": ["Directory Readers"]},
    "partners.partner": {"approval_items": "7"},  # the one field a PGA may change (the operator too)
    "partners.securitygroup": {"name": "Renamed group"},
    "accounts.user": {"roles": ["sales_agent", "helpdesk_agent"], "first_name": "Renamed"},
    "catalog.servicefamily": {"name": "Renamed family"},
    "catalog.serviceplan": {"name": "Renamed plan"},
    "catalog.offer": {"name": "Renamed offer"},
    "catalog.offerprice": {"unit_price": "1.23"},
    "catalog.commerceproduct": {"availability_id": "CHANGED00001"},
    "catalog.commerceprice": {"unit_price": "1.23"},
    "catalog.upgradepath": {"footnote": "Changed"},
    "catalog.directoption": {"position": "9"},
    "direct.highvolumecondition": {"note": "Changed"},
    "auth.group": {"name": "Renamed"},
}


def admin_add_body(ww: WriteWorld, label: str, scope: str) -> dict:
    """Add bodies: valid when the scope's objects are the actor's (a new row naming the scope's objects)."""
    s = ww.scopes[scope]
    partner = {"own": ww.contoso, "foreign": ww.wingtip, "shared": ww.wingtip}.get(scope)
    relationship, group = s.relationship, s.free_group
    bodies: dict[str, dict] = {
        "customers.customer": {
            "tenant_id": str(uuid.uuid4()),
            "company_name": "Added Co",
            "domain": "added.onmicrosoft.com",
            "country": "US",
            "segment": "commercial",
        },
        "customers.resellerrelationship": {
            "partner": str(partner.pk) if partner else "",
            "customer": str(ww.scopes["orphan"].customer.pk),
            "relationship": "reseller",
        },
        "customers.customeradminrole": {
            "user": str(ww.scopes["own"].partner_user.pk),
            "customer": str(s.customer.pk),
            "role": "global_administrator",
        },
        "customers.tenantuser": {
            "customer": str(s.customer.pk),
            "object_id": str(uuid.uuid4()),
            "user_principal_name": "added@tenant.onmicrosoft.com",
            "display_name": "Added",
            "email": "added@example.com",
        },
        "subscriptions.licenseassignment": {
            "user": str(s.tenant_user.pk),
            "subscription": str(s.second.pk),
            "disabled_service_plans": "[]",
        },
        "delegation.gdaprelationship": {
            "customer": str(s.customer.pk),
            "display_name": "Admin request",
            "request_roles": ["Directory Readers"],
            "duration_days": "730",
            "auto_extend": "PT0S",
        },
        "delegation.gdapaccessassignment": {
            "relationship": str(relationship.pk) if relationship else "",
            "group": str(group.pk) if group else "",
            "assigned_roles": ["Directory Readers"],
        },
        "partners.partner": {
            "code": "added-partner",
            "name": "Added Partner",
            "mpn_id": "7777777",
            "tenant_id": str(uuid.uuid4()),
        },
        "partners.securitygroup": {"partner": str(partner.pk) if partner else "", "name": "Added group"},
        "accounts.user": {
            "username": "added-user",
            "email": "added-user@example.com",
            "first_name": "Ad",
            "last_name": "Ded",
            "roles": ["sales_agent"],
            "partner": str(partner.pk) if partner else "",
        },
        "catalog.servicefamily": {"code": "added-family", "name": "Added family"},
        "catalog.serviceplan": {
            "code": "ADDED_PLAN",
            "name": "Added plan",
            "family": ServicePlanFamily.first_code(),
            "level": "1",
        },
        "catalog.offer": {
            "id": "added-offer",
            "name": "Added offer",
            "sku_part_number": "ADDED",
            "market": "global",
            "currency": "USD",
            "unit": "Licenses",
            "minimum_quantity": "1",
            "maximum_quantity": "300000",
        },
        "catalog.offerprice": {
            "offer": "m365-e5-no-audio",
            "billing_cycle": "monthly",
            "currency": "EUR",
            "unit_price": "9.99",
        },
        "catalog.commerceproduct": {
            "offer": "o365-e4",  # retired: the one offer without a new commerce product
            "product_id": "CFQ7TTC0ADDD",
            "sku_id": "0001",
            "availability_id": "ADDED0000001",
        },
        "catalog.commerceprice": {
            "offer": "m365-e5-no-audio",
            "term_duration": "P1Y",
            "billing_cycle": "annual",
            "currency": "EUR",
            "unit_price": "99.00",
        },
        "catalog.upgradepath": {"source": "m365-e3", "target": "m365-e5-no-audio", "position": "5"},
        "catalog.directoption": {"source": "m365-e3", "target": "m365-e5-no-audio", "kind": "upgrade", "position": "5"},
        "auth.group": {"name": "Added group"},
    }
    return bodies.get(label, {})


class ServicePlanFamily:
    @staticmethod
    def first_code() -> str:
        return str(apps.get_model("catalog.servicefamily").objects.order_by("pk").values_list("pk", flat=True).first())
