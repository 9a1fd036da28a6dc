"""Partner GDAP pages, the customer's approval pages, DAP off, notifications."""

from django.test import Client
from django.urls import reverse

from delegation.models import DapGrant, GdapRelationship
from notifications.services import notification_create
from tests import factories
from tests.builders import active_gdap


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_request_flow_from_form_to_customer_approval(world):
    agent = client_for(world.users["admin_agent"])
    assert agent.get(reverse("delegation:create")).status_code == 200
    response = agent.post(
        reverse("delegation:create"),
        {
            "customer": str(world.own.tenant_id),
            "display_name": "Portal request",
            "unified_roles": ["Directory Readers", "License Administrator"],
            "duration_days": "365",
            "auto_extend_duration": "PT0S",
        },
    )
    relationship = GdapRelationship.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("delegation:detail", args=[relationship.pk])
    detail = agent.get(response["Location"])
    approval = reverse("delegation_customer:detail", args=[relationship.pk])
    assert approval in detail.content.decode()
    assert agent.get(reverse("delegation:list")).status_code == 200

    ga = client_for(world.customer_admins["global_administrator"])
    assert ga.get(approval).status_code == 200
    assert ga.post(approval, {"action": "approve"}).status_code == 302
    relationship.refresh_from_db()
    assert relationship.status == "active" and relationship.duration.days == 365

    agent.post(
        reverse("delegation:assignment_create", args=[relationship.pk]),
        {"group": world.gdap_group.pk, "unified_roles": ["License Administrator"]},
    )
    assert relationship.access_assignments.get().unified_roles == ["License Administrator"]
    agent.post(reverse("delegation:terminate", args=[relationship.pk]))
    relationship.refresh_from_db()
    assert relationship.status in ("terminationRequested", "terminated")


def test_form_errors_are_shown_not_500(world):
    agent = client_for(world.users["admin_agent"])
    active_gdap(world.partner, world.own, display_name="Taken")
    response = agent.post(
        reverse("delegation:create"),
        {
            "customer": str(world.own.tenant_id),
            "display_name": "Taken",
            "unified_roles": ["Directory Readers"],
            "duration_days": "730",
            "auto_extend_duration": "PT0S",
        },
    )
    assert response.status_code == 200 and "already used" in response.content.decode()


def test_who_reaches_the_partner_pages(world):
    relationship = active_gdap(world.partner, world.own)
    assert client_for(world.users["sales_agent"]).get(reverse("delegation:create")).status_code == 403
    assert client_for(world.users["sales_agent"]).get(reverse("delegation:list")).status_code == 200
    assert (
        client_for(world.other_users["admin_agent"])
        .get(reverse("delegation:detail", args=[relationship.pk]))
        .status_code
        == 404
    )
    assert client_for(world.customer_admins["global_administrator"]).get(reverse("delegation:list")).status_code == 403
    assert Client().get(reverse("delegation:list")).status_code == 302


def test_customer_pages_only_for_that_tenants_global_admin(world):
    relationship = GdapRelationship.objects.create(
        partner=world.partner,
        customer=world.own,
        display_name="Req",
        unified_roles=["Directory Readers"],
        status="approvalPending",
    )
    url = reverse("delegation_customer:detail", args=[relationship.pk])
    assert client_for(world.foreign_admin).get(url).status_code == 404
    assert client_for(world.customer_admins["user_administrator"]).get(url).status_code == 403
    assert client_for(world.users["global_admin"]).get(url).status_code == 403
    ga = client_for(world.customer_admins["global_administrator"])
    ga.post(url, {"action": "decline"})
    relationship.refresh_from_db()
    assert relationship.status == "terminated"


def test_customer_switches_dap_off_and_keeps_the_reseller_relationship(world):
    grant = factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=True)
    ga = client_for(world.customer_admins["global_administrator"])
    page = ga.get(reverse("delegation_customer:list"))
    assert page.status_code == 200 and "Contoso CSP" in page.content.decode()
    assert (
        client_for(world.foreign_admin).post(reverse("delegation_customer:dap_off", args=[grant.pk])).status_code == 404
    )
    assert ga.post(reverse("delegation_customer:dap_off", args=[grant.pk])).status_code == 302
    assert DapGrant.objects.get().enabled is False
    assert world.own.partner_relationships.filter(partner=world.partner).exists()


def test_notifications_page_shows_own_and_partner_notifications(world):
    user = world.users["sales_agent"]
    notification_create(partner=world.partner, message="Partner-wide notice", level="warning")
    notification_create(user=user, message="Just for you")
    notification_create(partner=world.other_partner, message="Someone else's")
    client = client_for(user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Partner-wide notice" in page and "Just for you" in page and "Someone else" not in page
    client.post(reverse("notifications:mark_read"))
    from notifications.services import notifications_for

    assert not notifications_for(user).filter(read=False).exists()
