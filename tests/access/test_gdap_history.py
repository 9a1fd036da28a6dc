"""The GDAP services leave workflow history rows that match their moves (who, from, to, why, correlation id)."""

from datetime import timedelta

from django.utils import timezone

from core.models import WorkflowTransition
from delegation import services
from delegation.models import GdapAccessAssignment, GdapRelationship
from delegation.tasks import delegation_sweep
from tests.builders import active_gdap

from .test_gdap_api import BASE, body, client_for


def moves(obj, workflow="gdap_relationship"):
    return list(
        WorkflowTransition.objects.filter(workflow=workflow, object_id=str(obj.pk)).values_list(
            "from_status", "to_status", "actor_username"
        )
    )


def test_request_approve_terminate_history(world, django_capture_on_commit_callbacks):
    agent, ga = world.users["admin_agent"], world.customer_admins["global_administrator"]
    relationship = services.relationship_request_create(
        actor=agent, customer=world.own, display_name="History", unified_roles=["Directory Readers"]
    )
    services.relationship_approve(actor=ga, relationship_id=relationship.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.relationship_termination_request(actor=agent, relationship_id=relationship.pk)
    assert GdapRelationship.objects.get(pk=relationship.pk).status == "terminated"
    assert moves(relationship) == [
        ("", "created", agent.username),
        ("created", "approvalPending", agent.username),
        ("approvalPending", "active", ga.username),
        ("active", "terminationRequested", agent.username),
        ("terminationRequested", "terminating", ""),
        ("terminating", "terminated", ""),
    ]
    reasons = list(WorkflowTransition.objects.filter(object_id=str(relationship.pk)).values_list("reason", flat=True))
    assert reasons[3] == "Termination requested." and reasons[2] == "Approved by the customer."


def test_decline_history(world):
    relationship = services.relationship_request_create(
        actor=world.users["admin_agent"], customer=world.own, display_name="No", unified_roles=["Directory Readers"]
    )
    services.relationship_decline(actor=world.customer_admins["global_administrator"], relationship_id=relationship.pk)
    assert moves(relationship)[-1] == ("approvalPending", "terminated", "c-global_administrator")


def test_assignment_create_remove_and_termination_history(world, django_capture_on_commit_callbacks):
    agent = world.users["admin_agent"]
    relationship = active_gdap(world.partner, world.own)
    assignment = services.access_assignment_create(
        actor=agent, relationship_id=relationship.pk, group=world.gdap_group, unified_roles=["Directory Readers"]
    )
    services.access_assignment_delete(actor=agent, assignment_id=assignment.pk)
    again = services.access_assignment_create(
        actor=agent, relationship_id=relationship.pk, group=world.gdap_group, unified_roles=["Directory Writers"]
    )
    assert again.pk == assignment.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.relationship_termination_request(actor=agent, relationship_id=relationship.pk)
    assert GdapAccessAssignment.objects.get(pk=assignment.pk).status == "deleted"
    assert moves(assignment, "gdap_access_assignment") == [
        ("", "active", agent.username),
        ("active", "deleted", agent.username),
        ("deleted", "active", agent.username),
        ("active", "deleted", ""),  # the relationship was terminated (system step)
    ]


def test_sweep_history_lapse_expire_extend_expiring(world):
    now = timezone.now()
    lapsed = services.relationship_request_create(
        actor=world.users["admin_agent"], customer=world.own, display_name="Old", unified_roles=["Directory Readers"]
    )
    GdapRelationship.objects.filter(pk=lapsed.pk).update(created_date_time=now - timedelta(days=91))
    ending = active_gdap(world.partner, world.own, end_date_time=now - timedelta(minutes=1))
    extending = active_gdap(
        world.partner, world.own, end_date_time=now - timedelta(minutes=1), auto_extend_duration=timedelta(days=180)
    )
    soon = active_gdap(world.partner, world.own, end_date_time=now + timedelta(days=20))
    delegation_sweep()
    assert moves(lapsed)[-1] == ("approvalPending", "expired", "")
    assert moves(ending) == [("active", "expired", "")]
    assert moves(extending) == [("active", "active", "")]
    assert moves(soon) == [("active", "expiring", "")]
    delegation_sweep()  # idempotent: nothing more moves
    assert WorkflowTransition.objects.filter(object_id__in=[str(r.pk) for r in (ending, extending, soon)]).count() == 3


def test_api_moves_carry_the_request_correlation_id(world):
    client = client_for(user=world.users["admin_agent"])
    response = client.post(BASE, body(world), format="json", HTTP_MS_CORRELATIONID="corr-gdap-1")
    assert response.status_code == 201, response.json()
    rows = WorkflowTransition.objects.filter(object_id=response.json()["id"])
    assert list(rows.values_list("to_status", "correlation_id")) == [
        ("created", "corr-gdap-1"),
        ("approvalPending", "corr-gdap-1"),
    ]


def test_the_relationship_page_shows_the_history(world, client):
    relationship = active_gdap(world.partner, world.own)
    services.relationship_termination_request(actor=world.users["admin_agent"], relationship_id=relationship.pk)
    client.force_login(world.users["admin_agent"])
    page = client.get(f"/delegation/{relationship.pk}/")
    assert page.status_code == 200
    assert b"Termination requested." in page.content


def test_the_admin_change_page_shows_the_history(world, client):
    from tests import factories

    relationship = active_gdap(world.partner, world.own)
    services.relationship_termination_request(actor=world.users["admin_agent"], relationship_id=relationship.pk)
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/delegation/gdaprelationship/{relationship.pk}/change/")
    assert page.status_code == 200
    assert b"Termination requested." in page.content and b"p-admin_agent" in page.content
