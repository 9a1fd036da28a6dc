"""Validation of ``partners[]``: partners, their security groups, users, roles and group memberships."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.language import LANGUAGE_CODES
from accounts.models import User
from partners.models import PartnerRole

from .fields import MISSING, Collector, join
from .plan import ImportPlan

PARTNER_KEYS = frozenset({"id", "name", "mpnId", "tenantId", "approvalThreshold", "groups", "users"})
APPROVAL_KEYS = frozenset({"items", "seats", "monthlyValue"})
PARTNER_USER_KEYS = frozenset({"username", "email", "password", "roles", "groups", "language"})
PARTNER_CODE = r"[-a-zA-Z0-9_]+"
USERNAME = r"[\w.@+-]+"


def read_account(
    c: Collector, plan: ImportPlan, raw: dict, path: str, *, partner: str | None, seen: dict[str, str]
) -> str | None:
    """A portal user (partner user or customer admin); returns its username when it is usable."""
    username = c.string(raw, "username", path, max_length=150, pattern=USERNAME, what=_("username"))
    email = c.email(raw, "email", path)
    password = c.string(raw, "password", path, required=False, default=None)
    language = c.choice(raw, "language", path, LANGUAGE_CODES, required=False, default=None, what=_("language"))
    if not username:
        return None
    upath = join(path, "username")
    if username in seen:
        c.error(
            upath, _("duplicate username '%(name)s' (also %(other)s)") % {"name": username, "other": seen[username]}
        )
        return None
    seen[username] = upath
    snap = plan.snapshot
    if username in snap.user_partner and snap.user_partner[username] != partner:
        c.error(upath, _("user '%(name)s' already exists and belongs to another organisation") % {"name": username})
        return None
    if password and username not in snap.existing["users"]:
        try:
            validate_password(password, user=User(username=username, email=email or ""))
        except ValidationError as exc:
            c.error(join(path, "password"), " ".join(exc.messages))
    if MISSING in (email, password, language):
        return None
    plan.users[username] = {"email": email or "", "partner": partner, "language": language}
    if password:
        plan.passwords[username] = password
    return username


def validate_partners(c: Collector, plan: ImportPlan, document: dict, usernames: dict[str, str]) -> None:
    codes: dict[str, str] = {}
    tenant_ids: dict = {}
    for path, raw in c.items(document, "partners", ""):
        raw = c.obj(raw, path, PARTNER_KEYS)
        if raw is None:
            continue
        code = c.string(raw, "id", path, max_length=64, pattern=PARTNER_CODE, what=_("partner id"))
        name = c.string(raw, "name", path, max_length=200)
        mpn_id = c.string(raw, "mpnId", path, required=False, max_length=20)
        tenant_id = c.guid(raw, "tenantId", path, required=False)
        threshold = _read_approval_threshold(c, raw, path)
        if code and code in codes:
            c.error(
                join(path, "id"),
                _("duplicate partner id '%(id)s' (also %(other)s)") % {"id": code, "other": codes[code]},
            )
            code = MISSING
        if tenant_id:
            owner = plan.snapshot.partner_by_tenant.get(tenant_id)
            if tenant_id in tenant_ids:
                c.error(
                    join(path, "tenantId"),
                    _("duplicate partner tenant id '%(id)s' (also %(other)s)")
                    % {"id": tenant_id, "other": tenant_ids[tenant_id]},
                )
            elif owner is not None and owner != code:
                c.error(
                    join(path, "tenantId"),
                    _("tenant id '%(id)s' already belongs to partner '%(owner)s'") % {"id": tenant_id, "owner": owner},
                )
            tenant_ids[tenant_id] = join(path, "tenantId")
        if not code:
            continue
        codes[code] = join(path, "id")
        plan.declared_partners.add(code)
        if name is not MISSING and mpn_id is not MISSING and tenant_id is not MISSING and threshold is not MISSING:
            plan.partners[code] = {"name": name, "mpn_id": mpn_id, "tenant_id": tenant_id, **threshold}
        for _gpath, group in c.string_list(raw, "groups", path, what=_("group")):
            plan.groups.add((code, group))
        for upath, user in c.items(raw, "users", path):
            _validate_partner_user(c, plan, user, upath, code, usernames)


def _read_approval_threshold(c: Collector, raw: dict, path: str):
    """``approvalThreshold`` as the Partner's ``approval_*`` fields (absent: no approval, every field None)."""
    value = raw.get("approvalThreshold")
    if value is None:
        return {"approval_items": None, "approval_seats": None, "approval_monthly_value": None}
    tpath = join(path, "approvalThreshold")
    value = c.obj(value, tpath, APPROVAL_KEYS)
    if value is None:
        return MISSING
    before = len(c.issues)
    items = c.integer(value, "items", tpath, minimum=0, required=False)
    seats = c.integer(value, "seats", tpath, minimum=0, required=False)
    monthly = c.money(value, "monthlyValue", tpath) if value.get("monthlyValue") is not None else None
    if not APPROVAL_KEYS & value.keys():
        c.error(tpath, _("give at least one of items, seats or monthlyValue (or leave approvalThreshold out)"))
    if len(c.issues) > before:
        return MISSING
    return {"approval_items": items, "approval_seats": seats, "approval_monthly_value": monthly}


def _validate_partner_user(c, plan, raw, path, code, usernames) -> None:
    raw = c.obj(raw, path, PARTNER_USER_KEYS)
    if raw is None:
        return
    username = read_account(c, plan, raw, path, partner=code, seen=usernames)
    roles = c.choice_list(raw, "roles", path, PartnerRole.values, what=_("partner role"))
    groups = c.string_list(raw, "groups", path, what=_("group"))
    for gpath, group in groups:
        if not plan.known_group(code, group):
            c.error(gpath, _("unknown group '%(group)s' of partner '%(partner)s'") % {"group": group, "partner": code})
    if username is None or roles is MISSING:
        return
    plan.user_roles.update((username, role) for role in roles)
    plan.memberships.update((code, group, username) for _p, group in groups)
