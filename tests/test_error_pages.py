"""403, 404, 500, CSRF failure and the sign-in lockout are pages of the portal's layout (DEBUG off) that say what
happened and what to do; the /v1/ API keeps its JSON errors."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from portal import error_views
from tests import factories

pytestmark = pytest.mark.django_db

LAYOUT = '<header class="topbar">'
FOOTER = '<footer class="footer">'


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def assert_portal_page(response, status: int, *texts: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert LAYOUT in html and FOOTER in html and "/static/css/portal.css" in html
    assert "What you can do" in html
    for text in texts:
        assert text in html, text
    return html


# ------------------------------------------------------------------------------------------------ 404
def test_unknown_address_signed_out():
    html = assert_portal_page(
        Client().get("/no-such-page/"),
        404,
        "Page not found",
        "There is nothing here, or it is not yours to see.",
        '<a class="button button--primary" href="/accounts/login/">Sign in</a>',
    )
    assert '<nav class="nav"' not in html
    assert "/no-such-page/" not in html  # the page never echoes what was asked for (ids of other partners)


def test_unknown_address_signed_in_keeps_the_menu(sales_agent):
    html = assert_portal_page(
        client_for(sales_agent).get("/no-such-page/"),
        404,
        "Page not found",
        'data-nav="customers"',
        '<a class="button button--primary" href="/">Go to your home page</a>',
    )
    assert 'aria-current="page"' not in html


def test_another_partners_customer_is_a_404_that_names_nothing(sales_agent, other_partner):
    customer = factories.CustomerFactory(company_name="Wingtip Only Ltd")
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    html = assert_portal_page(
        client_for(sales_agent).get(f"/customers/{customer.tenant_id}/"),
        404,
        "No customer with this tenant id is visible to you.",
    )
    assert "Wingtip Only Ltd" not in html


# ------------------------------------------------------------------------------------------------ 403
def test_a_role_that_is_not_allowed_gets_the_403_page(sales_agent):
    assert_portal_page(
        client_for(sales_agent).get("/partner/users/"),
        403,
        "Access denied",
        "Your partner role does not allow this action (manage_partner_users).",
        "ask your administrator for the role",
        '<a class="button button--primary" href="/">Go to your home page</a>',
    )


def test_a_customer_admin_is_pointed_to_the_admin_center():
    admin = factories.CustomerAdminRoleFactory(role="billing_administrator").user
    html = assert_portal_page(
        client_for(admin).get("/customers/"),
        403,
        "Access denied",
        "These pages are for the users of a CSP partner.",
        "you manage your organisation",
        '<a class="button button--primary" href="/admin-center/">Go to the admin center</a>',
    )
    assert 'data-nav="admin_center"' in html and 'data-nav="customers"' not in html


# ------------------------------------------------------------------------------------------------ 500
def test_an_error_in_a_view_shows_the_500_page(sales_agent, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("portal.views.customer_rows_for", broken)
    response = client_for(sales_agent, raise_request_exception=False).get("/customers/")
    html = assert_portal_page(
        response,
        500,
        "Something went wrong",
        "nothing was half-done",
        "Try again in a moment.",
        '<a class="button button--primary" href="/">',
    )
    assert "boom" not in html and "RuntimeError" not in html
    assert '<nav class="nav"' not in html and sales_agent.username not in html  # nothing from the request


def test_the_500_page_renders_without_database_or_context(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = error_views.server_error(RequestFactory().get("/customers/"))
    assert_portal_page(response, 500, "Something went wrong")


def test_the_500_page_falls_back_to_plain_html_when_its_template_fails(monkeypatch):
    def broken(name):
        raise RuntimeError("template storage gone")

    monkeypatch.setattr("portal.error_views.loader.get_template", broken)
    response = error_views.server_error(RequestFactory().get("/customers/"))
    assert response.status_code == 500
    assert b"<h1>Something went wrong</h1>" in response.content and b'href="/"' in response.content


def test_the_api_keeps_its_json_errors(sales_agent):
    response = client_for(sales_agent).get("/v1/no-such-resource")
    assert response.status_code == 404 and response.json()["attributes"] == {"objectType": "ServiceFault"}
    body = error_views.server_error(RequestFactory().get("/v1/customers"))
    assert body.status_code == 500 and body["Content-Type"] == "application/json"


# ------------------------------------------------------------------------------------------------ CSRF
def test_a_form_without_its_security_token_gets_the_csrf_page():
    factories.UserFactory(username="csrf-user")
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "csrf-user", "password": "correct-horse-battery"}
    )
    assert_portal_page(
        response,
        403,
        "The form could not be sent",
        "Nothing was changed.",
        "Go back, reload the page and send the form again.",
        '<a class="button button--primary" href="/accounts/login/">Sign in again</a>',
    )


def test_a_signed_in_form_without_its_token_keeps_the_menu(sales_agent):
    response = client_for(sales_agent, enforce_csrf_checks=True).post(reverse("notifications:mark_read"))
    assert_portal_page(
        response,
        403,
        "The form could not be sent",
        'data-nav="customers"',
        '<a class="button button--primary" href="/">Go to your home page</a>',
    )


# ------------------------------------------------------------------------------------------------ lockout
def test_the_lockout_page_says_when_to_try_again(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    factories.PartnerUserFactory(username="locked-out", roles=["sales_agent"])
    client = Client()

    def attempt(password):
        return client.post(
            reverse("login"), {"username": "locked-out", "password": password}, REMOTE_ADDR="203.0.113.9"
        )

    assert attempt("wrong-password").status_code == 200
    assert attempt("wrong-password").status_code == 200
    locked = attempt("wrong-password")
    assert_portal_page(
        locked,
        429,
        "Sign-in is locked for a while",
        "There were 3 failed sign-ins for this user name from your network address.",
        "Try again in 30 minutes.",
        '<a class="button button--primary" href="/accounts/login/">Back to sign-in</a>',
    )
    assert_portal_page(attempt("correct-horse-battery"), 429, "Try again in 30 minutes.")


@pytest.mark.parametrize(
    "value, words",
    [
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(seconds=20), "1 minute"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(0), ""),
        (None, ""),
    ],
)
def test_cool_off_in_words(value, words):
    assert error_views.duration_words(value) == words


def test_no_error_page_is_bare_text():
    """Every error template extends the portal's layout (checked on the template source)."""
    from django.template import loader

    for name in (
        "403.html",
        "404.html",
        "403_csrf.html",
        "registration/lockout.html",
        "errors/_layout.html",
        "500.html",
    ):
        source = loader.get_template(name).template.source
        assert source.startswith(('{% extends "errors/_layout.html" %}', '{% extends "base.html" %}')), name


def test_a_missing_upgrade_is_a_404_page_for_partners(sales_agent):
    assert_portal_page(
        client_for(sales_agent).get(f"/upgrades/{uuid.uuid4()}/"), 404, "No upgrade with this id is visible to you."
    )
