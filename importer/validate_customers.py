"""Validation of ``customers[]``: the tenant, its partner relationships, DAP, GDAP, admins and users."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from core.durations import parse_iso_duration
from customers.models import CustomerAdminRoleName, RelationshipToPartner, Segment
from delegation.models import (
    AUTO_EXTEND,
    DEFAULT_DURATION,
    MAX_DURATION,
    AccessAssignmentStatus,
    GdapStatus,
    UnifiedRole,
)

from .fields import MISSING, Collector, join
from .plan import ImportPlan
from .validate_partners import read_account
from .validate_subscriptions import validate_subscriptions

CUSTOMER_KEYS = frozenset(
    {
        "tenantId",
        "companyName",
        "domain",
        "country",
        "segment",
        "serviceHealthIncident",
        "resellers",
        "dap",
        "gdap",
        "admins",
        "users",
        "subscriptions",
    }
)
GDAP_KEYS = frozenset(
    {
        "partner",
        "displayName",
        "status",
        "roles",
        "createdDateTime",
        "activatedDateTime",
        "endDateTime",
        "duration",
        "autoExtendDuration",
        "accessAssignments",
    }
)
ACCESS_KEYS = frozenset({"group", "roles", "status"})
ADMIN_KEYS = frozenset({"username", "email", "password", "roles", "language"})
TENANT_USER_KEYS = frozenset({"id", "userPrincipalName", "displayName", "email"})
MIN_DURATION = timedelta(days=1)
AUTO_EXTEND_CHOICES = (timedelta(0), AUTO_EXTEND)


class Seen:
    """Ids that must be unique across the whole file, with the path that used them first."""

    def __init__(self):
        self.tenants, self.domains, self.gdap, self.object_ids, self.upns, self.subscriptions = {}, {}, {}, {}, {}, {}

    @staticmethod
    def claim(c: Collector, registry: dict, key, path: str, what: str) -> bool:
        if key in registry:
            c.error(
                path,
                _("duplicate %(what)s '%(value)s' (also %(other)s)")
                % {"what": what, "value": key, "other": registry[key]},
            )
            return False
        registry[key] = path
        return True


def validate_customers(c: Collector, plan: ImportPlan, document: dict, usernames: dict[str, str]) -> None:
    seen = Seen()
    deferred_parents: list = []
    for path, raw in c.items(document, "customers", ""):
        raw = c.obj(raw, path, CUSTOMER_KEYS)
        if raw is None:
            continue
        tenant = _validate_tenant(c, plan, raw, path, seen)
        _validate_partner_links(c, plan, raw, path, tenant)
        for gpath, gdap in c.items(raw, "gdap", path):
            _validate_gdap(c, plan, gdap, gpath, tenant, seen)
        for apath, admin in c.items(raw, "admins", path):
            _validate_admin(c, plan, admin, apath, tenant, usernames)
        users: dict = {}
        for upath, user in c.items(raw, "users", path):
            _validate_tenant_user(c, plan, user, upath, tenant, seen, users)
        validate_subscriptions(c, plan, raw, path, tenant, users, seen, deferred_parents)
    for check in deferred_parents:
        check()


def _validate_tenant(c, plan, raw, path, seen: Seen):
    tenant = c.guid(raw, "tenantId", path)
    company = c.string(raw, "companyName", path, max_length=200)
    domain = c.string(raw, "domain", path, max_length=253, pattern=r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", what=_("domain"))
    country = c.string(raw, "country", path, max_length=2, pattern=r"[A-Z]{2}", what=_("country code"))
    segment = c.choice(
        raw, "segment", path, Segment.values, required=False, default=Segment.COMMERCIAL, what=_("segment")
    )
    incident = c.boolean(raw, "serviceHealthIncident", path)
    if tenant and not seen.claim(c, seen.tenants, tenant, join(path, "tenantId"), _("tenant id")):
        tenant = MISSING
    if domain:
        domain = domain.lower()
        owner = plan.snapshot.domain_tenant.get(domain)
        if seen.claim(c, seen.domains, domain, join(path, "domain"), _("domain")) and owner not in (None, tenant):
            c.error(
                join(path, "domain"),
                _("domain '%(domain)s' already belongs to tenant '%(owner)s'") % {"domain": domain, "owner": owner},
            )
    if MISSING in (tenant, company, domain, country, segment, incident):
        return tenant or None
    plan.customers[tenant] = {
        "domain": domain,
        "company_name": company,
        "country": country,
        "segment": segment,
        "service_health_incident": incident,
    }
    return tenant


def _partner_refs(c, plan, raw, key, path) -> list[str]:
    codes = []
    for ppath, code in c.string_list(raw, key, path, what=_("partner")):
        if plan.known_partner(code):
            codes.append(code)
        else:
            c.error(ppath, _("unknown partner '%(partner)s'") % {"partner": code})
    return codes


def _validate_partner_links(c, plan, raw, path, tenant) -> None:
    resellers = _partner_refs(c, plan, raw, "resellers", path)
    dap = _partner_refs(c, plan, raw, "dap", path)
    if not tenant:
        return
    for code in resellers:
        plan.relationships[(code, tenant)] = RelationshipToPartner.RESELLER
        plan.dap[(code, tenant)] = False  # DAP is off unless listed under "dap"
    for code in dap:
        plan.dap[(code, tenant)] = True


def _duration(c, raw, key, path, default):
    text = c.string(raw, key, path, required=False, default=None)
    if text is None or text is MISSING:
        return default if text is None else MISSING
    try:
        return parse_iso_duration(text)
    except ValueError:
        c.error(join(path, key), _("invalid ISO-8601 duration '%(value)s'") % {"value": text})
        return MISSING


def _validate_gdap(c, plan, raw, path, tenant, seen: Seen) -> None:
    raw = c.obj(raw, path, GDAP_KEYS)
    if raw is None:
        return
    partner = c.string(raw, "partner", path)
    if partner and not plan.known_partner(partner):
        c.error(join(path, "partner"), _("unknown partner '%(partner)s'") % {"partner": partner})
        partner = MISSING
    name = c.string(raw, "displayName", path, max_length=50)
    status = c.choice(raw, "status", path, GdapStatus.values, what=_("GDAP status"))
    roles = c.choice_list(raw, "roles", path, UnifiedRole.values, what=_("role"), required=True)
    created = c.datetime(raw, "createdDateTime", path)
    activated = c.datetime(raw, "activatedDateTime", path)
    end = c.datetime(raw, "endDateTime", path)
    duration = _duration(c, raw, "duration", path, DEFAULT_DURATION)
    if duration and not MIN_DURATION <= duration <= MAX_DURATION:
        c.error(join(path, "duration"), _("duration '%(value)s' is outside P1D..P2Y") % {"value": raw["duration"]})
        duration = MISSING
    auto_extend = _duration(c, raw, "autoExtendDuration", path, timedelta(0))
    if auto_extend is not MISSING and auto_extend not in AUTO_EXTEND_CHOICES:
        c.error(
            join(path, "autoExtendDuration"),
            _("must be PT0S or P180D, got '%(value)s'") % {"value": raw["autoExtendDuration"]},
        )
        auto_extend = MISSING
    key = (partner, name)
    if partner and name:
        if not seen.claim(c, seen.gdap, key, join(path, "displayName"), _("GDAP relationship")):
            partner = MISSING
        elif plan.snapshot.gdap_customer.get(key, tenant) != tenant:
            c.error(
                join(path, "displayName"),
                _("partner '%(partner)s' already has a relationship named '%(name)s' with another customer")
                % {"partner": partner, "name": name},
            )
    assignments = []
    for apath, access in c.items(raw, "accessAssignments", path):
        assignments.append(_validate_access(c, plan, access, apath, partner, roles))
    if MISSING in (partner, name, status, roles, created, activated, end, duration, auto_extend) or not tenant:
        return
    if end is None and activated is not None:
        end = activated + duration
    values = {
        "customer": tenant,
        "status": status,
        "unified_roles": roles,
        "duration": duration,
        "auto_extend_duration": auto_extend,
        "activated_date_time": activated,
        "end_date_time": end,
    }
    if created is not None:
        values["created_date_time"] = created
    plan.gdap[key] = values
    groups: dict[str, str] = {}
    for item in assignments:
        if item is not None and Seen.claim(c, groups, item[0], item[2], _("group")):
            plan.access[(partner, name, item[0])] = item[1]


def _validate_access(c, plan, raw, path, partner, relationship_roles):
    raw = c.obj(raw, path, ACCESS_KEYS)
    if raw is None:
        return None
    group = c.string(raw, "group", path, max_length=100)
    if group and partner and not plan.known_group(partner, group):
        c.error(
            join(path, "group"),
            _("unknown group '%(group)s' of partner '%(partner)s'") % {"group": group, "partner": partner},
        )
        group = MISSING
    roles = c.choice_list(raw, "roles", path, UnifiedRole.values, what=_("role"), required=True)
    if roles and relationship_roles:
        for index, role in enumerate(roles):
            if role not in relationship_roles:
                c.error(
                    join(join(path, "roles"), index),
                    _("role '%(role)s' is not one of the relationship's roles") % {"role": role},
                )
                roles = MISSING
    status = c.choice(
        raw,
        "status",
        path,
        AccessAssignmentStatus.values,
        required=False,
        default=AccessAssignmentStatus.ACTIVE,
        what=_("access assignment status"),
    )
    if MISSING in (group, roles, status):
        return None
    return group, {"unified_roles": roles, "status": status}, join(path, "group")


def _validate_admin(c, plan, raw, path, tenant, usernames) -> None:
    raw = c.obj(raw, path, ADMIN_KEYS)
    if raw is None:
        return
    username = read_account(c, plan, raw, path, partner=None, seen=usernames)
    roles = c.choice_list(raw, "roles", path, CustomerAdminRoleName.values, what=_("admin role"), required=True)
    if username and roles and tenant:
        plan.admin_roles.update((username, tenant, role) for role in roles)


def _validate_tenant_user(c, plan, raw, path, tenant, seen: Seen, users: dict) -> None:
    raw = c.obj(raw, path, TENANT_USER_KEYS)
    if raw is None:
        return
    object_id = c.guid(raw, "id", path)
    upn = c.string(
        raw, "userPrincipalName", path, max_length=320, pattern=r"[^@\s]+@[^@\s]+", what=_("user principal name")
    )
    display = c.string(raw, "displayName", path, required=False, max_length=200)
    email = c.email(raw, "email", path)
    snap = plan.snapshot
    if object_id:
        if not seen.claim(c, seen.object_ids, object_id, join(path, "id"), _("user id")):
            object_id = MISSING
        elif snap.tenant_user_owner.get(object_id, tenant) != tenant:
            c.error(join(path, "id"), _("user '%(id)s' already belongs to another customer") % {"id": object_id})
            object_id = MISSING
    upn_text = upn = upn.lower() if upn else upn
    if upn:
        if not seen.claim(c, seen.upns, upn, join(path, "userPrincipalName"), _("user principal name")):
            upn = MISSING
        elif snap.upn_owner.get(upn, object_id) != object_id:
            c.error(join(path, "userPrincipalName"), _("'%(upn)s' is already used by another user") % {"upn": upn})
            upn = MISSING
    if upn_text:
        users[upn_text] = object_id  # known to the assignments even when a field is wrong (no knock-on errors)
    if object_id:
        users[str(object_id)] = object_id
    if MISSING in (object_id, upn, display, email) or not tenant:
        return
    plan.tenant_users[object_id] = {
        "customer": tenant,
        "user_principal_name": upn,
        "display_name": display,
        "email": email,
    }
