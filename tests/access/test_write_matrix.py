"""The write matrix: every write of the pages, the ``/v1/`` API and the Django admin × every actor × every scope.

Actors (``write_matrix_world.ACTORS``): ``anonymous``; ``partner:<role>`` for each partner role (users of
Contoso); ``customer:<role>`` for each customer admin role (admins of the ``own`` and the ``direct`` customer);
``app`` (Contoso's application token: app-only, API only; on pages it has no session); ``operator`` (superuser,
no partner). Scopes: ``own``, ``foreign``, ``shared``, ``orphan``, ``direct`` (see ``write_matrix_world``).

Pages and API (``WRITES``): ONE line per URL name: ``{method: rule}``. A rule maps (actor, scope) to an
``Outcome``: ``ok(status)`` = the write is allowed and really happens (the response has ``status`` and at least
one audit record is written), ``ok(status, audited=False)`` = allowed, changes only the actor's own data and
writes no audit record (marking one's notifications read), ``query(status)`` = allowed but a read (a quote, an
eligibility check: nothing changes), ``no(status)`` = refused: ``status`` and nothing changes. Statuses: 302
sign-in redirect for anonymous pages, 401 for the API without a token, 403 role (or kind of actor) not allowed,
404 object outside the actor's scope, 400 a body naming something outside the scope or a business rule, and for
pages a business-rule refusal may show its message after a redirect (``no(302)``). Every other method of these
URLs, and every method of the ``READ_ONLY`` URLs, is a "no write" probe: with a privileged actor it answers
below 500 and changes nothing. A URL of the resolver in neither list fails ``test_every_url_has_a_write_entry``.

Admin (``ADMIN``, from /work/wt/admin-policy.md): one line per registered model: what a partner global admin
(PGA) and the operator (OP) may do, ``add``, ``change``, ``delete`` and each action (``ADMIN_ACTIONS``).
Every other actor gets the admin sign-in redirect. A model or an action without an entry fails
``test_every_admin_model_and_action_has_an_entry``.

After every cell: the snapshot groups (Contoso's objects, Wingtip's objects, every customer's identity, admin
roles and tenant users, the unowned direct/volume-licensing subscriptions and orders) must be unchanged, except
the group owning the scope's objects when the cell is allowed to write. Each cell runs in a savepoint that is
rolled back. Each matrix test prints its size ("write matrix (...): N cells") through the terminal reporter.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .test_permission_matrix import Entry, all_entries
from .write_matrix_world import (
    ACTORS,
    ADMIN_CHANGE,
    MISSING_INT,
    MISSING_UUID,
    SCOPES,
    ScopeObjects,
    WriteWorld,
    admin_add_body,
    admin_object,
    admin_owner,
    audit_count,
    build_write_world,
    snapshot,
    total_changes,
)

WRITE_METHODS = ("post", "put", "patch", "delete")


# ------------------------------------------------------------------------------------------------ outcomes
@dataclass(frozen=True)
class Outcome:
    status: int
    writes: bool
    audited: bool = True

    def __str__(self):
        return f"{'ok' if self.writes else 'no'}({self.status})"


def ok(status: int, *, audited: bool = True) -> Outcome:
    return Outcome(status, True, audited)


def no(status: int) -> Outcome:
    return Outcome(status, False, False)


query = no  # allowed, but a read: nothing may change
FORBIDDEN, NOT_FOUND = no(403), no(404)  # the usual refusals (defaults below)

Rule = Callable[[str, str], Outcome]
PartRule = Callable[[str, str], Outcome] | Outcome  # (role, scope) → Outcome, or a fixed Outcome


def kind_of(actor: str) -> tuple[str, str]:
    kind, _, role = actor.partition(":")
    return kind, role


def by_actor(*, anonymous: Outcome, partner: PartRule, customer: PartRule, app: PartRule, operator: PartRule) -> Rule:
    parts = {"anonymous": anonymous, "partner": partner, "customer": customer, "app": app, "operator": operator}

    def rule(actor, scope):
        kind, role = kind_of(actor)
        part = parts[kind]
        return part(role, scope) if callable(part) else part

    return rule


def page(*, partner: PartRule = FORBIDDEN, customer: PartRule = FORBIDDEN, operator: PartRule = FORBIDDEN) -> Rule:
    """A session page: anonymous and the application (no session) → the sign-in redirect."""
    return by_actor(anonymous=no(302), app=no(302), partner=partner, customer=customer, operator=operator)


def api(
    *,
    partner: PartRule = FORBIDDEN,
    customer: PartRule = FORBIDDEN,
    app: PartRule = FORBIDDEN,
    operator: PartRule = FORBIDDEN,
) -> Rule:
    """A /v1/ call with the actor's Bearer token (anonymous: none → 401)."""
    return by_actor(anonymous=no(401), partner=partner, customer=customer, app=app, operator=operator)


def roles(
    allowed,
    yes: Outcome,
    *,
    scopes=("own",),
    out: Outcome = NOT_FOUND,
    denied: Outcome = FORBIDDEN,
    scope_first: bool = False,
) -> Callable[[str, str], Outcome]:
    """``yes`` for ``allowed`` roles in ``scopes``; a role not allowed → ``denied``; another scope → ``out``.
    ``scope_first``: the object is looked up before the role is checked (out-of-scope wins)."""
    allowed = set(allowed)

    def part(role, scope):
        if scope_first and scope not in scopes:
            return out
        if role not in allowed:
            return denied
        return yes if scope in scopes else out

    return part


def scopes(mapping: dict[str, Outcome], default: Outcome) -> Callable[[str, str], Outcome]:
    return lambda role, scope: mapping.get(scope, default)


ALL_ROLES = ["global_admin", "user_management_admin", "admin_agent", "sales_agent", "helpdesk_agent", "billing_admin"]
UPGRADERS = ["global_admin", "user_management_admin", "admin_agent", "sales_agent", "helpdesk_agent"]
SELLERS = ["global_admin", "admin_agent", "sales_agent", "helpdesk_agent"]  # buy / quantity / suspend
GDAP = ["global_admin", "admin_agent"]
USER_MANAGERS = ["global_admin", "user_management_admin"]
BUYERS = ["global_administrator", "billing_administrator"]  # customer: buy, upgrade, cancel
LICENSE_MOVERS = ["global_administrator", "user_administrator", "license_administrator"]
ANY_ADMIN = BUYERS + ["user_administrator", "license_administrator"]
CUSTOMER_GA = ["global_administrator"]
PARTNER_OWNED = ("own", "foreign", "shared")  # scopes whose objects belong to a partner
ADMINISTERED = ("own", "direct")  # the customer admins' tenants

APPROVERS = ["global_admin", "admin_agent"]  # Capability.APPROVE (never the job's creator, the sales agent)


def DECIDE_API(role, scope):
    """The API's approve / reject: the upgrade capability first (403), then the scope (404), then the service."""
    if role not in UPGRADERS:
        return no(403)
    if scope != "own":
        return no(404)
    return ok(200) if role in APPROVERS else no(403)


DECIDE_APP = scopes({"own": no(403)}, no(404))  # an application never approves
DECIDE_OP_API = scopes({s: ok(200) for s in PARTNER_OWNED}, no(404))
DECIDE_PAGE = roles(APPROVERS, ok(302), scope_first=True)
DECIDE_OP_PAGE = scopes({s: ok(302) for s in PARTNER_OWNED}, no(404))

# ------------------------------------------------------------------------------------------------ the table
# url name → {method: rule}. Scope objects: see write_matrix_world; "shared" names Wingtip's objects.
WRITES: dict[str, dict[str, Rule]] = {
    # -- delegated admin, partner side: request (own and shared customers are Contoso's), terminate, assign
    "delegation:create": {"post": page(partner=roles(GDAP, ok(302), scopes=("own", "shared"), out=no(200)))},
    "delegation:terminate": {
        "post": page(
            partner=roles(GDAP, ok(302), scope_first=True),
            customer=no(404),
            operator=scopes({s: ok(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    "delegation:assignment_create": {
        "post": page(
            partner=roles(GDAP, ok(302), scope_first=True),
            customer=no(404),
            operator=scopes({s: ok(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    "delegation:assignment_delete": {
        "post": page(
            partner=roles(GDAP, ok(302), scope_first=True),
            customer=no(404),
            operator=scopes({s: ok(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    # -- delegated admin, the customer's consent: only the customer's global administrator
    "delegation_customer:detail": {"post": page(customer=roles(CUSTOMER_GA, ok(302)))},
    "delegation_customer:dap_off": {"post": page(customer=roles(CUSTOMER_GA, ok(302)))},
    # -- partner users (the partner's own user managers; the operator uses the admin)
    "partners:user_invite": {
        "post": page(partner=roles(USER_MANAGERS, ok(302), scopes=("own", "orphan", "direct"), out=no(200)))
    },
    "partners:user_detail": {"post": page(partner=roles(USER_MANAGERS, ok(302)))},
    "partners:user_deactivate": {"post": page(partner=roles(USER_MANAGERS, ok(302)))},
    "partners:user_reactivate": {"post": page(partner=roles(USER_MANAGERS, ok(302)))},
    # -- partner settings: the partner's global admins set the approval threshold (no object in the URL)
    "partner_settings:approval": {
        "post": page(partner=roles(["global_admin"], ok(302), scopes=("own", "foreign", "shared", "orphan", "direct")))
    },
    # -- webhooks (issue 15): the partner's global admins; the world has no registration, so the actions on it
    # find none (404) and registering creates Contoso's (no object in the URL: every scope alike)
    "webhooks:settings": {"post": page(partner=roles(["global_admin"], ok(302), scopes=SCOPES))},
    **{
        name: {"post": page(partner=roles(["global_admin"], no(404), scopes=SCOPES))}
        for name in ("webhooks:test", "webhooks:rotate", "webhooks:delete", "webhooks:resend")
    },
    # -- notifications: a user marks their own ones read (the scope's notification is Contoso's sales agent's)
    "notifications:mark_read": {
        "post": by_actor(
            anonymous=no(302),
            app=no(302),
            operator=no(302),
            customer=no(302),
            partner=lambda role, scope: ok(302, audited=False) if (role, scope) == ("sales_agent", "own") else no(302),
        )
    },
    # -- four-eyes approval in the portal: the job is looked up first (404), then the service decides (403)
    **{
        name: {"post": page(partner=DECIDE_PAGE, customer=no(403), operator=DECIDE_OP_PAGE)}
        for name in ("portal:batch_approve", "portal:batch_reject", "portal:upgrade_approve", "portal:upgrade_reject")
    },
    # -- partner upgrade wizard: submit on the review page
    # the customer is looked up first (own, shared: Contoso's; the customer admins' own tenants), then the role,
    # then the subscription (the shared scope's is Wingtip's)
    "portal:upgrade_review": {
        "post": page(
            partner=lambda role, scope: (
                no(404)
                if scope not in ("own", "shared")
                else no(403)
                if role not in UPGRADERS
                else ok(302)
                if scope == "own"
                else no(404)
            ),
            customer=no(403),  # partner pages are closed to customer admins, whatever the customer (issue 8 item 7)
            operator=scopes({s: ok(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    # -- the new commerce wizard (issue 12): the same lookups; the scope's subscription is a legacy one, so an
    # allowed actor is sent to the legacy wizard (302) and nothing changes
    # the partner's CSP E4 replacement (issue 14): the scopes' subscriptions are not E4s, so an allowed caller
    # gets the page with the refusal (400) and nothing changes; scope and capability as for upgrades
    "portal:e4_replacement_review": {
        "post": page(
            partner=lambda role, scope: (
                no(404)
                if scope not in ("own", "shared")
                else no(403)
                if role not in UPGRADERS
                else no(400)
                if scope == "own"
                else no(404)
            ),
            customer=no(403),
            operator=scopes({s: no(400) for s in PARTNER_OWNED}, no(404)),
        )
    },
    "portal:transition_review": {
        "post": page(
            partner=lambda role, scope: (
                no(404)
                if scope not in ("own", "shared")
                else no(403)
                if role not in UPGRADERS
                else no(302)
                if scope == "own"
                else no(404)
            ),
            customer=no(403),
            operator=scopes({s: no(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    # -- bulk upgrades (issue 11): a selection or a CSV naming the scope's subscription becomes a dry run of
    # Contoso's (only its own opportunities / visible subscriptions: else 400); operators have no partner (403)
    "portal:batch_selection": {
        "post": page(partner=roles(UPGRADERS, ok(302), out=no(400)), customer=no(403), operator=no(403))
    },
    "portal:batch_upload": {
        "post": page(partner=roles(UPGRADERS, ok(302), out=no(400)), customer=no(403), operator=no(403))
    },
    # the scope's batch is queued: cancel works; retry and submit refuse (still running / not a dry run: 302)
    "portal:batch_cancel": {
        "post": page(
            partner=roles(UPGRADERS, ok(302)),
            customer=no(403),
            operator=scopes({s: ok(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    "portal:batch_retry": {
        "post": page(
            partner=roles(UPGRADERS, no(302)),
            customer=no(403),
            operator=scopes({s: no(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    "portal:batch_submit": {
        "post": page(
            partner=roles(UPGRADERS, no(302)),
            customer=no(403),
            operator=scopes({s: no(302) for s in PARTNER_OWNED}, no(404)),
        )
    },
    # -- the renewals page's "Schedule change for selected" (issue 12): users who may upgrade AND manage
    # subscriptions; the scope's subscription is a legacy one (or another partner's): refused as a whole (400,
    # nothing created); operators have no partner (403)
    "portal:renewals_schedule": {
        "post": page(
            partner=lambda role, scope: no(400) if role in SELLERS else no(403), customer=no(403), operator=no(403)
        )
    },
    # -- a subscription's seats (portal): customer, then subscription looked up (out of scope → 404), then the role
    # (subscriptions.services.subscription_update: SELLERS); the shared scope's subscription is Wingtip's
    "portal:subscription_detail": {
        "post": page(
            partner=roles(SELLERS, ok(302), scope_first=True),
            customer=no(403),
            # the operator sees every subscription; those not sold through a CSP partner refuse a seat change (400)
            operator=scopes({s: ok(302) for s in PARTNER_OWNED}, no(400)),
        )
    },
    # -- the customer's admin center (direct flow): their own tenants; partners and the operator: 404
    "direct:purchase": {
        "post": page(
            partner=no(404), operator=no(404), customer=roles(BUYERS, ok(302), scopes=ADMINISTERED, scope_first=True)
        )
    },
    "direct:licenses_move": {
        "post": page(
            partner=no(404),
            operator=no(404),
            customer=roles(LICENSE_MOVERS, ok(302), scopes=ADMINISTERED, scope_first=True),
        )
    },
    # cancel: the own tenant's subscription is Contoso's CSP one: refused with a message
    "direct:cancel": {
        "post": page(
            partner=no(404),
            operator=no(404),
            customer=lambda role, scope: (
                no(404)
                if scope not in ADMINISTERED
                else no(403)
                if role not in BUYERS
                else ok(302)
                if scope == "direct"
                else no(400)  # the confirmation page again, with the refusal (a CSP subscription)
            ),
        )
    },
    # seats (issue 14): the direct scope's E4 (10 licenses, 3 assigned) gets one more; the own tenant's CSP
    # subscription is refused (400)
    "direct:seats": {
        "post": page(
            partner=no(404),
            operator=no(404),
            customer=lambda role, scope: (
                no(404)
                if scope not in ADMINISTERED
                else no(403)
                if role not in BUYERS
                else ok(302)
                if scope == "direct"
                else no(400)
            ),
        )
    },
    # paying a balance (issue 14): the matrix's subscriptions owe nothing (409); a CSP one is refused (400)
    "direct:pay": {
        "post": page(
            partner=no(404),
            operator=no(404),
            customer=lambda role, scope: (
                no(404)
                if scope not in ADMINISTERED
                else no(403)
                if role not in BUYERS
                else no(409)
                if scope == "direct"
                else no(400)
            ),
        )
    },
    "direct:checkout": {
        "post": page(
            partner=no(404),
            operator=no(404),
            customer=(
                lambda role, scope: (
                    no(404)
                    if scope not in ADMINISTERED
                    else no(409)  # the own subscription is a CSP one: E5 is a derived target, blocked (issue 14)
                    if scope == "own"
                    else ok(302)
                    if role in BUYERS
                    else no(403)
                )
            ),
        )
    },
    # -- /v1/ partner API
    "api:subscription-detail": {
        "patch": api(
            partner=roles(SELLERS, ok(200)),
            app=roles([""], ok(200)),
            operator=scopes({s: ok(200) for s in PARTNER_OWNED}, no(404)),
        )
    },
    "api:subscription-upgrades": {
        "post": api(
            partner=roles(UPGRADERS, ok(200)),
            app=scopes({"own": no(400)}, no(404)),
            operator=scopes({s: ok(200) for s in PARTNER_OWNED}, no(404)),
        )
    },
    # The partner's CSP E4 replacement (issue 14): the scopes' subscriptions are not E4s: 400 naming
    # subscriptionId, nothing changes; the capability and the scope as for upgrades.
    "api:subscription-e4-replacement": {
        "post": api(
            partner=roles(UPGRADERS, no(400)),
            app=scopes({"own": no(400)}, no(404)),
            operator=scopes({s: no(400) for s in PARTNER_OWNED}, no(404)),
        )
    },
    # New commerce transitions: the matrix's subscriptions are legacy ones, so an allowed caller gets 409
    # legacy_subscription (use .../upgrades) and nothing changes; the capability and the scope as for upgrades.
    "api:subscription-transitions": {
        "post": api(
            partner=roles(UPGRADERS, no(409)),
            app=scopes({"own": no(409)}, no(404)),
            operator=scopes({s: no(409) for s in PARTNER_OWNED}, no(404)),
        )
    },
    "api:delegatedadminrelationship-list": {
        "post": api(partner=roles(GDAP, ok(201), scopes=("own", "shared"), out=no(400)))
    },
    "api:delegatedadminrelationship-requests": {
        "post": api(partner=roles(GDAP, ok(202)), operator=scopes({s: ok(202) for s in PARTNER_OWNED}, no(404)))
    },
    "api:accessassignment-list": {
        "post": api(partner=roles(GDAP, ok(201)), operator=scopes({s: ok(201) for s in PARTNER_OWNED}, no(404)))
    },
    "api:accessassignment-detail": {
        "patch": api(partner=roles(GDAP, ok(200)), operator=scopes({s: ok(200) for s in PARTNER_OWNED}, no(404))),
        "delete": api(partner=roles(GDAP, ok(204)), operator=scopes({s: ok(204) for s in PARTNER_OWNED}, no(404))),
    },
    # a batch is the partner's: created whatever its items name (an out-of-scope item fails on its own)
    "api:upgradebatch-list": {"post": api(partner=roles(UPGRADERS, ok(202), scopes=SCOPES), app=ok(202))},
    "api:upgradebatch-cancel": {
        "post": api(
            partner=roles(UPGRADERS, ok(200)),
            app=roles([""], ok(200)),
            operator=scopes({s: ok(200) for s in PARTNER_OWNED}, no(404)),
        )
    },
    # four-eyes approval (issue 11): the scope's batch / upgrade awaiting approval is its sales agent's; a second
    # user with the approve capability (global admin, admin agent; the operator) decides; another role → 403
    "api:upgradebatch-approve": {"post": api(partner=DECIDE_API, app=DECIDE_APP, operator=DECIDE_OP_API)},
    "api:upgradebatch-reject": {"post": api(partner=DECIDE_API, app=DECIDE_APP, operator=DECIDE_OP_API)},
    "api:subscription-upgrade-operation-approve": {
        "post": api(partner=DECIDE_API, app=DECIDE_APP, operator=DECIDE_OP_API)
    },
    "api:subscription-upgrade-operation-reject": {
        "post": api(partner=DECIDE_API, app=DECIDE_APP, operator=DECIDE_OP_API)
    },
    "api:upgrade-eligibility": {
        "post": api(partner=roles(UPGRADERS, query(200), scopes=SCOPES), app=query(200), operator=query(200))
    },
    # -- /v1/me/: customer admins' user tokens on their own tenants
    "api:me-cart": {
        "post": api(
            customer=lambda role, scope: (
                no(404) if scope not in ADMINISTERED else no(409) if scope == "own" else query(200)
            )
        )
    },
    "api:me-upgrade-order": {
        "post": api(
            customer=lambda role, scope: (
                no(404)
                if scope not in ADMINISTERED
                else no(403)
                if role not in BUYERS
                else no(409)
                if scope == "own"
                else ok(201)
            )
        )
    },
    "api:me-purchase": {"post": api(customer=roles(BUYERS, ok(201), scopes=ADMINISTERED, scope_first=True))},
    # issue 14 (direct-seats): seats, balance payment and cancellation under /v1/me (as the pages above)
    "api:me-seat-changes": {
        "post": api(
            customer=lambda role, scope: (
                no(404)
                if scope not in ADMINISTERED
                else no(403)
                if role not in BUYERS
                else ok(200)
                if scope == "direct"
                else no(400)
            )
        )
    },
    "api:me-payments": {
        "post": api(
            customer=lambda role, scope: (
                no(404)
                if scope not in ADMINISTERED
                else no(403)
                if role not in BUYERS
                else no(409)
                if scope == "direct"
                else no(400)
            )
        )
    },
    "api:me-cancel": {
        "post": api(
            customer=lambda role, scope: (
                no(404)
                if scope not in ADMINISTERED
                else no(403)
                if role not in BUYERS
                else ok(200)
                if scope == "direct"
                else no(400)
            )
        )
    },
    "api:me-license-moves": {
        "post": api(customer=roles(LICENSE_MOVERS, ok(200), scopes=ADMINISTERED, scope_first=True))
    },
    # -- the JSON 404 of unknown /v1/ paths, whatever the method
    # webhooks (issue 15): global admins; an operator has no partner (403) and finds no such delivery (404)
    "api:webhook-registration": {
        "post": api(partner=roles(["global_admin"], ok(201), scopes=SCOPES)),
        "put": api(partner=roles(["global_admin"], no(404), scopes=SCOPES)),
        "delete": api(partner=roles(["global_admin"], no(404), scopes=SCOPES)),
    },
    "api:webhook-secret": {"post": api(partner=roles(["global_admin"], no(404), scopes=SCOPES))},
    "api:webhook-validation-events": {"post": api(partner=roles(["global_admin"], no(404), scopes=SCOPES))},
    "api:webhook-delivery-redeliver": {
        "post": api(partner=roles(["global_admin"], no(404), scopes=SCOPES), operator=no(404))
    },
    "route:^v1(/.*)?$": {
        m: by_actor(anonymous=no(404), partner=no(404), customer=no(404), app=no(404), operator=no(404))
        for m in WRITE_METHODS
    },
}

# URLs without any write (GET pages and API reads; sign-in flows; admin pages outside the model admins).
READ_ONLY = [
    "login",
    "logout",
    "set_language",  # a user's own preference (a cookie, the user's language), no domain data: tests/i18n
    "mfa_setup",
    "mfa_verify",
    "ops:*",  # /healthz, /readyz, /metrics: GET only, no data (tests/ops)
    "partners:set_password",
    "portal:*",
    "delegation:list",
    "delegation:detail",
    "delegation_customer:list",
    "partners:user_list",
    "notifications:list",
    "direct:home",
    "direct:products",
    "direct:orders",
    "direct:order",
    "direct:subscription",
    "direct:upgrade",
    "direct:cart",
    "direct:invoice",
    "api:schema",
    "api:docs",
    "api:redoc",
    "api:customer-*",
    "api:subscription-list",
    "api:subscription-upgrade-operation",  # GET only: an upgrade operation's status and result
    "api:subscription-transition-eligibilities",  # GET only: new commerce transition eligibility
    "api:offer-*",
    "api:opportunity-list",  # GET only: the book's upgrade options
    "api:auditrecord-list",
    "api:delegatedadminrelationship-detail",
    "api:me-customers",
    "api:me-subscriptions",
    "api:me-upgrade-options",
    "api:me-order",
    "api:me-order-invoice",
    "api:upgradebatch-detail",
    "api:upgradebatch-items",
    "api:webhook-events",
    "api:webhook-validation-event",
    "api:webhook-deliveries",
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:autocomplete",
    "admin:view_on_site",
    "admin:app_list",
]
# The model admins' URLs are the admin test's (ADMIN below).
ADMIN_MODEL_URLS = [
    "admin:*_changelist",
    "admin:*_add",
    "admin:*_change",
    "admin:*_delete",
    "admin:*_history",
    "admin:*_password_change",
    "route:admin/*",
]
PROBE_ACTORS = ("anonymous", "partner:global_admin", "customer:global_administrator", "app", "operator")


def matches(entry: Entry, patterns) -> bool:
    for pattern in patterns:
        if pattern.startswith("route:"):
            if entry.key.startswith("route:") and fnmatch.fnmatchcase(entry.route, pattern[len("route:") :]):
                return True
        elif entry.name and fnmatch.fnmatchcase(entry.name, pattern):
            return True
    return False


def writes_of(entry: Entry) -> dict[str, Rule] | None:
    if entry.key in WRITES:
        return WRITES[entry.key]
    if matches(entry, READ_ONLY) or matches(entry, ADMIN_MODEL_URLS):
        return {}
    return None


def test_every_url_has_a_write_entry():
    missing = [f"{e.key}  ({e.route})" for e in all_entries() if writes_of(e) is None]
    assert not missing, (
        "These URL patterns have no entry in tests/access/test_write_matrix.py (WRITES: one line "
        "per URL with its write methods, or READ_ONLY):\n  " + "\n  ".join(missing)
    )
    names = {e.key for e in all_entries()}
    assert not set(WRITES) - names, f"WRITES names URLs the resolver does not have: {set(WRITES) - names}"


def test_a_url_without_an_entry_is_reported():
    assert writes_of(Entry(key="newapp:thing", route="newapp/thing/", name="newapp:thing", kwargs=())) is None


# ------------------------------------------------------------------------------------------------ requests
def form_bodies(ww: WriteWorld, s: ScopeObjects) -> dict[str, dict]:
    """Valid page bodies per URL name (valid for the own scope: the write happens when allowed)."""
    assert s.second is not None  # every scope has a second subscription (the license-move target)
    return {
        "delegation:create": {
            "customer": str(s.customer.tenant_id),
            "display_name": "Matrix request",
            "unified_roles": ["Directory Readers"],
            "duration_days": "730",
            "auto_extend_duration": "PT0S",
        },
        "delegation:assignment_create": {
            "group": str(s.free_group.pk) if s.free_group else str(MISSING_INT),
            "unified_roles": ["Directory Readers"],
        },
        "delegation_customer:detail": {"action": "approve"},
        "partners:user_invite": {
            "username": "matrix-new",
            "email": "matrix-new@example.com",
            "roles": ["sales_agent"],
            "first_name": "Mat",
            "last_name": "Rix",
            "groups": [str(s.free_group.pk)] if s.free_group else [],
        },
        "partners:user_detail": {"roles": ["sales_agent", "helpdesk_agent"]},
        "partner_settings:approval": {"items": "10", "seats": "", "monthly_value": "250.00"},
        "webhooks:settings": {"url": "https://hooks.example.com/matrix", "events": ["test-created"], "active": "on"},
        "notifications:mark_read": {"id": [str(s.notification.pk)] if s.notification else [str(MISSING_INT)]},
        "portal:upgrade_review": {
            "target": "o365-e3",
            "quantity": str(s.subscription.quantity),
            "billing_cycle": "monthly",
            "submission": str(uuid.uuid4()),
        },
        "portal:subscription_detail": {"quantity": str(s.subscription.quantity + 1)},
        "portal:e4_replacement_review": {"target": "o365-e5", "quantity": str(s.subscription.quantity)},
        "portal:batch_selection": {"filter": "", "subscription": [str(s.subscription.pk)]},
        "portal:batch_upload": {
            "file": SimpleUploadedFile(
                "items.csv",
                (
                    "customerId,subscriptionId,targetOfferId,quantity,upgradeType\n"
                    f"{s.customer.tenant_id},{s.subscription.pk},o365-e3,,\n"
                ).encode(),
                "text/csv",
            )
        },
        "portal:renewals_schedule": {"subscription": [str(s.subscription.pk)], "target": "", "quantity": ""},
        "portal:batch_reject": {"reason": "Matrix rejection"},
        "portal:upgrade_reject": {"reason": "Matrix rejection"},
        "direct:purchase": {
            "offer_id": "o365-e5",
            "quantity": "1",
            "billing_cycle": "monthly",
            "payment_method": "credit_card",
        },
        "direct:licenses_move": {"source_id": str(s.subscription.pk), "target_id": str(s.second.pk), "all_users": "on"},
        "direct:seats": {"quantity": str(s.subscription.quantity + 1)},
        "direct:cancel": {"confirm": "yes"},
        "direct:checkout": {
            "quantity": str(s.subscription.quantity),
            "billing_cycle": "monthly",
            "payment_method": "credit_card",
        },
    }


def json_bodies(ww: WriteWorld, s: ScopeObjects) -> dict[tuple[str, str], dict]:
    assert s.second is not None  # every scope has a second subscription (the license-move target)
    ids = {"customerId": str(s.customer.tenant_id), "subscriptionId": str(s.subscription.pk)}
    group = str(s.free_group.pk) if s.free_group else str(MISSING_INT)
    return {
        ("api:subscription-detail", "patch"): {"friendlyName": "Matrix name"},
        ("api:subscription-upgrades", "post"): {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_only"},
        ("api:subscription-e4-replacement", "post"): {"targetOffer": {"id": "o365-e5"}},
        ("api:subscription-transitions", "post"): {
            "toCatalogItemId": "CFQ7TTC0LF8R:0001:DZH318Z0BOE3",  # Office 365 E3
            "transitionType": "transition_only",
        },
        ("api:delegatedadminrelationship-list", "post"): {
            "displayName": "Matrix API request",
            "customer": {"tenantId": str(s.customer.tenant_id)},
            "accessDetails": {"unifiedRoles": [{"displayName": "Directory Readers"}]},
            "duration": "P730D",
            "autoExtendDuration": "PT0S",
        },
        ("api:delegatedadminrelationship-requests", "post"): {"action": "terminate"},
        ("api:accessassignment-list", "post"): {
            "accessContainer": {"accessContainerId": group, "accessContainerType": "securityGroup"},
            "accessDetails": {"unifiedRoles": [{"displayName": "Directory Readers"}]},
        },
        ("api:accessassignment-detail", "patch"): {
            "accessDetails": {"unifiedRoles": [{"displayName": "Directory Readers"}]}
        },
        ("api:upgradebatch-list", "post"): {"items": [{**ids, "targetOfferId": "o365-e3"}], "dryRun": False},
        ("api:upgrade-eligibility", "post"): {"subscriptions": [ids]},
        ("api:webhook-registration", "post"): {
            "WebhookUrl": "https://hooks.example.com/matrix",
            "WebhookEvents": ["test-created"],
        },
        ("api:webhook-registration", "put"): {"WebhookEvents": ["test-created"]},
        ("api:upgradebatch-reject", "post"): {"reason": "Matrix rejection"},
        ("api:subscription-upgrade-operation-reject", "post"): {"reason": "Matrix rejection"},
        ("api:me-cart", "post"): {"targetOfferId": "o365-e5"},
        ("api:me-upgrade-order", "post"): {"targetOfferId": "o365-e5", "paymentMethod": "credit_card"},
        ("api:me-purchase", "post"): {
            "offerId": "o365-e5",
            "quantity": 1,
            "billingCycle": "monthly",
            "paymentMethod": "credit_card",
        },
        ("api:me-seat-changes", "post"): {"quantity": s.subscription.quantity + 1},
        ("api:me-payments", "post"): {},
        ("api:me-cancel", "post"): {"confirm": True},
        ("api:me-license-moves", "post"): {
            "sourceSubscriptionId": str(s.subscription.pk),
            "targetSubscriptionId": str(s.second.pk),
            "allUsers": True,
        },
    }


# URL kwargs that name another object of the scope than the default one.
# The snapshot group a write changes when it is not the scope's owner (a purchase creates a direct subscription).
OWNERS = {
    "direct:purchase": "unowned",
    "api:me-purchase": "unowned",
    "delegation:create": "contoso",
    "api:delegatedadminrelationship-list": "contoso",
    "partners:user_invite": "contoso",
    "partner_settings:approval": "contoso",
    "webhooks:settings": "contoso",
    "api:webhook-registration": "contoso",
    "api:upgradebatch-list": "contoso",
    "portal:batch_selection": "contoso",
    "portal:batch_upload": "contoso",
}
KWARG_OBJECTS = {
    "delegation_customer:detail": {"relationship_id": "pending"},
    "partners:user_reactivate": {"user_id": "inactive_user"},
    "direct:cancel": {"subscription_id": "second"},
    "api:me-cancel": {"subscription_id": "second"},
    **{
        name: {"batch_id": "waiting_batch"}
        for name in (
            "portal:batch_approve",
            "portal:batch_reject",
            "api:upgradebatch-approve",
            "api:upgradebatch-reject",
        )
    },
    **{
        name: {
            "operation_id": "waiting_upgrade",
            "subscription_id": "waiting_source",
            "customer_id": "waiting_customer",
        }
        for name in (
            "portal:upgrade_approve",
            "portal:upgrade_reject",
            "api:subscription-upgrade-operation-approve",
            "api:subscription-upgrade-operation-reject",
        )
    },
}


def url_kwargs(ww: WriteWorld, entry: Entry, scope: str) -> dict:
    s = ww.scopes[scope]
    overrides = KWARG_OBJECTS.get(entry.key, {})

    def pk(attribute, missing):
        obj = getattr(s, overrides.get(attribute + "_id", attribute), None)
        return obj.pk if obj is not None else missing

    subscription = getattr(s, overrides.get("subscription_id", "subscription")) or s.subscription
    relationship = getattr(s, overrides.get("relationship_id", "relationship"))
    user = getattr(s, overrides.get("user_id", "partner_user"))
    customer = getattr(s, overrides.get("customer_id", "customer")) or s.customer
    values = {
        "customer_id": str(customer.tenant_id),
        "tenant_id": customer.tenant_id,
        "subscription_id": subscription.pk,
        "relationship_id": relationship.pk if relationship else MISSING_UUID,
        "assignment_id": s.assignment.pk if s.assignment else MISSING_UUID,
        "grant_id": s.dap.pk if s.dap else MISSING_INT,
        "batch_id": pk("batch", MISSING_UUID),
        "user_id": (str(s.tenant_user.object_id) if entry.key.startswith("api:") else user.pk),
        "order_id": MISSING_UUID,
        "delivery_id": MISSING_UUID,
        "operation_id": pk("operation", MISSING_UUID),
        "transition_id": MISSING_UUID,
        "offer_id": "o365-e5",
        "target_offer_id": "o365-e5",
        "uidb64": "MQ",
        "token": "not-a-token",
        "app_label": "customers",
        "content_type_id": 1,
        "object_id": "1",
        "id": "1",
    }
    unknown = [k for k in entry.kwargs if k not in values]
    assert not unknown, f"{entry.key}: no value for URL kwarg(s) {unknown}; add them to url_kwargs"
    return {k: values[k] for k in entry.kwargs}


def url_of(ww: WriteWorld, entry: Entry, scope: str) -> str:
    if entry.name:
        return reverse(entry.name, kwargs=url_kwargs(ww, entry, scope))
    return "/v1/no-such-resource"


class Requests:
    """One client per session actor (force-logged-in once) and the Bearer tokens."""

    def __init__(self, ww: WriteWorld):
        self.ww = ww
        self.clients = {"anonymous": Client(), "app": Client()}
        for actor, user in ww.users.items():
            client = Client()
            client.force_login(user)
            self.clients[actor] = client
        self.api_client = Client()

    def send(self, actor: str, entry: Entry, scope: str, method: str, *, body=True):
        url = url_of(self.ww, entry, scope)
        s = self.ww.scopes[scope]
        is_api = entry.key.startswith("api:") or entry.route.startswith("^v1")
        if is_api:
            headers = {} if actor == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {self.ww.tokens[actor]}"}
            data = json_bodies(self.ww, s).get((entry.key, method), {}) if body else {}
            return getattr(self.api_client, method)(
                url, data=json.dumps(data), content_type="application/json", **headers
            )
        client = self.clients[actor]
        data = form_bodies(self.ww, s).get(entry.key, {}) if body else {}
        cookies = client.cookies
        client.cookies = type(cookies)(cookies)  # a sign-out (or a new session) must not outlive the cell
        try:
            if method == "post":
                return client.post(url, data=data)
            return getattr(client, method)(url)
        finally:
            client.cookies = cookies


# ------------------------------------------------------------------------------------------------ cells
class Cells:
    """Runs cells in savepoints and checks the snapshot; collects mismatches."""

    def __init__(self, ww: WriteWorld):
        self.ww = ww
        self.baseline = snapshot(ww)
        self.audits = audit_count()
        self.count = 0
        self.mismatches: list[str] = []

    def run(self, label: str, expected: Outcome | None, send, *, owner: str, probe: bool = False):
        """``expected`` None with ``probe``: any status below 500, nothing changed."""
        self.count += 1
        sid = transaction.savepoint()
        try:
            before = total_changes()
            try:
                response = send()
            except Exception as exc:  # a 500: reported as the cell's outcome
                response = type(
                    "Raised", (), {"status_code": 500, "get": lambda self, *a: "", "exc": repr(exc)[:120]}
                )()
            after = total_changes()
            changed = (
                set()
                if (before is not None and before == after)
                else {name for name, digest in snapshot(self.ww).items() if digest != self.baseline[name]}
            )
            audited = audit_count() - self.audits if changed or after != before else 0
        finally:
            transaction.savepoint_rollback(sid)
        status = response.status_code
        problems = []
        if probe:
            if status >= 500:
                problems.append(f"got {status}")
            if changed or audited:
                problems.append(f"a write path: changed {sorted(changed)}, {audited} audit records")
        else:
            assert expected is not None  # only a probe has no expected outcome
            if status != expected.status:
                problems.append(f"status {status}")
            allowed = {owner, "grants"} if expected.writes else set()
            if changed - allowed:
                problems.append(f"changed {sorted(changed - allowed)}")
            if expected.writes and not changed:
                problems.append("nothing changed")
            if expected.writes and expected.audited and not audited:
                problems.append("no audit record")
            if not expected.writes and audited:
                problems.append(f"{audited} audit records")
        if problems:
            self.mismatches.append(f"{label:75} expected {expected or 'no write'}: {', '.join(problems)}")

    def run_admin(self, label: str, expected: str, send, *, owner: set):
        self.count += 1
        sid = transaction.savepoint()
        try:
            before = total_changes()
            try:
                response = send()
            except Exception as exc:  # a 500: reported as the cell's outcome
                response = type(
                    "Raised", (), {"status_code": 500, "get": lambda self, *a: "", "exc": repr(exc)[:120]}
                )()
            after = total_changes()
            changed = (
                set()
                if (before is not None and before == after)
                else {name for name, digest in snapshot(self.ww).items() if digest != self.baseline[name]}
            )
            audited = audit_count() - self.audits if changed or after != before else 0
        finally:
            transaction.savepoint_rollback(sid)
        got, problems = classify(response), []
        if expected == "ok":
            if got != "302":
                problems.append(f"got {got}")
            if not changed:
                problems.append("nothing changed")
            if changed - owner:
                problems.append(f"changed {sorted(changed - owner)}")
            if audited != 1:
                problems.append(f"{audited} audit records (one expected)")
        else:
            if expected == "refused":
                if got not in ("200", "302", "denied", "missing"):
                    problems.append(f"got {got}")
            elif got != expected:
                problems.append(f"got {got}")
            if changed or audited:
                problems.append(f"changed {sorted(changed)}, {audited} audit records")
        if problems:
            self.mismatches.append(f"{label:70} expected {expected}: {', '.join(problems)}")

    def report(self, request, what: str):
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"write matrix ({what}): {self.count} cells")


@pytest.fixture
def write_world(world) -> WriteWorld:
    return build_write_world(world)


def test_write_matrix_pages_and_api(write_world, request):
    ww, started = write_world, time.monotonic()
    requests, cells = Requests(ww), Cells(ww)
    for entry in all_entries():
        rules = writes_of(entry)
        if rules is None or matches(entry, ADMIN_MODEL_URLS):
            continue  # reported by test_every_url_has_a_write_entry / covered by the admin matrix
        for method in WRITE_METHODS:
            if method in rules:
                for actor in ACTORS:
                    for scope in SCOPES:
                        cells.run(
                            f"{method.upper()} {entry.key} {actor} {scope}",
                            rules[method](actor, scope),
                            functools.partial(requests.send, actor, entry, scope, method),
                            owner=OWNERS.get(entry.key, ww.scopes[scope].owner),
                        )
            else:
                for actor in PROBE_ACTORS:
                    cells.run(
                        f"{method.upper()} {entry.key} {actor} own (probe)",
                        None,
                        functools.partial(requests.send, actor, entry, "own", method, body=False),
                        owner="",
                        probe=True,
                    )
    cells.report(request, f"pages and API, {time.monotonic() - started:.1f} s")
    assert cells.count > 2000
    assert not cells.mismatches, f"{len(cells.mismatches)} of {cells.count} cells differ:\n" + "\n".join(
        cells.mismatches
    )


# ================================================================================================ Django admin
# Outcomes of an admin cell. "login": 302 to the admin sign-in; "denied": 403; "missing": the object "does not
# exist" (404, or the admin's redirect to its index); "refused": nothing changes, the page (200), a redirect with
# a message (302) or 403 says why; "ok": 302 after the write, which really happens, with an audit record.
ADMIN_KINDS = ("ok", "login", "denied", "missing", "refused")
OPS_BASE = ("add", "change", "delete")


@dataclass(frozen=True)
class Admin:
    """What a partner global admin (``pga``) and the operator (``op``) may do on a model, by op name
    (``add``, ``change``, ``delete``, an action name); ``pga_scopes``: the scopes whose objects are the PGA's;
    ``op_scopes``: the scopes where the operator's write happens; ``special``: (who, op, scope) → kind."""

    pga: tuple = ()
    op: tuple = ()
    pga_scopes: tuple = ("own",)
    op_scopes: tuple = SCOPES
    special: tuple = ()
    scoped: bool = True  # False: a shared or third-party admin (catalog, auth, axes, ...) sees every object

    def expect(self, who: str, op: str, scope: str, exists: bool = True) -> str:
        """The outcome of one cell (``exists``: the scope has an object of this model to act on)."""
        for s_who, s_op, s_scope, kind in self.special:
            if (s_who, s_op) == (who, op) and scope in s_scope:
                return kind
        allowed, in_scope = (self.pga, self.pga_scopes) if who == "pga" else (self.op, self.op_scopes)
        action = op not in OPS_BASE
        if (
            self.scoped
            and op in ("change", "delete")
            and (not exists or (who == "pga" and scope not in self.pga_scopes))
        ):
            return "missing"  # partner-scoped admins look the object up in the editor's scope first: 404
        if op not in allowed:
            return "refused" if action else "denied"
        if op != "add" and not exists:
            return "refused" if action else "missing"  # the scope has no such object
        if scope not in in_scope:
            return "refused" if (action or op == "add") else "missing"
        return "ok"


ALL_OPS = ("add", "change", "delete", "delete_selected")
VIEW = Admin()
UNSCOPED_VIEW = Admin(scoped=False)
PO = PARTNER_OWNED
# One line per registered model (admin-policy.md). Partner-scoped objects of the "shared" scope are Wingtip's.
ADMIN: dict[str, Admin] = {
    # nobody deletes a tenant in the admin (it is shared by partners and keeps its audit trail); the shared
    # customer is Contoso's too
    "customers.customer": Admin(op=("add", "change"), pga_scopes=("own", "shared")),
    "customers.resellerrelationship": Admin(op=ALL_OPS, op_scopes=PO),
    "customers.customeradminrole": Admin(op=ALL_OPS),
    # tenant users: through services needing Contoso's delegated user-admin role (DAP on own and shared); the
    # shared scope's user holds a license of Wingtip's subscription: its delete is refused
    # deletes go one at a time through the tenant-user service: no "delete selected"
    "customers.tenantuser": Admin(
        pga=("add", "change", "delete"),
        pga_scopes=("own", "shared"),
        op=("add", "change", "delete"),
        special=(("pga", "delete", ("shared",), "refused"),),
    ),
    "customers.customeruserobjectpermission": UNSCOPED_VIEW,
    "customers.customergroupobjectpermission": UNSCOPED_VIEW,
    "subscriptions.licenseassignment": Admin(pga=("add", "delete"), op=("add", "change", "delete")),
    # reactivate is refused for everybody here: the scopes' subscriptions are active
    "subscriptions.subscription": Admin(
        pga=("change", "suspend"),
        op=("change", "suspend"),
        special=(("pga", "reactivate", SCOPES, "refused"), ("op", "reactivate", SCOPES, "refused")),
    ),
    "delegation.dapgrant": VIEW,
    "delegation.gdaprelationship": Admin(
        pga=("add", "request_termination"),
        pga_scopes=("own", "shared"),
        op=("request_termination",),
        op_scopes=PO,
        # the shared scope's relationship is Wingtip's: not there for Contoso
        special=(
            ("pga", "request_termination", ("shared",), "refused"),
            ("pga", "change", ("shared",), "missing"),
            ("pga", "delete", ("shared",), "missing"),
        ),
    ),
    "delegation.gdapaccessassignment": Admin(
        pga=("add", "change", "delete"), op=("add", "change", "delete"), op_scopes=PO
    ),
    # a PGA changes their own partner's approval threshold only (the other fields are read-only for them)
    "partners.partner": Admin(
        pga=("change",),
        op=("add", "change", "delete"),
        op_scopes=PO,
        # a partner with subscriptions and users cannot be deleted (protected rows)
        special=(
            ("op", "add", SCOPES, "ok"),
            ("op", "delete", PO, "refused"),
            ("op", "delete_selected", SCOPES, "refused"),
        ),
    ),
    # a PGA's new group is always Contoso's (whatever partner the body names)
    "partners.securitygroup": Admin(pga=ALL_OPS, op=ALL_OPS, op_scopes=PO, special=(("pga", "add", SCOPES, "ok"),)),
    "partners.partnerroleassignment": VIEW,
    # a PGA's invitation always creates a Contoso user; the orphan/direct scopes' users are customer admins
    # users are deactivated, never deleted (their audit trail stays), by operators neither
    "accounts.user": Admin(
        pga=("add", "change", "deactivate_users"),
        op=("add", "change", "deactivate_users"),
        # the orphan/direct scopes' users are customer admins: no roles, no partner
        special=(
            ("pga", "add", SCOPES, "ok"),
            ("op", "add", ("orphan", "direct"), "refused"),
            ("op", "deactivate_users", ("orphan", "direct"), "refused"),
            ("pga", "reactivate_users", SCOPES, "refused"),
            ("op", "reactivate_users", SCOPES, "refused"),
            # nobody in the world has an MFA device: nothing to reset (test_mfa.py resets one)
            ("op", "reset_mfa", SCOPES, "refused"),
        ),
    ),
    "accounts.apitoken": Admin(pga=("revoke",), op=("revoke",), op_scopes=PO),
    "catalog.servicefamily": Admin(
        op=("add", "change"),
        scoped=False,
        special=(("op", "delete", SCOPES, "refused"), ("op", "delete_selected", SCOPES, "refused")),
    ),
    "catalog.serviceplan": Admin(op=ALL_OPS, scoped=False),
    "catalog.offer": Admin(op=ALL_OPS, scoped=False),  # an offer no subscription uses
    "catalog.offerprice": Admin(op=ALL_OPS, scoped=False),
    "catalog.commerceproduct": Admin(op=ALL_OPS, scoped=False),
    "catalog.commerceprice": Admin(op=ALL_OPS, scoped=False),
    "catalog.upgradepath": Admin(op=ALL_OPS, scoped=False),
    "catalog.directoption": Admin(op=ALL_OPS, scoped=False),
    "audit.auditrecord": VIEW,
    # the scope's upgrade awaiting approval (its sales agent's): the PGA and the operator approve it; a rejection
    # without a reason shows the intermediate page asking one (refused: nothing changes)
    "upgrades.upgradeoperation": Admin(pga=("approve_operations",), op=("approve_operations",), op_scopes=PO),
    "upgrades.billingentry": VIEW,
    "api.idempotencyrecord": UNSCOPED_VIEW,
    # no order waits for a credit check in this world: approve/decline find nothing to do
    "direct.directorder": UNSCOPED_VIEW,
    "direct.highvolumecondition": Admin(op=("change",), scoped=False),
    "direct.payment": UNSCOPED_VIEW,  # issue 14: payments of unpaid balances, operators view them only
    # retired CSP plans (a proxy, operators only): the world holds no CSP E4, so the replacement finds nothing
    "direct.retiredcspsubscription": Admin(op=("replace_e4",), scoped=False),
    # the admin names the scope's batch awaiting approval (its sales agent's): the PGA and the operator approve or
    # cancel it; a rejection without a reason shows the intermediate page asking one (refused: nothing changes)
    "bulk.upgradebatch": Admin(
        pga=("cancel_batches", "approve_batches"), op=("cancel_batches", "approve_batches"), op_scopes=PO
    ),
    "bulk.upgradebatchitem": VIEW,
    # webhooks (issue 15): operators look; partners manage theirs on their settings page and the API
    "webhooks.registration": UNSCOPED_VIEW,
    "webhooks.event": UNSCOPED_VIEW,
    "webhooks.delivery": UNSCOPED_VIEW,
    "webhooks.attempt": UNSCOPED_VIEW,
    # outside the policy's list: operators only, the sign-in lockout tables read-only
    "auth.group": Admin(op=ALL_OPS, scoped=False),
    "axes.accessattempt": Admin(
        scoped=False, special=(("op", "change", SCOPES, "refused"), ("op", "delete", SCOPES, "refused"))
    ),
    "axes.accesslog": Admin(
        scoped=False, special=(("op", "change", SCOPES, "refused"), ("op", "delete", SCOPES, "refused"))
    ),
    "axes.accessfailurelog": Admin(
        scoped=False, special=(("op", "change", SCOPES, "refused"), ("op", "delete", SCOPES, "refused"))
    ),
}
# Actions each model's admin must offer (every other action of the admin needs a line here too).
ADMIN_ACTIONS: dict[str, tuple] = {
    "accounts.user": ("deactivate_users", "reactivate_users", "reset_mfa"),
    "accounts.apitoken": ("revoke",),
    "delegation.gdaprelationship": ("request_termination",),
    "subscriptions.subscription": ("suspend", "reactivate"),
    "direct.directorder": ("approve_credit_check", "decline_credit_check"),
    "direct.retiredcspsubscription": ("replace_e4",),
    "bulk.upgradebatch": ("cancel_batches", "approve_batches", "reject_batches"),
    "upgrades.upgradeoperation": ("approve_operations", "reject_operations"),
}


def admin_registry() -> dict[str, tuple]:
    """label → the action names its admin offers (``delete_selected`` included when offered)."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = type(
        "Op",
        (),
        {
            "is_active": True,
            "is_authenticated": True,
            "is_staff": True,
            "is_superuser": True,
            "has_perm": lambda *a: True,
            "pk": None,
        },
    )()
    return {
        model._meta.label_lower: tuple(model_admin.get_actions(request))
        for model, model_admin in admin.site._registry.items()
    }


def test_every_admin_model_and_action_has_an_entry():
    problems = []
    for label, actions in admin_registry().items():
        if label not in ADMIN:
            problems.append(f"{label}: no line in ADMIN")
            continue
        declared = set(ADMIN_ACTIONS.get(label, ())) | {"delete_selected"}
        problems += [f"{label}: action {a!r} has no entry in ADMIN_ACTIONS" for a in actions if a not in declared]
        problems += [
            f"{label}: the policy's action {a!r} is missing" for a in ADMIN_ACTIONS.get(label, ()) if a not in actions
        ]
    problems += [f"{label}: in ADMIN but not registered" for label in set(ADMIN) - set(admin_registry())]
    assert not problems, "Django admin write matrix:\n  " + "\n  ".join(problems)


class _FormFields(HTMLParser):
    """The fields a browser would submit from the admin's ``<form id="..._form">`` (inlines included)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list] = {}
        self.in_form = False
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.in_form = False


def form_data(client: Client, url: str) -> dict:
    response = client.get(url)
    if response.status_code != 200:
        return {}
    parser = _FormFields()
    parser.feed(response.content.decode())
    return {k: v if len(v) != 1 else v[0] for k, v in parser.data.items()}


def admin_cells_for(label: str) -> list[str]:
    return list(OPS_BASE) + ["delete_selected"] + list(ADMIN_ACTIONS.get(label, ()))


def classify(response) -> str:
    status, location = response.status_code, response.get("Location", "")
    if status == 302 and "/admin/login/" in location:
        return "login"
    if status == 403:
        return "denied"
    if status == 404 or (status == 302 and location.rstrip("/").endswith("/admin")):
        return "missing"
    return str(status)


def test_write_matrix_admin(write_world, request):
    """Every registered model's add, change, delete and actions × every actor × every scope (one world)."""
    from django.apps import apps

    ww, started = write_world, time.monotonic()
    clients = Requests(ww).clients
    operator = clients["operator"]
    cells = Cells(ww)
    for label in sorted(ADMIN):
        admin_cells(ww, cells, clients, operator, label, apps.get_model(label))
    cells.report(request, f"Django admin, {time.monotonic() - started:.1f} s")
    assert cells.count >= 9000
    assert not cells.mismatches, f"{len(cells.mismatches)} of {cells.count} admin cells differ:\n" + "\n".join(
        cells.mismatches
    )


def admin_cells(ww: WriteWorld, cells: Cells, clients: dict, operator: Client, label: str, model) -> None:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    rule = ADMIN[label]
    for op in admin_cells_for(label):
        for scope in SCOPES:
            obj = admin_object(ww, label, scope)
            missing = MISSING_UUID if model._meta.pk.get_internal_type() == "UUIDField" else MISSING_INT
            pk = obj.pk if obj is not None else missing
            if op == "add":
                url, data = (
                    base + "add/",
                    {**form_data(operator, base + "add/"), **admin_add_body(ww, label, scope), "_save": "Save"},
                )
            elif op == "change":
                url = f"{base}{pk}/change/"
                data = {**form_data(operator, url), **ADMIN_CHANGE.get(label, {}), "_save": "Save"}
            elif op == "delete":
                url, data = f"{base}{pk}/delete/", {"post": "yes"}
            else:
                url, data = base, {"action": op, "_selected_action": [str(pk)], "post": "yes", "index": "0"}
            for actor in ACTORS:
                who = {"partner:global_admin": "pga", "operator": "op"}.get(actor)
                expected = rule.expect(who, op, scope, obj is not None) if who else "login"
                client = clients[actor]
                headers = {"HTTP_AUTHORIZATION": f"Bearer {ww.tokens['app']}"} if actor == "app" else {}

                def send(client=client, url=url, data=data, headers=headers):
                    cookies = client.cookies
                    client.cookies = type(cookies)(cookies)
                    try:
                        return client.post(url, data=data, **headers)
                    finally:
                        client.cookies = cookies

                cells.run_admin(
                    f"{label} {op} {actor} {scope}", expected, send, owner=admin_owner(ww, label, scope, who, op)
                )
