"""Consent is the customer's: DAP and GDAP approval never change through the admin (issue 8 item 1)."""

import pytest

from audit.models import AuditRecord
from delegation.models import DapGrant, GdapAccessAssignment, GdapRelationship
from tests.builders import admin_url, form_data, page_text
from upgrades.selectors import upgrade_options_for

pytestmark = pytest.mark.django_db


def blocked_by_dap(world) -> bool:
    options = upgrade_options_for(actor=world.users["contoso-sales"], subscription=world.subs["wideworld"])
    assert options, "the source has upgrade targets"
    return all("delegated_admin_permissions_disabled" in {e.code.error_name for e in o.errors} for o in options)


def test_dap_cannot_be_switched_back_on_in_the_admin(contoso_admin, operator, world):
    grant = world.dap["wideworld"]
    assert blocked_by_dap(world)
    before = AuditRecord.objects.count()
    for client in (contoso_admin, operator):
        page = client.get(admin_url(grant, "change"))
        assert page.status_code == 200 and page.context["has_change_permission"] is False
        response = client.post(
            admin_url(grant, "change"), {"partner": world.contoso.pk, "customer": world.wideworld.pk, "enabled": "on"}
        )
        assert response.status_code == 403
        assert client.get(admin_url(DapGrant, "add")).status_code == 403
        assert client.post(admin_url(grant, "delete"), {"post": "yes"}).status_code == 403
    grant.refresh_from_db()
    assert grant.enabled is False
    assert blocked_by_dap(world)
    assert AuditRecord.objects.count() == before


def test_an_unapproved_relationship_cannot_become_active(contoso_admin, operator, world):
    pending = world.gdap["pending"]
    for client in (contoso_admin, operator):
        page = client.get(admin_url(pending, "change"))
        assert page.status_code == 200 and page.context["has_change_permission"] is False
        assert "status" not in page.context["adminform"].form.fields
        assert "unified_roles" not in page.context["adminform"].form.fields
        response = client.post(
            admin_url(pending, "change"), {"status": "active", "unified_roles": '["Global Administrator"]'}
        )
        assert response.status_code == 403
        actions = client.get(admin_url(GdapRelationship, "changelist")).context["action_form"].fields["action"]
        assert {value for value, _label in actions.choices} == {"", "request_termination"}
    pending.refresh_from_db()
    assert (pending.status, pending.unified_roles) == (
        "approvalPending",
        ["Directory Readers", "Directory Writers", "License Administrator"],
    )
    assert blocked_by_dap(world)


def test_a_partner_admin_requests_a_relationship_through_the_service(contoso_admin, world):
    page = contoso_admin.get(admin_url(GdapRelationship, "add"))
    assert set(page.context["adminform"].form.fields) == {
        "customer",
        "display_name",
        "request_roles",
        "duration_days",
        "auto_extend",
    }
    before = AuditRecord.objects.count()
    response = contoso_admin.post(
        admin_url(GdapRelationship, "add"),
        form_data(page)
        | {
            "customer": world.wideworld.pk,
            "display_name": "Wide World GDAP",
            "request_roles": ["User Administrator"],
            "duration_days": "365",
            "auto_extend": "PT0S",
            "status": "active",
        },
    )
    assert response.status_code == 302
    created = GdapRelationship.objects.get(display_name="Wide World GDAP")
    assert (created.partner_id, created.status, created.unified_roles, created.duration.days) == (
        world.contoso.pk,
        "approvalPending",
        ["User Administrator"],
        365,
    )
    assert AuditRecord.objects.count() == before + 1
    assert AuditRecord.objects.latest("operation_date").operation_type == "create_delegated_admin_relationship"


def test_a_request_for_a_customer_of_wingtip_only_is_refused(contoso_admin, world):
    from tests import factories

    wingtip_only = factories.CustomerFactory(company_name="Wingtip Only")
    factories.RelationshipFactory(partner=world.wingtip, customer=wingtip_only)
    page = contoso_admin.get(admin_url(GdapRelationship, "add"))
    response = contoso_admin.post(
        admin_url(GdapRelationship, "add"),
        form_data(page)
        | {
            "customer": wingtip_only.pk,
            "display_name": "Sneaky",
            "request_roles": ["User Administrator"],
            "duration_days": "365",
            "auto_extend": "PT0S",
        },
    )
    assert "customer" in response.context["adminform"].form.errors
    assert not GdapRelationship.objects.filter(display_name="Sneaky").exists()


def test_termination_is_an_action_calling_the_service(contoso_admin, world, django_capture_on_commit_callbacks):
    own, theirs = world.gdap["contoso"], world.gdap["wingtip"]
    before = AuditRecord.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        contoso_admin.post(
            admin_url(GdapRelationship, "changelist"),
            {"action": "request_termination", "_selected_action": [str(own.pk), str(theirs.pk)]},
        )
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert (own.status, theirs.status) == ("terminationRequested", "active")
    assert AuditRecord.objects.count() == before + 1


def test_access_assignments_go_through_the_services(contoso_admin, world):
    relationship = world.gdap["contoso"]
    page = contoso_admin.get(admin_url(GdapAccessAssignment, "add"))
    assert "status" not in page.context["adminform"].form.fields
    before = AuditRecord.objects.count()
    response = contoso_admin.post(
        admin_url(GdapAccessAssignment, "add"),
        form_data(page)
        | {
            "relationship": str(relationship.pk),
            "group": world.groups["tier2"].pk,
            "assigned_roles": ["License Administrator"],
            "status": "error",
        },
    )
    assert response.status_code == 302
    assignment = GdapAccessAssignment.objects.get(relationship=relationship, group=world.groups["tier2"])
    assert (assignment.status, assignment.unified_roles) == ("active", ["License Administrator"])
    assert AuditRecord.objects.count() == before + 1

    page = contoso_admin.get(admin_url(assignment, "change"))
    assert set(page.context["adminform"].form.fields) == {"assigned_roles"}
    response = contoso_admin.post(
        admin_url(assignment, "change"),
        form_data(page) | {"assigned_roles": ["License Administrator", "User Administrator"], "status": "pending"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.status, assignment.unified_roles) == ("active", ["License Administrator", "User Administrator"])
    assert AuditRecord.objects.count() == before + 2

    refused = contoso_admin.post(
        admin_url(assignment, "change"), form_data(page) | {"assigned_roles": ["Global Administrator"]}, follow=True
    )
    assert "not granted by the relationship" in page_text(refused)
    assignment.refresh_from_db()
    assert assignment.unified_roles == ["License Administrator", "User Administrator"]

    assert contoso_admin.post(admin_url(assignment, "delete"), {"post": "yes"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "deleted"
    assert AuditRecord.objects.count() == before + 3


def test_an_operator_terminates_but_never_requests_or_approves(operator, world, django_capture_on_commit_callbacks):
    assert operator.get(admin_url(GdapRelationship, "add")).status_code == 403
    with django_capture_on_commit_callbacks(execute=False):
        operator.post(
            admin_url(GdapRelationship, "changelist"),
            {"action": "request_termination", "_selected_action": [str(world.gdap["wingtip"].pk)]},
        )
    world.gdap["wingtip"].refresh_from_db()
    assert world.gdap["wingtip"].status == "terminationRequested"
