"""What the database already holds for the keys a document names, loaded in a fixed number of queries.

``collect_keys`` reads the ids a document mentions (tolerating bad values: validation reports those);
``Snapshot.load`` fetches the matching rows with ``__in`` lookups in chunks (so the number of queries does not
grow with the number of customers below the chunk size). ``existing`` maps each entity to
``{natural key: (pk, {field: value})}``, the shape ``apply.upsert`` compares against.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet

from accounts.models import User
from catalog.models import CommerceProduct, Offer
from customers.models import Customer, CustomerAdminRole, ResellerRelationship, TenantUser
from delegation.models import DapGrant, GdapAccessAssignment, GdapRelationship
from partners.models import Partner, PartnerRoleAssignment, SecurityGroup
from subscriptions.models import LicenseAssignment, Subscription

from .fields import parse_guid

CHUNK = 900  # below SQLite's 999 bound parameters

PARTNER_FIELDS = ("name", "mpn_id", "tenant_id", "approval_items", "approval_seats", "approval_monthly_value")
USER_FIELDS = ("email", "partner_id", "language")
CUSTOMER_FIELDS = ("domain", "company_name", "country", "segment", "service_health_incident")
GDAP_FIELDS = (
    "customer_id",
    "status",
    "unified_roles",
    "duration",
    "auto_extend_duration",
    "created_date_time",
    "activated_date_time",
    "end_date_time",
)
ACCESS_FIELDS = ("unified_roles", "status")
TENANT_USER_FIELDS = ("customer_id", "user_principal_name", "display_name", "email")
SUBSCRIPTION_FIELDS = (
    "customer_id",
    "offer_id",
    "friendly_name",
    "quantity",
    "status",
    "provisioning_state",
    "channel",
    "partner_id",
    "channel_partner_name",
    "payment_method",
    "billing_cycle",
    "term_start_date",
    "commitment_end_date",
    "auto_renew",
    "is_trial",
    "prepaid",
    "unpaid_balance",
    "parent_id",
    "commerce",
    "term_duration",
    "cancellation_allowed_until",
    "refundable_quantity",
    "scheduled_next_term_instructions",
)

Membership = SecurityGroup.members.through


@dataclass
class Keys:
    partner_codes: set = field(default_factory=set)
    partner_tenant_ids: set = field(default_factory=set)
    usernames: set = field(default_factory=set)
    tenant_ids: set = field(default_factory=set)
    domains: set = field(default_factory=set)
    gdap_names: set = field(default_factory=set)
    object_ids: set = field(default_factory=set)
    upns: set = field(default_factory=set)
    subscription_ids: set = field(default_factory=set)


def _dicts(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _add_str(target: set, value) -> None:
    if isinstance(value, str):
        target.add(value)


def _add_guid(target: set, value) -> None:
    parsed = parse_guid(value)
    if parsed is not None:
        target.add(parsed)


def collect_keys(document) -> Keys:
    keys = Keys()
    if not isinstance(document, dict):
        return keys
    for partner in _dicts(document.get("partners")):
        _add_str(keys.partner_codes, partner.get("id"))
        _add_guid(keys.partner_tenant_ids, partner.get("tenantId"))
        for user in _dicts(partner.get("users")):
            _add_str(keys.usernames, user.get("username"))
    for customer in _dicts(document.get("customers")):
        _add_guid(keys.tenant_ids, customer.get("tenantId"))
        _add_str(keys.domains, customer.get("domain"))
        for name in ("resellers", "dap"):
            for code in customer.get(name) if isinstance(customer.get(name), list) else []:
                _add_str(keys.partner_codes, code)
        for gdap in _dicts(customer.get("gdap")):
            _add_str(keys.partner_codes, gdap.get("partner"))
            _add_str(keys.gdap_names, gdap.get("displayName"))
        for admin in _dicts(customer.get("admins")):
            _add_str(keys.usernames, admin.get("username"))
        for user in _dicts(customer.get("users")):
            _add_guid(keys.object_ids, user.get("id"))
            _add_str(keys.upns, user.get("userPrincipalName"))
        for sub in _dicts(customer.get("subscriptions")):
            _add_guid(keys.subscription_ids, sub.get("id"))
            _add_guid(keys.subscription_ids, sub.get("parentSubscription"))
            channel = sub.get("channel")
            if isinstance(channel, dict):
                _add_str(keys.partner_codes, channel.get("partner"))
    return keys


def fetch(source: type[Model] | QuerySet, lookup: str, values, fields: tuple[str, ...]) -> list[tuple]:
    """``values_list(*fields)`` of the rows whose ``lookup`` is in ``values``, in chunks of ``CHUNK``."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    values = sorted(values, key=str)
    rows: list[tuple] = []
    for start in range(0, len(values), CHUNK):
        rows.extend(queryset.filter(**{f"{lookup}__in": values[start : start + CHUNK]}).values_list(*fields))
    return rows


def _keyed(rows, key, fields) -> dict:
    """rows of ``(pk, *key_parts, *fields)`` → ``{key: (pk, {field: value})}``."""
    width = len(key)
    result = {}
    for row in rows:
        natural = row[1] if width == 1 else tuple(row[1 : 1 + width])
        result[natural] = (row[0], dict(zip(fields, row[1 + width :], strict=True)))
    return result


class Snapshot:
    def __init__(self):
        self.existing: dict[str, dict] = {}

    @classmethod
    def load(cls, keys: Keys) -> Snapshot:
        snap = cls()
        snap._load_catalog()
        snap._load_partners(keys)
        snap._load_customers(keys)
        snap._load_tenant(keys)
        return snap

    def _load_catalog(self) -> None:
        self.offers: dict[str, dict[str, Any]] = {
            oid: {"market": market, "is_addon": addon, "plans": set(), "bases": set()}
            for oid, market, addon in Offer.objects.values_list("id", "market", "is_addon")
        }
        for offer_id, plan in Offer.service_plans.through.objects.values_list("offer_id", "serviceplan_id"):
            self.offers[offer_id]["plans"].add(plan)
        for addon, base in Offer.base_offers.through.objects.values_list("from_offer_id", "to_offer_id"):
            self.offers[addon]["bases"].add(base)
        self.commerce_products: dict[str, tuple[str, str, str]] = {
            offer_id: (product_id, sku_id, availability_id)
            for offer_id, product_id, sku_id, availability_id in CommerceProduct.objects.values_list(
                "offer_id", "product_id", "sku_id", "availability_id"
            )
        }

    def _load_partners(self, keys: Keys) -> None:
        fields = ("pk", "code", *PARTNER_FIELDS)
        rows = {
            r[0]: r
            for r in fetch(Partner, "code", keys.partner_codes, fields)
            + fetch(Partner, "tenant_id", keys.partner_tenant_ids, fields)
        }.values()
        self.existing["partners"] = _keyed(rows, ("code",), PARTNER_FIELDS)
        self.partner_code = {row[0]: row[1] for row in rows}
        self.partner_by_tenant = {row[4]: row[1] for row in rows if row[4]}
        partner_pks = list(self.partner_code)
        groups = fetch(SecurityGroup, "partner_id", partner_pks, ("pk", "partner_id", "name"))
        self.existing["groups"] = _keyed(groups, ("partner_id", "name"), ())
        self.group_names = {(self.partner_code[p], name) for _pk, p, name in groups}

        users = fetch(User, "username", keys.usernames, ("pk", "username", *USER_FIELDS))
        self.existing["users"] = _keyed(users, ("username",), USER_FIELDS)
        self.user_partner = {name: self._code_of(partner) for _pk, name, _email, partner, _language in users}
        user_pks = [row[0] for row in users]
        self.existing["roles"] = _keyed(
            fetch(PartnerRoleAssignment, "user_id", user_pks, ("pk", "user_id", "role")), ("user_id", "role"), ()
        )
        self.existing["memberships"] = _keyed(
            fetch(Membership, "user_id", user_pks, ("pk", "securitygroup_id", "user_id")),
            ("securitygroup_id", "user_id"),
            (),
        )
        self.existing["admin_roles"] = _keyed(
            fetch(CustomerAdminRole, "user_id", user_pks, ("pk", "user_id", "customer_id", "role")),
            ("user_id", "customer_id", "role"),
            (),
        )
        gdap = fetch(
            GdapRelationship.objects.filter(partner_id__in=partner_pks),
            "display_name",
            keys.gdap_names,
            ("pk", "partner_id", "display_name", *GDAP_FIELDS),
        )
        self.existing["gdap"] = _keyed(gdap, ("partner_id", "display_name"), GDAP_FIELDS)
        self.existing["access"] = _keyed(
            fetch(
                GdapAccessAssignment,
                "relationship_id",
                [row[0] for row in gdap],
                ("pk", "relationship_id", "group_id", *ACCESS_FIELDS),
            ),
            ("relationship_id", "group_id"),
            ACCESS_FIELDS,
        )

    def _load_customers(self, keys: Keys) -> None:
        fields = ("pk", "tenant_id", *CUSTOMER_FIELDS)
        rows = {
            r[0]: r
            for r in fetch(Customer, "tenant_id", keys.tenant_ids, fields)
            + fetch(Customer, "domain", keys.domains, fields)
        }.values()
        self.existing["customers"] = _keyed(rows, ("tenant_id",), CUSTOMER_FIELDS)
        self.customer_tenant = {row[0]: row[1] for row in rows}
        self.domain_tenant = {row[2]: row[1] for row in rows}
        customer_pks = list(self.customer_tenant)
        self.existing["relationships"] = _keyed(
            fetch(
                ResellerRelationship, "customer_id", customer_pks, ("pk", "partner_id", "customer_id", "relationship")
            ),
            ("partner_id", "customer_id"),
            ("relationship",),
        )
        self.existing["dap"] = _keyed(
            fetch(DapGrant, "customer_id", customer_pks, ("pk", "partner_id", "customer_id", "enabled")),
            ("partner_id", "customer_id"),
            ("enabled",),
        )
        self.gdap_customer = {
            (self.partner_code[p], name): self._tenant_of(values["customer_id"])
            for (p, name), (_pk, values) in self.existing["gdap"].items()
        }

    def _load_tenant(self, keys: Keys) -> None:
        fields = ("pk", "object_id", *TENANT_USER_FIELDS)
        rows = {
            r[0]: r
            for r in fetch(TenantUser, "object_id", keys.object_ids, fields)
            + fetch(TenantUser, "user_principal_name", keys.upns, fields)
        }.values()
        self.existing["tenant_users"] = _keyed(rows, ("object_id",), TENANT_USER_FIELDS)
        self.tenant_user_owner = {row[1]: self._tenant_of(row[2]) for row in rows}
        self.upn_owner = {row[3]: row[1] for row in rows}
        subs = fetch(Subscription, "id", keys.subscription_ids, ("pk", "id", *SUBSCRIPTION_FIELDS))
        self.existing["subscriptions"] = _keyed(subs, ("id",), SUBSCRIPTION_FIELDS)
        self.subscription_owner = {row[1]: (self._tenant_of(row[2]), row[3]) for row in subs}
        self.existing["assignments"] = _keyed(
            fetch(
                LicenseAssignment,
                "subscription_id",
                [row[0] for row in subs],
                ("pk", "user_id", "subscription_id", "disabled_service_plans"),
            ),
            ("user_id", "subscription_id"),
            ("disabled_service_plans",),
        )

    def _code_of(self, partner_pk):
        if partner_pk is None:
            return None
        return self.partner_code.get(partner_pk, partner_pk)

    def _tenant_of(self, customer_pk) -> uuid.UUID | None:
        """Tenant id of a customer row; customers not named in the document read as a placeholder."""
        return self.customer_tenant.get(customer_pk, customer_pk)
