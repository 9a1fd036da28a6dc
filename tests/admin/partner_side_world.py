"""Shared set-up of the partner-side admin tests (issue 8 item 1): two partners sharing a customer, their users,
groups, tokens, batches, upgrade operations, billing entries and audit records; and a helper that turns an admin
change page into the POST of its current values."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from accounts.models import ApiToken
from audit.models import AuditRecord
from bulk.models import UpgradeBatch, UpgradeBatchItem
from partners.services import partner_user_sync_admin_access
from tests import factories
from upgrades.models import BillingEntry, UpgradeOperation


def admin_url(model_or_obj, view: str = "changelist", *args) -> str:
    meta = model_or_obj._meta
    if view in ("change", "delete", "history") and not args:
        args = (model_or_obj.pk,)
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


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
class World:
    own: Side
    other: Side
    shared: object  # a customer both partners resell to
    operator: object


def _side(code: str, name: str, prefix: str, shared) -> Side:
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


@pytest.fixture
def world(db):
    shared = factories.CustomerFactory(company_name="Shared Co", domain="shared.onmicrosoft.com")
    own = _side("contoso-csp", "Contoso CSP", "contoso", shared)
    other = _side("wingtip-csp", "Wingtip CSP", "wingtip", shared)
    operator = factories.UserFactory(username="root-operator", is_superuser=True, is_staff=True)
    return World(own=own, other=other, shared=shared, operator=operator)


@pytest.fixture
def pga_client(client, world):
    """The own partner's global admin, signed in."""
    client.force_login(world.own.admin)
    return client


@pytest.fixture
def operator_client(client, world):
    client.force_login(world.operator)
    return client


def absent(response, names) -> list[str]:
    """The ``names`` that appear in the response body (expected: none)."""
    body = response.content.decode()
    return [name for name in names if name in body]


# -------------------------------------------------------------------------------------------- form → POST data
def _value(field, value):
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
    data = {}
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
            for index, (part, widget) in enumerate(zip(parts, form_field.widget.widgets)):
                data[f"{key}_{index}"] = "" if part is None else widget.format_value(part)
        elif isinstance(form_field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
            data[key] = [str(getattr(v, "pk", v)) for v in (value or [])]
        else:
            data[key] = _value(form_field, value)
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
