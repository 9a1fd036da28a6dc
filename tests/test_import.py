"""Tenant import: all or nothing, every error with its path, idempotent, flat query count."""

import copy
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from audit.models import AuditRecord
from core.durations import format_iso_duration, parse_iso_duration
from customers.models import Customer, CustomerAdminRole, ResellerRelationship, TenantUser
from delegation.models import DapGrant, GdapAccessAssignment, GdapRelationship
from importer.services import TenantImportInvalid, tenant_import, tenant_import_read
from partners.models import Partner, PartnerRoleAssignment, SecurityGroup
from subscriptions.models import LicenseAssignment, Subscription

EXAMPLE = Path(__file__).parent / "data" / "tenant_import_example.json"
MODELS = [
    Partner,
    SecurityGroup,
    User,
    PartnerRoleAssignment,
    SecurityGroup.members.through,
    Customer,
    ResellerRelationship,
    DapGrant,
    CustomerAdminRole,
    GdapRelationship,
    GdapAccessAssignment,
    TenantUser,
    Subscription,
    LicenseAssignment,
    AuditRecord,
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def example():
    return json.loads(EXAMPLE.read_text())


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def errors_of(document) -> dict[str, str]:
    with pytest.raises(TenantImportInvalid) as info:
        tenant_import(actor=None, document=document)
    return {issue.path: issue.message for issue in info.value.issues}


def test_example_file_imports_with_the_right_values(example):
    summary = tenant_import(actor=None, document=example)

    assert summary.updated == 0 and summary.unchanged == 0 and summary.created == 20
    partner = Partner.objects.get(code="contoso-csp")
    assert (partner.name, partner.mpn_id, str(partner.tenant_id)) == (
        "Contoso CSP",
        "1234567",
        "6f1c0a52-7c1e-4f0e-9a0e-2b8f2f5a1c11",
    )
    assert set(partner.security_groups.values_list("name", flat=True)) == {"Admin Agents", "Helpdesk Agents", "Sales"}
    ana = User.objects.get(username="ana")
    assert ana.partner == partner and ana.role_codes == {"sales_agent"}
    assert ana.check_password("Sales-Agent-2026!")
    assert list(ana.security_groups.values_list("name", flat=True)) == ["Sales"]
    assert User.objects.get(username="bo").role_codes == {"admin_agent"}

    customer = Customer.objects.get(tenant_id="0b7e6d43-0d1f-4b7a-9a51-0d6a5c3e2f01")
    assert (customer.company_name, customer.domain, customer.country, customer.segment, customer.market) == (
        "Fabrikam Ltd",
        "fabrikam.onmicrosoft.com",
        "IN",
        "commercial",
        "IN",
    )
    assert ResellerRelationship.objects.get(customer=customer).relationship == "reseller"
    assert DapGrant.objects.get(customer=customer, partner=partner).enabled is True
    admin = User.objects.get(username="fabrikam-admin")
    assert admin.partner is None and admin.check_password("Tenant-Admin-2026!")
    assert list(CustomerAdminRole.objects.filter(user=admin).values_list("customer__domain", "role")) == [
        ("fabrikam.onmicrosoft.com", "global_administrator")
    ]

    gdap = GdapRelationship.objects.get(partner=partner, display_name="Fabrikam ops")
    activated = datetime(2026, 6, 1, tzinfo=UTC)
    assert gdap.customer == customer and gdap.status == "active"
    assert gdap.unified_roles == ["Directory Writers", "License Administrator"]
    assert gdap.activated_date_time == activated
    assert gdap.duration == timedelta(days=730) and gdap.auto_extend_duration == timedelta(0)
    assert gdap.end_date_time == activated + timedelta(days=730)
    access = gdap.access_assignments.get()
    assert (access.group.name, access.unified_roles, access.status) == ("Sales", ["Directory Writers"], "active")

    priya = TenantUser.objects.get(object_id="5a0c1d2e-0000-4000-8000-000000000001")
    assert (priya.customer, priya.user_principal_name, priya.display_name) == (
        customer,
        "priya@fabrikam.onmicrosoft.com",
        "Priya",
    )
    sub = Subscription.objects.get(id="9d3c2b1a-0000-4000-8000-0000000000a1")
    assert (sub.customer, sub.offer_id, sub.quantity, sub.status, sub.provisioning_state) == (
        customer,
        "m365-business-basic-in",
        25,
        "active",
        "provisioned",
    )
    assert (sub.channel, sub.partner, sub.channel_partner_name, sub.payment_method) == (
        "csp",
        partner,
        "contoso-csp",
        "",
    )
    assert (sub.billing_cycle, sub.term_start_date, sub.commitment_end_date) == (
        "monthly",
        date(2026, 11, 1),
        date(2027, 10, 31),
    )
    assert sub.prepaid is False and sub.unpaid_balance == Decimal("0.00") and sub.parent is None
    assignment = LicenseAssignment.objects.get()
    assert (assignment.user, assignment.subscription, assignment.disabled_service_plans) == (
        priya,
        sub,
        ["MCOSTANDARD"],
    )

    record = AuditRecord.objects.get(operation_type="import_tenants")
    assert record.resource_new_value["counts"]["subscriptions"]["created"] == 1


def test_a_file_with_mistakes_changes_nothing_and_lists_every_mistake(example):
    tenant_import(actor=None, document=copy.deepcopy(example))  # existing data must stay as it is, too
    before = row_counts()
    bad = copy.deepcopy(example)
    customer = bad["customers"][0]
    customer["resellers"].append("nope-csp")
    customer["users"].append({"id": "not-a-guid", "userPrincipalName": "raj@fabrikam.onmicrosoft.com"})
    sub = customer["subscriptions"][0]
    sub.update({"offer": "o365-e9", "quantity": -1, "status": "paused"})
    sub["assignments"].append({"user": "priya@fabrikam.onmicrosoft.com"})
    sub["assignments"].append({"user": "nobody@fabrikam.onmicrosoft.com"})

    errors = errors_of(bad)

    s = "customers[0].subscriptions[0]"
    assert errors == {
        "customers[0].resellers[1]": "unknown partner 'nope-csp'",
        "customers[0].users[1].id": "invalid GUID 'not-a-guid'",
        f"{s}.offer": "unknown offer 'o365-e9'",
        f"{s}.quantity": "must be at least 0, got -1",
        f"{s}.status": "unknown status 'paused' (expected one of: active, deleted, disabled, expired, pending, "
        "suspended)",
        f"{s}.assignments[1].user": f"user 'priya@fabrikam.onmicrosoft.com' is assigned twice (also "
        f"{s}.assignments[0])",
        f"{s}.assignments[2].user": "unknown user 'nobody@fabrikam.onmicrosoft.com' (not among this customer's users)",
    }
    assert row_counts() == before


def test_every_kind_of_mistake_is_reported_with_its_path(example):
    bad = copy.deepcopy(example)
    partner = bad["partners"][0]
    partner["users"][0]["roles"] = ["sales_agent", "chief"]
    partner["users"][1]["groups"] = ["Ghosts"]
    partner["users"].append({"username": "ana", "password": "short"})
    partner["mpnId"] = 1234567
    customer = bad["customers"][0]
    customer["segment"] = "hobby"
    customer["dap"] = ["wingtip-csp"]
    customer["serviceHealthIncident"] = "yes"
    del customer["companyName"]
    gdap = customer["gdap"][0]
    gdap.update({"status": "approved", "duration": "P3Y", "displayName": "x" * 51, "activatedDateTime": "June 1st"})
    gdap["accessAssignments"][0].update({"group": "Nobody", "roles": ["Global Administrator"]})
    customer["gdap"].append(
        {"partner": "nope-csp", "displayName": "Other", "status": "active", "roles": [], "autoExtendDuration": "P90D"}
    )
    customer["admins"][0]["roles"] = ["owner"]
    sub = customer["subscriptions"][0]
    sub.update(
        {
            "provisioningState": "ready",
            "billingCycle": "weekly",
            "termStartDate": "2026-13-01",
            "channel": {"type": "reseller"},
            "quantity": 2.5,
            "parentSubscription": str(uuid.uuid4()),
        }
    )
    sub["assignments"][0]["disabledServicePlans"] = ["NOT_A_PLAN"]
    customer["subscriptions"].append(
        {
            "id": sub["id"],
            "offer": "o365-e4",
            "quantity": 3,
            "termStartDate": "2026-01-01",
            "channel": {"type": "direct", "paymentMethod": "cheque"},
        }
    )
    customer["subscriptions"].append(
        {
            "id": str(uuid.uuid4()),
            "offer": "audio-conferencing",
            "quantity": 3,
            "termStartDate": "2026-01-01",
            "channel": {"type": "direct", "paymentMethod": "invoice"},
        }
    )
    customer["users"].append(dict(customer["users"][0]))
    bad["customers"].append(
        {"tenantId": customer["tenantId"], "companyName": "Again", "domain": "again.example", "country": "us"}
    )

    errors = errors_of(bad)

    c, s = "customers[0]", "customers[0].subscriptions"
    expected = {
        "partners[0].mpnId": "expected string, got number",
        "partners[0].users[0].roles[1]": "unknown partner role 'chief'",
        "partners[0].users[1].groups[0]": "unknown group 'Ghosts' of partner 'contoso-csp'",
        "partners[0].users[2].username": "duplicate username 'ana' (also partners[0].users[0].username)",
        f"{c}.companyName": "required field missing",
        f"{c}.segment": "unknown segment 'hobby'",
        f"{c}.serviceHealthIncident": "expected boolean, got string",
        f"{c}.dap[0]": "unknown partner 'wingtip-csp'",
        f"{c}.gdap[0].status": "unknown GDAP status 'approved'",
        f"{c}.gdap[0].displayName": "longer than 50 characters (51)",
        f"{c}.gdap[0].activatedDateTime": "invalid date-time 'June 1st'",
        f"{c}.gdap[0].duration": "duration 'P3Y' is outside P1D..P2Y",
        f"{c}.gdap[0].accessAssignments[0].group": "unknown group 'Nobody' of partner 'contoso-csp'",
        f"{c}.gdap[0].accessAssignments[0].roles[0]": "role 'Global Administrator' is not one of the relationship's",
        f"{c}.gdap[1].partner": "unknown partner 'nope-csp'",
        f"{c}.gdap[1].autoExtendDuration": "must be PT0S or P180D, got 'P90D'",
        f"{c}.admins[0].roles[0]": "unknown admin role 'owner'",
        f"{c}.users[1].id": "duplicate user id '5a0c1d2e-0000-4000-8000-000000000001' (also customers[0].users[0].id)",
        f"{c}.users[1].userPrincipalName": "duplicate user principal name 'priya@fabrikam.onmicrosoft.com'",
        f"{s}[0].quantity": "expected integer, got number",
        f"{s}[0].provisioningState": "unknown provisioning state 'ready'",
        f"{s}[0].billingCycle": "unknown billing cycle 'weekly'",
        f"{s}[0].termStartDate": "invalid date '2026-13-01'",
        f"{s}[0].channel.type": "unknown channel type 'reseller'",
        f"{s}[0].parentSubscription": "only an add-on has a parent subscription",
        f"{s}[0].assignments[0].disabledServicePlans[0]": "service plan 'NOT_A_PLAN' is not part of this offer",
        f"{s}[1].id": "duplicate subscription id",
        f"{s}[1].channel.paymentMethod": "unknown payment method 'cheque'",
        f"{s}[2].parentSubscription": "add-on 'audio-conferencing' needs a parentSubscription",
        f"{s}[2].offer": None,
        "customers[1].tenantId": "duplicate tenant id '0b7e6d43-0d1f-4b7a-9a51-0d6a5c3e2f01' (also customers[0]",
        "customers[1].country": "invalid country code 'us'",
    }
    expected.pop(f"{s}[2].offer")  # audio-conferencing is a valid add-on offer: no error expected there
    assert set(errors) == set(expected), set(errors) ^ set(expected)
    for path, start in expected.items():
        assert errors[path].startswith(start), (path, errors[path])
    assert "partners[0].users[2].password" not in errors or "too short" in errors["partners[0].users[2].password"]
    assert Partner.objects.count() == 0


def test_reimporting_changes_nothing(example):
    tenant_import(actor=None, document=example)
    before = row_counts()
    stamps = (
        list(Subscription.objects.values_list("id", "updated")),
        list(GdapRelationship.objects.values_list("pk", "last_modified_date_time")),
        list(DapGrant.objects.values_list("pk", "changed")),
        list(User.objects.values_list("username", "password")),
    )

    summary = tenant_import(actor=None, document=example)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 20)
    assert row_counts() == before  # no second audit record either: nothing changed
    assert stamps == (
        list(Subscription.objects.values_list("id", "updated")),
        list(GdapRelationship.objects.values_list("pk", "last_modified_date_time")),
        list(DapGrant.objects.values_list("pk", "changed")),
        list(User.objects.values_list("username", "password")),
    )


def test_a_changed_value_is_updated_and_a_password_is_never_reset(example):
    tenant_import(actor=None, document=example)
    changed = copy.deepcopy(example)
    changed["customers"][0]["subscriptions"][0]["quantity"] = 30
    changed["customers"][0]["companyName"] = "Fabrikam India Ltd"
    changed["partners"][0]["users"][0]["password"] = "Another-Secret-2026!"
    old_updated = Subscription.objects.get().updated

    summary = tenant_import(actor=None, document=changed)

    assert (summary.counts["subscriptions"].updated, summary.counts["customers"].updated, summary.updated) == (1, 1, 2)
    sub = Subscription.objects.get()
    assert sub.quantity == 30 and sub.updated > old_updated
    assert Customer.objects.get().company_name == "Fabrikam India Ltd"
    assert User.objects.get(username="ana").check_password("Sales-Agent-2026!")
    assert AuditRecord.objects.filter(operation_type="import_tenants").count() == 2


def test_channels_add_ons_and_dap_off(example):
    doc = copy.deepcopy(example)
    customer = doc["customers"][0]
    customer.update({"country": "US", "dap": [], "segment": "nonprofit", "serviceHealthIncident": True})
    base = customer["subscriptions"][0]
    base.update(
        {
            "offer": "o365-e4",
            "channel": {"type": "direct", "paymentMethod": "invoice"},
            "prepaid": True,
            "unpaidBalance": "12.50",
        }
    )
    addon_id, other_id = str(uuid.uuid4()), str(uuid.uuid4())
    customer["subscriptions"] += [
        {
            "id": addon_id,
            "offer": "audio-conferencing",
            "quantity": 5,
            "termStartDate": "2026-01-01",
            "channel": {"type": "direct", "paymentMethod": "invoice"},
            "parentSubscription": base["id"],
        },
        {
            "id": other_id,
            "offer": "m365-apps-for-business",
            "quantity": 2,
            "termStartDate": "2026-01-01",
            "channel": {"type": "csp", "partner": "Adatum Reseller"},
        },
    ]
    tenant_import(actor=None, document=doc)

    e4 = Subscription.objects.get(id=base["id"])
    assert (e4.channel, e4.payment_method, e4.partner, e4.prepaid, e4.unpaid_balance) == (
        "direct",
        "invoice",
        None,
        True,
        Decimal("12.50"),
    )
    assert Subscription.objects.get(id=addon_id).parent == e4
    other = Subscription.objects.get(id=other_id)
    assert (other.channel, other.partner, other.channel_partner_name) == ("csp", None, "Adatum Reseller")
    assert DapGrant.objects.get().enabled is False
    c = Customer.objects.get()
    assert (c.segment, c.service_health_incident) == ("nonprofit", True)


def test_india_variants_are_enforced(example):
    doc = copy.deepcopy(example)
    doc["customers"][0]["subscriptions"][0]["offer"] = "m365-business-basic"
    assert errors_of(doc) == {
        "customers[0].subscriptions[0].offer": "customers in India buy the India variant 'm365-business-basic-in'"
    }
    doc["customers"][0]["country"] = "SE"
    doc["customers"][0]["subscriptions"][0]["offer"] = "m365-business-basic-in"
    assert errors_of(doc) == {
        "customers[0].subscriptions[0].offer": "offer 'm365-business-basic-in' is sold only to customers in India"
    }


def test_conflicts_with_existing_rows_are_errors(example):
    tenant_import(actor=None, document=example)
    doc = copy.deepcopy(example)
    customer = doc["customers"][0]
    customer["tenantId"] = str(uuid.uuid4())  # another tenant claiming the same domain, user and subscription
    errors = errors_of(doc)
    assert set(errors) == {
        "customers[0].domain",
        "customers[0].users[0].id",
        "customers[0].users[0].userPrincipalName",
        "customers[0].subscriptions[0].id",
        "customers[0].gdap[0].displayName",
    }


def _generated(customers: int, tag: str) -> dict:
    from importlib import util

    spec = util.spec_from_file_location("bench_import", Path(__file__).parent.parent / "bench" / "import.py")
    assert spec is not None and spec.loader is not None
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_document(customers, subscriptions=1, users=2, tag=tag)


def _queries(document) -> int:
    with CaptureQueriesContext(connection) as ctx:
        tenant_import(actor=None, document=document)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_customers():
    small, large = _generated(5, "small"), _generated(40, "large")
    first_small = _queries(small)
    reimport_small = _queries(small)
    assert _queries(large) == first_small
    assert _queries(large) == reimport_small


def test_durations():
    assert parse_iso_duration("P730D") == parse_iso_duration("P2Y") == timedelta(days=730)
    assert parse_iso_duration("PT0S") == timedelta(0)
    assert parse_iso_duration("P1DT12H") == timedelta(days=1, hours=12)
    for text in ("", "P", "PT", "730D", "P1.5D", "P-1D"):
        with pytest.raises(ValueError):
            parse_iso_duration(text)
    assert format_iso_duration(timedelta(days=180)) == "P180D" and format_iso_duration(timedelta(0)) == "PT0S"


def test_command_prints_summary_or_every_error(example, tmp_path, monkeypatch):
    out = StringIO()
    call_command("import_tenants", str(EXAMPLE), stdout=out)
    assert "Imported: 20 created, 0 updated, 0 unchanged." in out.getvalue()

    bad = copy.deepcopy(example)
    bad["customers"][0]["subscriptions"][0]["offer"] = "o365-e9"
    bad["customers"][0]["subscriptions"][0]["quantity"] = -1
    monkeypatch.setattr("sys.stdin", StringIO(json.dumps(bad)))
    err = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_tenants", "-", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "customers[0].subscriptions[0].offer: unknown offer 'o365-e9'",
        "customers[0].subscriptions[0].quantity: must be at least 0, got -1",
    ]
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_tenants", str(tmp_path / "missing.json"))
    with pytest.raises(TenantImportInvalid, match="1 error"):
        tenant_import_read("{not json")


def test_approval_threshold_is_imported_updated_and_removed(example):
    example["partners"][0]["approvalThreshold"] = {"items": 50, "seats": 500, "monthlyValue": "5000.00"}
    tenant_import(actor=None, document=example)
    partner = Partner.objects.get()
    assert (partner.approval_items, partner.approval_seats, partner.approval_monthly_value) == (
        50,
        500,
        Decimal("5000.00"),
    )

    example["partners"][0]["approvalThreshold"] = {"seats": 20}
    summary = tenant_import(actor=None, document=example)
    partner.refresh_from_db()
    assert summary.counts["partners"].updated == 1
    assert (partner.approval_items, partner.approval_seats, partner.approval_monthly_value) == (None, 20, None)

    del example["partners"][0]["approvalThreshold"]
    tenant_import(actor=None, document=example)
    partner.refresh_from_db()
    assert (partner.approval_items, partner.approval_seats, partner.approval_monthly_value) == (None, None, None)


def test_a_bad_approval_threshold_names_each_field(example):
    example["partners"][0]["approvalThreshold"] = {"items": -1, "seats": "many", "monthlyValue": "lots", "x": 1}
    before = row_counts()
    errors = errors_of(example)
    assert errors["partners[0].approvalThreshold.items"] == "must be at least 0, got -1"
    assert errors["partners[0].approvalThreshold.seats"] == "expected integer, got string"
    assert errors["partners[0].approvalThreshold.monthlyValue"] == "invalid amount 'lots'"
    assert errors["partners[0].approvalThreshold.x"] == "unknown field"
    example["partners"][0]["approvalThreshold"] = {}
    assert "give at least one of" in errors_of(example)["partners[0].approvalThreshold"]
    assert row_counts() == before
