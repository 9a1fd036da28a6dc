"""Test builders: plain functions and classes that create test data or check responses, shared by every test
package. Fixtures stay in ``conftest.py`` files (the shared ones in ``tests/conftest.py``) and call these; no
test module imports a ``conftest``.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.principals import ApplicationPrincipal
from audit.models import AuditRecord
from bulk.models import UpgradeBatch, UpgradeBatchItem
from customers.models import Customer, TenantUser
from partners.models import Partner
from partners.services import partner_user_sync_admin_access
from subscriptions.models import LicenseAssignment
from tests import factories
from upgrades.models import BillingEntry, UpgradeOperation

# --- the /v1/ API ----------------------------------------------------------------------------------------------------


@dataclass
class Api:
    """An API client bound to one Bearer token."""

    client: APIClient
    raw_token: str

    def call(
        self,
        method: str,
        path: str,
        data=None,
        *,
        headers: dict | None = None,
        raw_body: str | None = None,
        token: str | None = None,
    ):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token or self.raw_token}"}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        handler = getattr(self.client, method.lower())
        if raw_body is not None:
            return handler(path, data=raw_body, content_type="application/json", **extra)
        if data is None:
            return handler(path, **extra)
        return handler(path, data=data, format="json", **extra)

    def get(self, path, **kwargs):
        return self.call("get", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.call("post", path, data, **kwargs)

    def patch(self, path, data=None, **kwargs):
        return self.call("patch", path, data, **kwargs)


def api_for(*, user=None, partner=None) -> Api:
    _token, raw = ApiToken.issue(user=user, partner=partner)
    return Api(client=APIClient(), raw_token=raw)


def tokens_just_used() -> None:
    """Every token's use was recorded a moment ago: the next requests within the minute write no ``last_used``
    (``api.authentication.record_use``), so query counts compare the requests' own work."""
    ApiToken.objects.update(last_used=timezone.now())


def sub_url(subscription, suffix: str = "") -> str:
    return f"/v1/customers/{subscription.customer.tenant_id}/subscriptions/{subscription.pk}{suffix}"


@dataclass
class Upgradable:
    """A Business Basic subscription of ``partner`` that can be upgraded to Office 365 E3 with license
    transfer (DAP on, the agent in *Admin Agents*), with ``users`` holding a license each."""

    customer: object
    subscription: object
    users: list


def make_upgradable(*, partner, agent, seats: int = 10, licensed: int = 3, customer=None) -> Upgradable:
    customer = customer or factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.DapGrantFactory(partner=partner, customer=customer)
    group = factories.SecurityGroupFactory(partner=partner, name="Admin Agents")
    group.members.add(agent)
    subscription = factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id="m365-business-basic", quantity=seats
    )
    users = [factories.LicenseAssignmentFactory(subscription=subscription).user for _ in range(licensed)]
    return Upgradable(customer=customer, subscription=subscription, users=users)


# --- ServiceFault assertions -----------------------------------------------------------------------------------------


FAULT_KEYS = {"code", "description", "errorName", "data", "attributes"}


def assert_fault(response, status: int, *mentions: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == FAULT_KEYS
    assert body["attributes"] == {"objectType": "ServiceFault"}
    assert isinstance(body["code"], int) and isinstance(body["data"], list)
    text = f"{body['errorName']} {body['description']} {' '.join(body['data'])}"
    for mention in mentions:
        assert mention in text, text
    return body


# --- CSP upgrades ----------------------------------------------------------------------------------------------------


ALL_ROLES = [
    "Directory Readers",
    "Directory Writers",
    "Global Reader",
    "License Administrator",
    "User Administrator",
    "Helpdesk Administrator",
    "Global Administrator",
]


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


def make_subscription(customer, offer_id="m365-business-basic", *, partner=None, quantity=10, **fields):
    fields.setdefault("term_start_date", date.today().replace(day=1))
    if fields.get("channel", "csp") != "csp":
        fields.setdefault("channel_partner_name", "")
        partner = None
    return factories.SubscriptionFactory(
        customer=customer, offer_id=offer_id, partner=partner, quantity=quantity, **fields
    )


NCE_TERM_START = date(2026, 2, 1)
NCE_TERM_END = date(2027, 1, 31)


def nce_subscription(customer, offer_id="m365-business-basic", *, partner, **fields):
    """A new commerce subscription of ``partner`` (a one-year term billed yearly, 2026-02-01 to 2027-01-31,
    unless told)."""
    fields.setdefault("term_duration", "P1Y")
    fields.setdefault("billing_cycle", "annual")
    fields.setdefault("term_start_date", NCE_TERM_START)
    fields.setdefault("commitment_end_date", NCE_TERM_END)
    return factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id=offer_id, commerce="new", **fields
    )


def gdap_customer(*, partner, agent, company_name="Fabrikam", domain="fabrikam.onmicrosoft.com"):
    """A customer of ``partner`` to whose tenant ``agent`` holds license-writing GDAP access."""
    customer = factories.CustomerFactory(company_name=company_name, domain=domain)
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    return customer


def e4_tenant(*, company_name="Fabrikam AB", domain="fabrikam.onmicrosoft.com", country="SE", licensed=6):
    """A direct customer (``greta`` its global administrator) with an Office 365 E4 bought directly by credit card
    this calendar year: 10 licenses, ``licensed`` of them assigned. ``(customer, e4, users)``."""
    customer = factories.CustomerFactory(country=country, company_name=company_name, domain=domain)
    admin = factories.UserFactory(username="greta", first_name="Greta", last_name="Lind")
    factories.CustomerAdminRoleFactory(user=admin, customer=customer, role="global_administrator")
    start = date.today().replace(month=1, day=1)
    e4 = factories.SubscriptionFactory(
        customer=customer,
        offer_id="o365-e4",
        quantity=10,
        channel="direct",
        partner=None,
        channel_partner_name="",
        payment_method="credit_card",
        billing_cycle="monthly",
        term_start_date=start,
        commitment_end_date=date(start.year, 12, 31),
    )
    return customer, e4, add_users(e4, licensed)


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


# --- access control --------------------------------------------------------------------------------------------------


def active_gdap(
    partner,
    customer,
    *,
    roles=("Directory Readers", "Directory Writers"),
    group=None,
    assignment_roles=None,
    now=None,
    **kwargs,
):
    """An approved relationship (and optionally an active assignment to ``group``)."""
    now = now or timezone.now()
    relationship = factories.GdapRelationshipFactory(
        partner=partner,
        customer=customer,
        unified_roles=list(roles),
        status="active",
        activated_date_time=now - timedelta(days=10),
        **kwargs,
    )
    if group is not None:
        factories.AccessAssignmentFactory(
            relationship=relationship, group=group, unified_roles=list(assignment_roles or roles), status="active"
        )
    return relationship


# --- the direct (admin center) flow ----------------------------------------------------------------------------------


def direct_subscription(customer, offer_id="o365-e4", **fields):
    defaults = {
        "customer": customer,
        "offer_id": offer_id,
        "quantity": 10,
        "channel": "direct",
        "partner": None,
        "channel_partner_name": "",
        "payment_method": "credit_card",
        "billing_cycle": "monthly",
        "term_start_date": date(2026, 1, 1),
        "commitment_end_date": date(2026, 12, 31),
    }
    defaults.update(fields)
    return factories.SubscriptionFactory(**defaults)


def assign(subscription, count, *, disabled=()):
    users = factories.TenantUserFactory.create_batch(count, customer=subscription.customer)
    LicenseAssignment.objects.bulk_create(
        [LicenseAssignment(user=u, subscription=subscription, disabled_service_plans=list(disabled)) for u in users]
    )
    return users


# --- bulk upgrades ---------------------------------------------------------------------------------------------------


BATCHES = "/v1/upgradeBatches"


ELIGIBILITY = "/v1/upgradeEligibility"


# The header line of a batch's results CSV (the batch page's download), written out by hand.
RESULTS_CSV_HEADER = [
    "position",
    "customerId",
    "subscriptionId",
    "targetOfferId",
    "quantity",
    "upgradeType",
    "status",
    "targetSubscriptionId",
    "reasons",
]


def item(upgradable, target="o365-e3", **extra) -> dict:
    return {
        "customerId": str(upgradable.customer.tenant_id),
        "subscriptionId": str(upgradable.subscription.pk),
        "targetOfferId": target,
        **extra,
    }


def run_batch(api: Api, body: dict, capture, **kwargs):
    """POST a batch and run the chunk tasks it enqueues (eager Celery) as the commit would."""
    with capture(execute=True):
        response = api.post(BATCHES, body, **kwargs)
    assert response.status_code == 202, response.json()
    return UpgradeBatch.objects.get(pk=response.json()["id"]), response


def items_of(api: Api, batch, query: str = "") -> dict:
    response = api.get(f"{BATCHES}/{batch.pk}/items{query}")
    assert response.status_code == 200, response.json()
    return response.json()


# --- the admin site --------------------------------------------------------------------------------------------------


@dataclass
class AdminWorld:
    contoso: Partner
    wingtip: Partner
    proseware: Customer
    wideworld: Customer
    users: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    subs: dict = field(default_factory=dict)
    tenant_users: dict = field(default_factory=dict)
    licenses: dict = field(default_factory=dict)
    gdap: dict = field(default_factory=dict)
    dap: dict = field(default_factory=dict)

    def wingtip_traces(self) -> list[str]:
        """Strings that must never appear in a Contoso admin's page about the shared customer."""
        sub = self.subs["wingtip"]
        return [
            str(sub.pk),
            sub.friendly_name,
            "Microsoft 365 Apps for business",
            self.wingtip.name,
            self.wingtip.code,
            self.gdap["wingtip"].display_name,
        ]


def give_contoso_admin(world: AdminWorld, roles: list[str]) -> None:
    """An active GDAP access assignment of ``roles`` on Proseware to a group ``contoso-admin`` is in."""
    factories.AccessAssignmentFactory(
        relationship=world.gdap["contoso"], group=world.groups["tier2"], unified_roles=roles, status="active"
    )


def login(client, user):
    client.force_login(user)
    return client


def admin_url(model_or_obj, view: str = "changelist", *args) -> str:
    meta = model_or_obj._meta
    if view in ("change", "delete", "history") and not args:
        args = (model_or_obj.pk,)
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST data of an admin change form as rendered (its current values), inline formsets included."""
    data: dict[str, Any] = {}

    def add_form(form):
        for name, formfield in form.fields.items():
            if formfield.disabled:
                continue
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(formfield, forms.JSONField):
                data[key] = formfield.prepare_value(value)
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif value is None:
                data[key] = ""
            elif isinstance(value, (list, tuple)):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.initial_forms:
            add_form(form)
    return data


def page_text(response) -> str:
    return response.content.decode()


# --- the partner-side admin world ------------------------------------------------------------------------------------


@dataclass
class Side:
    """One partner's objects."""

    partner: object
    admin: object = None  # the partner global admin
    agent: object = None  # a sales agent
    group: object = None
    app_token: object = None
    user_token: object = None
    batch: object = None
    operation: object = None
    billing: object = None
    audit: object = None
    names: list = field(default_factory=list)  # strings that must never show to the other partner


@dataclass
class PartnerSideWorld:
    own: Side
    other: Side
    shared: object  # a customer both partners resell to
    operator: object


def partner_side(code: str, name: str, prefix: str, shared) -> Side:
    """One partner reselling to ``shared``, with a user, group, tokens, a batch, an operation, billing, audit."""
    partner = factories.PartnerFactory(code=code, name=name)
    side = Side(partner=partner)
    side.admin = factories.PartnerUserFactory(
        partner=partner, username=f"{prefix}-boss", roles=["global_admin"], email=f"{prefix}-boss@example.com"
    )
    partner_user_sync_admin_access(side.admin)
    side.admin.refresh_from_db()
    side.agent = factories.PartnerUserFactory(
        partner=partner, username=f"{prefix}-agent", roles=["sales_agent"], email=f"{prefix}-agent@example.com"
    )
    side.group = factories.SecurityGroupFactory(partner=partner, name=f"{prefix}-tier-one")
    side.group.members.add(side.agent)
    side.app_token, _ = ApiToken.issue(partner=partner, name=f"{prefix}-app-token")
    side.user_token, _ = ApiToken.issue(user=side.agent, name=f"{prefix}-user-token")
    factories.RelationshipFactory(partner=partner, customer=shared)
    subscription = factories.SubscriptionFactory(
        customer=shared, partner=partner, offer_id="o365-e3", friendly_name=f"{prefix}-subscription"
    )
    side.batch = UpgradeBatch.objects.create(
        partner=partner, created_by_user=side.agent, total_items=1, correlation_id=f"{prefix}-batch-correlation"
    )
    UpgradeBatchItem.objects.create(
        batch=side.batch,
        position=0,
        customer_tenant_id=shared.tenant_id,
        subscription_id=subscription.pk,
        target_offer_id="o365-e5",
    )
    side.operation = UpgradeOperation.objects.create(
        source=subscription,
        target_offer_id="o365-e5",
        customer=shared,
        partner=partner,
        actor_user=side.agent,
        actor_upn=f"{prefix}-operation-upn@example.com",
        upgrade_type="full",
        quantity=3,
        billing_cycle="monthly",
        status="succeeded",
        correlation_id=f"{prefix}-operation-correlation",
    )
    side.billing = BillingEntry.objects.create(
        operation=side.operation,
        subscription=subscription,
        kind="charge",
        description=f"{prefix}-billing-entry",
        amount=Decimal("12.34"),
        currency="USD",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
    )
    side.audit = AuditRecord.objects.create(
        partner=partner,
        customer=shared,
        resource_type="subscription",
        operation_type="update_subscription",
        user_principal_name=f"{prefix}-audited@example.com",
    )
    side.names = [
        f"{prefix}-boss",
        f"{prefix}-agent",
        f"{prefix}-tier-one",
        f"{prefix}-app-token",
        f"{prefix}-user-token",
        f"{prefix}-audited@example.com",
        f"{prefix}-batch-correlation",
        f"{prefix}-operation-upn@example.com",
        f"{prefix}-billing-entry",
        str(side.batch.pk),
        str(side.operation.pk),
        str(subscription.pk),
        name,
    ]
    return side


def partner_side_world() -> PartnerSideWorld:
    """Contoso and Wingtip sharing a customer (the partner-side admin tests' ``world``)."""
    shared = factories.CustomerFactory(company_name="Shared Co", domain="shared.onmicrosoft.com")
    own = partner_side("contoso-csp", "Contoso CSP", "contoso", shared)
    other = partner_side("wingtip-csp", "Wingtip CSP", "wingtip", shared)
    operator = factories.UserFactory(username="root-operator", is_superuser=True, is_staff=True)
    return PartnerSideWorld(own=own, other=other, shared=shared, operator=operator)


def absent(response, names) -> list[str]:
    """The ``names`` that appear in the response body (expected: none)."""
    body = response.content.decode()
    return [name for name in names if name in body]


# -------------------------------------------------------------------------------------------- form → POST data
def widget_value(field, value):
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    formatted = field.widget.format_value(value) if hasattr(field.widget, "format_value") else value
    if isinstance(formatted, list):  # a Select widget formats its one value as a list
        formatted = formatted[0] if formatted else ""
    return "" if formatted is None else str(formatted)


def form_post_data(form) -> dict:
    """The POST an unchanged submit of ``form`` (unbound, as rendered) would send."""
    data: dict[str, Any] = {}
    for name, form_field in form.fields.items():
        if form_field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        key = bound.html_name
        if isinstance(form_field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(form_field, forms.SplitDateTimeField):
            parts = form_field.widget.decompress(value) if value else [None, None]
            for index, (part, widget) in enumerate(zip(parts, form_field.widget.widgets, strict=True)):
                data[f"{key}_{index}"] = "" if part is None else widget.format_value(part)
        elif isinstance(form_field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
            data[key] = [str(getattr(v, "pk", v)) for v in (value or [])]
        else:
            data[key] = widget_value(form_field, value)
    return data


def change_page_post_data(response) -> dict:
    """The change form and every inline formset of an admin change page, with their current values."""
    data = form_post_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_post_data(formset.management_form))
        for form in formset.forms:
            data.update(form_post_data(form))
    return data


# --- end-to-end and browser tests ------------------------------------------------------------------------------------


PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password


BROWSER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_in(page, username: str, password: str = PASSWORD):
    """Fill and submit the sign-in form (the page is left wherever the portal redirects)."""
    page.goto("/accounts/login/")
    page.get_by_label("User name", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


E2E_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)
