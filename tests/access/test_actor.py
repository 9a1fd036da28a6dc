"""The typed actor (``accounts.actor``), the role predicates (``partners.roles``) and the page error middleware."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from accounts.actor import Actor, ActorKind
from accounts.models import ApiToken
from accounts.principals import ApplicationPrincipal
from audit.services import actor_fields
from core.errors import Conflict, Forbidden, InvalidInput, Locked, NotFound
from core.middleware import DomainErrorMiddleware
from core.scoping import actor_of
from delegation.expiry import notice_recipients
from partners.models import PartnerRole
from partners.roles import (
    MATRIX,
    Capability,
    admin_partner_id,
    can,
    is_customer_admin,
    is_global_admin,
    roles_granting,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(partner, other_partner, sales_agent):
    customer = factories.CustomerFactory(company_name="Fabrikam")
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.RelationshipFactory(partner=other_partner, customer=factories.CustomerFactory())
    tenant_admin = factories.UserFactory(username="tenant-admin")
    factories.CustomerAdminRoleFactory(user=tenant_admin, customer=customer, role="billing_administrator")
    return {
        "customer": customer,
        "agent": sales_agent,
        "global": factories.PartnerUserFactory(partner=partner, username="ga", roles=["global_admin"], is_staff=True),
        "app": ApplicationPrincipal(partner=partner, application_id=uuid.uuid4(), token_id=7),
        "tenant_admin": tenant_admin,
        "operator": factories.UserFactory(username="op", is_superuser=True, is_staff=True),
    }


def test_each_kind_of_actor(people):
    assert Actor(people["agent"]).kind is ActorKind.PARTNER_USER
    assert Actor(people["app"]).kind is ActorKind.APPLICATION
    assert Actor(people["tenant_admin"]).kind is ActorKind.CUSTOMER_ADMIN
    assert Actor(people["operator"]).kind is ActorKind.OPERATOR
    assert Actor(AnonymousUser()).kind is ActorKind.ANONYMOUS
    assert Actor(None).kind is ActorKind.ANONYMOUS and Actor(None).user is None


def test_the_actor_answers_its_capabilities_partner_and_customers(people, partner):
    agent, app, admin, operator = (Actor(people[k]) for k in ("agent", "app", "tenant_admin", "operator"))
    assert agent.can(Capability.UPGRADE) and not agent.can(Capability.MANAGE_PARTNER_USERS)
    assert app.can(Capability.BILLING) and not app.can(Capability.MANAGE_PARTNER_USERS)
    assert operator.can(Capability.MANAGE_CATALOG)
    assert agent.partner == partner and agent.partner_id == partner.pk and app.partner_id == partner.pk
    assert admin.partner is None and operator.partner_id is None
    assert list(agent.customers()) == [people["customer"]] == list(app.customers()) == list(admin.customers())
    assert operator.customers().count() == 2
    with pytest.raises(PermissionDenied):
        agent.require(Capability.MANAGE_PARTNER_USERS)


def test_the_admin_center_capability_is_for_customer_admins_only(people):
    assert Actor(people["tenant_admin"]).can(Capability.ADMIN_CENTER)
    for name in ("agent", "app", "operator"):
        assert not Actor(people[name]).can(Capability.ADMIN_CENTER), name
    with pytest.raises(PermissionDenied, match="customer tenant admins' user tokens"):
        Actor(people["agent"]).require(Capability.ADMIN_CENTER)


def test_the_actor_keeps_the_attributes_services_and_audit_records_read(people):
    user = people["agent"]
    actor = Actor(user)
    assert (actor.pk, actor.id, actor.username, actor.email) == (user.pk, user.pk, user.username, user.email)
    assert actor.role_codes == frozenset({"sales_agent"}) and not actor.is_application and not actor.is_superuser
    assert actor.user is user and actor == user and Actor.of(actor) is actor
    assert actor_fields(actor) == actor_fields(user) == {"user_principal_name": user.email, "application_id": ""}
    app = Actor(people["app"])
    assert actor_fields(app) == {"user_principal_name": "", "application_id": str(people["app"].application_id)}
    assert app.user is None and app.pk is None and app.role_codes == frozenset()


def test_an_actor_is_rebuilt_from_ids_in_a_task(people, partner):
    agent = Actor(people["agent"])
    rebuilt = Actor.from_ids(**agent.ids())
    assert rebuilt.kind is ActorKind.PARTNER_USER and rebuilt.pk == agent.pk and rebuilt.role_codes == agent.role_codes
    app = Actor(people["app"])
    assert app.ids() == {
        "partner_id": partner.pk,
        "application_id": str(people["app"].application_id),
        "token_id": 7,
    }
    again = Actor.from_ids(**app.ids())
    assert again.kind is ActorKind.APPLICATION and again.application_id == people["app"].application_id
    assert list(again.customers()) == [people["customer"]]
    assert Actor.from_ids(user_id=10**9).kind is ActorKind.ANONYMOUS
    assert Actor.from_ids().kind is ActorKind.ANONYMOUS


def test_pages_and_admin_get_one_actor_per_request(client, people):
    client.force_login(people["agent"])
    response = client.get("/")
    actor = response.wsgi_request.actor
    assert isinstance(actor, Actor) and actor.kind is ActorKind.PARTNER_USER and actor.pk == people["agent"].pk
    assert actor_of(response.wsgi_request) is actor
    client.force_login(people["global"])
    response = client.get("/admin/")
    assert response.wsgi_request.actor.admin_partner_id == people["global"].partner_id


def test_the_api_builds_the_actor_of_the_token(client, people, partner):
    _token, raw = ApiToken.issue(partner=partner)
    response = client.get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.wsgi_request.actor.kind is ActorKind.APPLICATION
    assert response.wsgi_request.actor.partner_id == partner.pk


def test_a_request_without_the_middleware_still_gets_its_actor(people):
    request = RequestFactory().get("/")
    request.user = people["operator"]
    actor = actor_of(request)
    assert isinstance(actor, Actor) and actor.is_operator and request.actor is actor


# -- the role predicates ---------------------------------------------------------------------------------------
def test_global_admin_is_one_predicate(people):
    assert is_global_admin(people["global"]) and is_global_admin(Actor(people["global"]))
    assert not is_global_admin(people["agent"]) and not is_global_admin(people["app"])
    assert not is_global_admin(people["operator"])
    assert admin_partner_id(people["global"]) == people["global"].partner_id
    assert admin_partner_id(people["agent"]) is None and admin_partner_id(people["operator"]) is None
    assert is_customer_admin(people["tenant_admin"]) and not is_customer_admin(people["agent"])


def test_the_expiry_notice_recipients_come_from_the_role_matrix(partner, people):
    assert roles_granting(Capability.REQUEST_DELEGATED_ADMIN) == {PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT}
    agent = factories.PartnerUserFactory(partner=partner, username="aa", roles=["admin_agent"])
    factories.PartnerUserFactory(partner=partner, username="helpdesk", roles=["helpdesk_agent"])
    factories.PartnerUserFactory(partner=partner, username="gone", roles=["admin_agent"], is_active=False)
    assert notice_recipients(partner.pk) == sorted([people["global"], agent], key=lambda user: user.pk)


def test_the_matrix_has_a_row_for_every_capability():
    assert set(MATRIX) == set(Capability)
    assert not can(None, Capability.VIEW_CUSTOMERS)


# -- domain errors on web pages ----------------------------------------------------------------------------------
@pytest.fixture
def page_request(people):
    request = RequestFactory().get("/admin-center/somewhere/")
    request.user = people["tenant_admin"]
    return request


def test_domain_errors_become_the_pages_403_404_409_423(page_request):
    middleware = DomainErrorMiddleware(lambda request: None)
    with pytest.raises(Http404, match="No such tenant"):
        middleware.process_exception(page_request, NotFound("No such tenant."))
    with pytest.raises(PermissionDenied, match="not yours"):
        middleware.process_exception(page_request, Forbidden("not yours"))
    conflict = middleware.process_exception(page_request, Conflict("An upgrade is already running."))
    assert conflict.status_code == 409 and "An upgrade is already running." in conflict.content.decode()
    locked = middleware.process_exception(page_request, Locked("Waiting for the credit check."))
    assert locked.status_code == 423 and "Waiting for the credit check." in locked.content.decode()
    # a form refusal is the page's own business; anything else is not this middleware's
    assert middleware.process_exception(page_request, InvalidInput("quantity: too many")) is None
    assert middleware.process_exception(page_request, ValueError("boom")) is None


def test_the_api_keeps_its_own_error_bodies(people):
    request = RequestFactory().get("/v1/customers")
    assert DomainErrorMiddleware(lambda request: None).process_exception(request, Conflict("x")) is None


def test_a_page_that_lets_not_found_through_answers_the_404_page(client, people):
    client.force_login(people["tenant_admin"])
    response = client.get(f"/admin-center/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert "No such tenant." in response.content.decode()
