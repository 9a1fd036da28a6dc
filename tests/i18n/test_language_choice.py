"""Which language a page comes out in (issue 13, item 1): the browser's Accept-Language, the switcher at
/i18n/setlang/ (a cookie; stored for a signed-in user), and a signed-in user's stored language winning."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditRecord
from tests.builders import admin_url, change_page_post_data, login

pytestmark = pytest.mark.django_db

LANG = re.compile(r'<html lang="([^"]+)"')


def page_language(response) -> str:
    found = LANG.search(response.content.decode())
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("zh-TW,zh;q=0.9,en;q=0.5", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("sv-SE,sv;q=0.9", "sv"),
        ("sv-FI", "sv"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE", "en"),
        ("", "en"),
    ],
)
def test_the_sign_in_page_follows_the_browser(client, accept, expected):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert page_language(response) == expected
    assert response["Content-Language"] == expected


def test_every_page_offers_the_three_languages_named_in_themselves(client, sales_agent):
    for name in ("login",):
        text = client.get(reverse(name)).content.decode()
        assert 'action="/i18n/setlang/"' in text
        assert '<option value="zh-hant" lang="zh-hant">繁體中文</option>' in text
        assert '<option value="sv" lang="sv">Svenska</option>' in text
        assert '<option value="en" lang="en" selected>English</option>' in text
    login(client, sales_agent)
    assert 'action="/i18n/setlang/"' in client.get(reverse("portal:home"), follow=True).content.decode()


def test_the_switcher_sets_the_cookie_for_an_anonymous_visitor(client):
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.cookies["django_language"].value == "sv"
    # the cookie wins over the browser's language
    assert page_language(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-TW")) == "sv"


def test_the_switcher_stores_a_signed_in_users_choice(client, sales_agent):
    login(client, sales_agent)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert User.objects.get(pk=sales_agent.pk).language == "zh-hant"


def test_a_stored_language_wins_over_the_browser_after_sign_in(client, sales_agent):
    User.objects.filter(pk=sales_agent.pk).update(language="sv")
    sales_agent.refresh_from_db()
    login(client, sales_agent)
    response = client.get(reverse("portal:customer_list"), HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert page_language(response) == "sv"


def test_without_a_stored_language_the_browser_decides_after_sign_in(client, sales_agent):
    login(client, sales_agent)
    response = client.get(reverse("portal:customer_list"), HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert page_language(response) == "zh-hant"


def test_an_unknown_language_is_neither_set_nor_stored(client, sales_agent):
    login(client, sales_agent)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert "django_language" not in client.cookies
    assert User.objects.get(pk=sales_agent.pk).language == ""


def test_the_switcher_only_accepts_post(client):
    assert client.get(reverse("set_language")).status_code == 405


def test_the_django_admin_offers_the_switcher(client, django_user_model):
    operator = django_user_model.objects.create_superuser("op", "op@example.com", "pw-Op-123456")
    client.force_login(operator)
    text = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert 'action="/i18n/setlang/"' in text
    assert '<html lang="sv"' in text


def test_the_pages_come_out_in_the_chosen_language(client):
    chinese = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert "<title>登入 · CSP 合作夥伴入口網站</title>" in chinese
    assert '<option value="en" lang="en">English</option>' in chinese  # each language named in itself
    swedish = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "<title>Logga in · CSP-partnerportal</title>" in swedish
    assert "Användarnamn" in swedish and '<option value="zh-hant" lang="zh-hant">繁體中文</option>' in swedish


def test_an_error_page_switches_back_through_the_referer_without_echoing_the_address(client):
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "/no-such-page/" not in page and 'action="/i18n/setlang/"' in page
    response = client.post(reverse("set_language"), {"language": "sv"}, HTTP_REFERER="http://testserver/no-such-page/")
    assert response.status_code == 302 and response["Location"] == "http://testserver/no-such-page/"


def test_an_operator_sets_a_users_language_in_the_django_admin(client, sales_agent, django_user_model):
    operator = django_user_model.objects.create_superuser("op", "op@example.com", "pw-Op-123456")
    client.force_login(operator)
    url = admin_url(sales_agent, "change")
    data = change_page_post_data(client.get(url))
    data["language"] = "zh-hant"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=sales_agent.pk).language == "zh-hant"
    record = AuditRecord.objects.filter(resource_type="PartnerUser").latest("operation_date")
    assert record.resource_old_value["account"]["language"] == ""
    assert record.resource_new_value["account"]["language"] == "zh-hant"
