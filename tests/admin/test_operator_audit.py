"""Every admin change of a domain object writes exactly one audit record (issue 8 item 1), for an operator and
every registered admin model of the customers, subscriptions and delegation apps. A model without an entry below
fails the test."""

import pytest
from django.contrib import admin

from audit.models import AuditRecord
from customers.models import CustomerAdminRole, CustomerGroupObjectPermission, CustomerUserObjectPermission
from tests import factories
from tests.builders import admin_url, form_data

pytestmark = pytest.mark.django_db

APPS = {"customers", "subscriptions", "delegation"}

# model label → (object in the world, field to change, new POSTed value)
CHANGES = {
    "customers.customer": (lambda w: w.proseware, "company_name", "Proseware Ltd"),
    "customers.resellerrelationship": (
        lambda w: w.proseware.partner_relationships.get(partner=w.wingtip),
        "relationship",
        "advisor",
    ),
    "customers.customeradminrole": (lambda w: CustomerAdminRole.objects.get(), "role", "license_administrator"),
    "customers.tenantuser": (lambda w: w.tenant_users["cara"], "display_name", "Cara Lind"),
    "subscriptions.subscription": (lambda w: w.subs["wingtip"], "friendly_name", "Renamed by an operator"),
    "subscriptions.licenseassignment": (
        lambda w: w.licenses["ben-wingtip"],
        "disabled_service_plans",
        '["EXCHANGE_S_STANDARD"]',
    ),
    "delegation.gdapaccessassignment": (
        lambda w: w.gdap["contoso"].access_assignments.get(),
        "assigned_roles",
        ["Directory Readers", "License Administrator"],
    ),
}
# Nothing is editable for anybody (consent, grants): a change POST is refused and records nothing.
VIEW_ONLY = {
    "customers.customeruserobjectpermission": lambda w: CustomerUserObjectPermission.objects.first(),
    "customers.customergroupobjectpermission": lambda w: CustomerGroupObjectPermission.objects.first(),
    "delegation.dapgrant": lambda w: w.dap["wingtip"],
    "delegation.gdaprelationship": lambda w: w.gdap["wingtip"],
}


@pytest.fixture
def full_world(world):
    factories.CustomerAdminRoleFactory(
        user=factories.UserFactory(username="proseware-ga"), customer=world.proseware, role="global_administrator"
    )
    factories.AccessAssignmentFactory(
        relationship=world.gdap["contoso"],
        group=world.groups["tier2"],
        unified_roles=["Directory Readers"],
        status="active",
    )
    return world


def registered_labels() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry if model._meta.app_label in APPS}


def test_every_model_of_the_three_apps_has_an_entry():
    assert registered_labels() == set(CHANGES) | set(VIEW_ONLY)


@pytest.mark.parametrize("label", sorted(CHANGES))
def test_an_operator_change_writes_one_audit_record(operator, full_world, label):
    get_object, field, value = CHANGES[label]
    obj = get_object(full_world)
    page = operator.get(admin_url(obj, "change"))
    assert page.status_code == 200
    assert field in page.context["adminform"].form.fields
    before = AuditRecord.objects.count()
    response = operator.post(admin_url(obj, "change"), form_data(page) | {field: value})
    assert response.status_code == 302, getattr(response, "context", None) and [
        response.context["adminform"].form.errors,
        [inline.formset.errors for inline in response.context["inline_admin_formsets"]],
    ]
    assert AuditRecord.objects.count() == before + 1
    obj.refresh_from_db()
    model_field = {"assigned_roles": "unified_roles"}.get(field, field)
    stored = getattr(obj, model_field)
    expected = {"disabled_service_plans": ["EXCHANGE_S_STANDARD"]}.get(field, value)
    assert stored == expected


@pytest.mark.parametrize("label", sorted(VIEW_ONLY))
def test_view_only_models_refuse_an_operator_change(operator, full_world, label):
    obj = VIEW_ONLY[label](full_world)
    assert obj is not None
    page = operator.get(admin_url(obj, "change"))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    before = AuditRecord.objects.count()
    assert operator.post(admin_url(obj, "change"), {}).status_code == 403
    assert AuditRecord.objects.count() == before


def test_an_operator_action_writes_one_audit_record(operator, full_world, django_capture_on_commit_callbacks):
    """The one action on a view-only model (GDAP termination) is audited once, like every other action."""
    from delegation.models import GdapRelationship

    before = AuditRecord.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        operator.post(
            admin_url(GdapRelationship, "changelist"),
            {"action": "request_termination", "_selected_action": [str(full_world.gdap["wingtip"].pk)]},
        )
    assert AuditRecord.objects.count() == before + 1
