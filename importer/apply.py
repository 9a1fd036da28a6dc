"""Writing a validated plan: one transaction, bulk inserts and updates, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from audit.models import OperationType
from audit.services import audit_record_create
from customers.models import Customer, CustomerAdminRole, ResellerRelationship, TenantUser
from delegation.models import DapGrant, GdapAccessAssignment, GdapRelationship
from delegation.services import grants_resync
from partners.models import Partner, PartnerRole, PartnerRoleAssignment, SecurityGroup
from partners.services import partner_user_sync_admin_access
from subscriptions.models import LicenseAssignment, Subscription

from .plan import ImportPlan
from .snapshot import Membership
from .upsert import Counts, upsert


@dataclass
class ImportSummary:
    counts: dict[str, Counts] = field(default_factory=dict)

    def _total(self, attr: str) -> int:
        return sum(getattr(c, attr) for c in self.counts.values())

    @property
    def created(self) -> int:
        return self._total("created")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {name: counts.as_dict() for name, counts in self.counts.items()}

    def lines(self) -> list[str]:
        width = max(len(name) for name in self.counts)
        rows = [f"{'':<{width}}  {'created':>8} {'updated':>8} {'unchanged':>10}"]
        rows += [f"{name:<{width}}  {c.created:>8} {c.updated:>8} {c.unchanged:>10}" for name, c in self.counts.items()]
        rows.append(f"{'total':<{width}}  {self.created:>8} {self.updated:>8} {self.unchanged:>10}")
        return rows


def _pks(existing: dict) -> dict:
    return {key: pk for key, (pk, _values) in existing.items()}


@transaction.atomic
def apply_plan(plan: ImportPlan, *, actor) -> ImportSummary:
    ex = plan.snapshot.existing
    summary = ImportSummary()

    def step(name: str, model, desired: dict, existing: dict, **kwargs) -> dict:
        """Upsert one entity; returns natural key → pk for the existing and the desired rows."""
        result = upsert(model, desired, existing, **kwargs)
        summary.counts[name] = result.counts
        return _pks(existing) | result.pks

    partner_pk = step("partners", Partner, plan.partners, ex["partners"], key_fields=("code",))
    code_of = {pk: code for code, pk in partner_pk.items()}
    groups = step(
        "security_groups",
        SecurityGroup,
        {(partner_pk[c], name): {} for c, name in plan.groups},
        ex["groups"],
        key_fields=("partner_id", "name"),
    )
    group_pk = {(code_of[p], name): pk for (p, name), pk in groups.items() if p in code_of}

    users = {
        name: {
            "email": u["email"],
            "partner_id": partner_pk[u["partner"]] if u["partner"] else None,
            # no ``language`` in the document: the user's own choice (or none) stays
            "language": u["language"]
            if u["language"] is not None
            else ex["users"].get(name, (0, {}))[1].get("language", ""),
        }
        for name, u in plan.users.items()
    }
    passwords = {
        name: {"password": make_password(plan.passwords.get(name))} for name in users if name not in ex["users"]
    }
    user_pk = step("users", User, users, ex["users"], key_fields=("username",), create_only=passwords)
    step(
        "partner_roles",
        PartnerRoleAssignment,
        {(user_pk[u], role): {} for u, role in plan.user_roles},
        ex["roles"],
        key_fields=("user_id", "role"),
    )
    step(
        "group_memberships",
        Membership,
        {(group_pk[(c, g)], user_pk[u]): {} for c, g, u in plan.memberships},
        ex["memberships"],
        key_fields=("securitygroup_id", "user_id"),
    )

    customer_pk = step("customers", Customer, plan.customers, ex["customers"], key_fields=("tenant_id",))
    step(
        "reseller_relationships",
        ResellerRelationship,
        {(partner_pk[c], customer_pk[t]): {"relationship": r} for (c, t), r in plan.relationships.items()},
        ex["relationships"],
        key_fields=("partner_id", "customer_id"),
    )
    step(
        "dap_grants",
        DapGrant,
        {(partner_pk[c], customer_pk[t]): {"enabled": on} for (c, t), on in plan.dap.items()},
        ex["dap"],
        key_fields=("partner_id", "customer_id"),
        touch="changed",
    )
    step(
        "customer_admin_roles",
        CustomerAdminRole,
        {(user_pk[u], customer_pk[t], role): {} for u, t, role in plan.admin_roles},
        ex["admin_roles"],
        key_fields=("user_id", "customer_id", "role"),
    )

    gdap = {
        (partner_pk[c], name): {**_without(v, "customer"), "customer_id": customer_pk[v["customer"]]}
        for (c, name), v in plan.gdap.items()
    }
    gdap_pk = {
        (code_of[p], name): pk
        for (p, name), pk in step(
            "gdap_relationships",
            GdapRelationship,
            gdap,
            ex["gdap"],
            key_fields=("partner_id", "display_name"),
            touch="last_modified_date_time",
        ).items()
    }
    step(
        "gdap_access_assignments",
        GdapAccessAssignment,
        {(gdap_pk[(c, n)], group_pk[(c, g)]): v for (c, n, g), v in plan.access.items()},
        ex["access"],
        key_fields=("relationship_id", "group_id"),
        touch="last_modified_date_time",
    )

    tenant_users = {
        oid: {**_without(v, "customer"), "customer_id": customer_pk[v["customer"]]}
        for oid, v in plan.tenant_users.items()
    }
    user_of = step("tenant_users", TenantUser, tenant_users, ex["tenant_users"], key_fields=("object_id",))
    subscriptions = {
        sid: {
            **_without(v, "customer", "partner", "parent"),
            "customer_id": customer_pk[v["customer"]],
            "partner_id": partner_pk[v["partner"]] if v["partner"] else None,
            "parent_id": v["parent"],
        }
        for sid, v in plan.subscriptions.items()
    }
    step("subscriptions", Subscription, subscriptions, ex["subscriptions"], key_fields=("id",), touch="updated")
    step(
        "license_assignments",
        LicenseAssignment,
        {(user_of[oid], sid): {"disabled_service_plans": d} for (oid, sid), d in plan.assignments.items()},
        ex["assignments"],
        key_fields=("user_id", "subscription_id"),
    )

    if summary.changed:
        _sync_access(
            partner_ids=set(partner_pk.values()),
            customer_ids=set(customer_pk.values()),
            admin_user_ids={user_pk[u] for u, role in plan.user_roles if role == PartnerRole.GLOBAL_ADMIN},
        )
        audit_record_create(
            actor=actor,
            operation_type=OperationType.IMPORT_TENANTS,
            resource_type="tenant_import",
            new={"customers": len(plan.customers), "counts": summary.as_dict()},
        )
    return summary


def _sync_access(*, partner_ids: set, customer_ids: set, admin_user_ids: set) -> None:
    """Bulk writes bypass model signals: recompute the guardian grants of the imported partners and customers and
    the Django admin access of imported partner global admins, through the services that own those rules."""
    if partner_ids:
        grants_resync(partner=partner_ids, customer=customer_ids or None)
    if customer_ids:
        grants_resync(customer=customer_ids, memberships=False)
    for user in User.objects.filter(pk__in=admin_user_ids):
        partner_user_sync_admin_access(user)


def _without(values: dict, *names: str) -> dict:
    return {k: v for k, v in values.items() if k not in names}
