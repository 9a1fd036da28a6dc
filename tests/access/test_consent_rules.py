"""Consent rules (domain.md §3): no automatic extension with Global Administrator; only the customer approves
GDAP and switches DAP; a partner requests, and terminates only its own relationships."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.principals import ApplicationPrincipal
from core.errors import Forbidden, InvalidInput, NotFound
from delegation import services
from delegation.models import DapGrant, GdapRelationship, GdapStatus
from tests.builders import active_gdap

BASE = "/v1/delegatedAdminRelationships"
GA_ROLES = ["Directory Readers", "Global Administrator"]


def api_client(user) -> APIClient:
    _token, raw = ApiToken.issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# ------------------------------------------------------------------------------------------ GA auto-extension
def test_service_refuses_auto_extension_with_global_administrator(world):
    with pytest.raises(InvalidInput) as caught:
        services.relationship_request_create(
            actor=world.users["admin_agent"],
            customer=world.own,
            display_name="GA extend",
            unified_roles=GA_ROLES,
            auto_extend_duration="P180D",
        )
    assert caught.value.field == "autoExtendDuration"
    assert not GdapRelationship.objects.exists()


def test_global_administrator_without_auto_extension_is_accepted(world):
    relationship = services.relationship_request_create(
        actor=world.users["admin_agent"],
        customer=world.own,
        display_name="GA fixed term",
        unified_roles=GA_ROLES,
        auto_extend_duration="PT0S",
    )
    assert relationship.status == GdapStatus.APPROVAL_PENDING
    assert relationship.auto_extend_duration == timedelta(0)


def test_api_answers_400_naming_auto_extend_duration(world):
    response = api_client(world.users["admin_agent"]).post(
        BASE,
        {
            "displayName": "GA extend",
            "customer": {"tenantId": str(world.own.tenant_id)},
            "accessDetails": {
                "unifiedRoles": [{"displayName": "Directory Readers"}, {"displayName": "Global Administrator"}]
            },
            "duration": "P730D",
            "autoExtendDuration": "P180D",
        },
        format="json",
    )
    assert response.status_code == 400
    fault = response.json()
    assert fault["attributes"]["objectType"] == "ServiceFault"
    assert "autoExtendDuration" in " ".join(fault["data"]) + fault["description"]
    assert not GdapRelationship.objects.exists()


def test_page_shows_a_form_error_on_the_auto_extension_field(world, client):
    client.force_login(world.users["admin_agent"])
    response = client.post(
        reverse("delegation:create"),
        {
            "customer": str(world.own.tenant_id),
            "display_name": "GA extend",
            "unified_roles": GA_ROLES,
            "duration_days": "730",
            "auto_extend_duration": "P180D",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["auto_extend_duration"]
    assert "Global Administrator" in errors["auto_extend_duration"][0]
    assert not GdapRelationship.objects.exists()


def test_sweep_never_extends_a_relationship_with_global_administrator(world):
    """A row carrying both (imported from Partner Center data, or older) expires at its end instead."""
    now = timezone.now()
    relationship = active_gdap(
        world.partner,
        world.own,
        roles=GA_ROLES,
        auto_extend_duration=timedelta(days=180),
        end_date_time=now + timedelta(days=20),
        display_name="Imported GA",
    )
    plain = active_gdap(
        world.partner,
        world.own,
        roles=["Directory Readers"],
        auto_extend_duration=timedelta(days=180),
        end_date_time=now + timedelta(days=20),
        display_name="Readers",
    )
    before = services.relationships_sweep(now=now)
    assert before["expiring"] == 1  # the GA relationship is marked expiring: it will end
    end = now + timedelta(days=20)
    result = services.relationships_sweep(now=end + timedelta(minutes=1))
    assert result["extended"] == 1 and result["expired"] == 1
    relationship.refresh_from_db()
    plain.refresh_from_db()
    assert relationship.status == GdapStatus.EXPIRED and relationship.end_date_time == end
    assert plain.status == GdapStatus.ACTIVE and plain.end_date_time == end + timedelta(days=180)


# ------------------------------------------------------------------------------------------ who consents
def pending(world):
    return services.relationship_request_create(
        actor=world.users["admin_agent"],
        customer=world.own,
        display_name="Pending",
        unified_roles=["Directory Readers"],
    )


@pytest.mark.parametrize(
    "role", ["global_admin", "admin_agent", "user_management_admin", "sales_agent", "helpdesk_agent"]
)
def test_a_partner_user_cannot_approve_or_decline(world, role):
    relationship = pending(world)
    for step in (services.relationship_approve, services.relationship_decline):
        with pytest.raises(Forbidden):
            step(actor=world.users[role], relationship_id=relationship.pk)
    relationship.refresh_from_db()
    assert relationship.status == GdapStatus.APPROVAL_PENDING and relationship.activated_date_time is None


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("role", ["global_admin", "admin_agent"])
def test_a_partner_user_cannot_switch_dap(world, role, enabled):
    grant = DapGrant.objects.create(partner=world.partner, customer=world.own, enabled=not enabled)
    with pytest.raises(Forbidden):
        services.dap_set(actor=world.users[role], partner=world.partner, customer=world.own, enabled=enabled)
    grant.refresh_from_db()
    assert grant.enabled is (not enabled)


def test_an_application_token_cannot_approve_or_switch_dap(world):
    relationship = pending(world)
    actor = ApplicationPrincipal(partner=world.partner, application_id=uuid.uuid4())
    with pytest.raises(Forbidden):
        services.relationship_approve(actor=actor, relationship_id=relationship.pk)
    with pytest.raises(Forbidden):
        services.dap_set(actor=actor, partner=world.partner, customer=world.own, enabled=False)


def test_the_customer_global_admin_switches_dap_off(world):
    DapGrant.objects.create(partner=world.partner, customer=world.own, enabled=True)
    grant = services.dap_set(
        actor=world.customer_admins["global_administrator"], partner=world.partner, customer=world.own, enabled=False
    )
    assert grant.enabled is False


def test_a_partner_terminates_its_own_but_not_another_partners(world):
    own = active_gdap(world.partner, world.own, display_name="Ours")
    theirs = active_gdap(world.other_partner, world.foreign, display_name="Theirs")
    with pytest.raises(NotFound):
        services.relationship_termination_request(actor=world.users["admin_agent"], relationship_id=theirs.pk)
    with pytest.raises(PermissionDenied):  # a sales agent may not end access
        services.relationship_termination_request(actor=world.users["sales_agent"], relationship_id=own.pk)
    theirs.refresh_from_db()
    assert theirs.status == GdapStatus.ACTIVE
    done = services.relationship_termination_request(actor=world.users["admin_agent"], relationship_id=own.pk)
    assert done.status in (GdapStatus.TERMINATION_REQUESTED, GdapStatus.TERMINATED)


def test_a_customer_admin_of_another_customer_cannot_approve(world):
    relationship = pending(world)
    with pytest.raises(Forbidden):
        services.relationship_approve(actor=world.foreign_admin, relationship_id=relationship.pk)
    relationship.refresh_from_db()
    assert relationship.status == GdapStatus.APPROVAL_PENDING
