"""manage.py createapitoken: user tokens and application tokens that authenticate on /v1/."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from accounts.models import ApiToken, hash_token
from api.authentication import BearerTokenAuthentication

from . import factories

pytestmark = pytest.mark.django_db


def create(*args) -> str:
    out = StringIO()
    call_command("createapitoken", *args, stdout=out)
    return out.getvalue().strip()


def authenticate(raw: str):
    request = RequestFactory().get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return BearerTokenAuthentication().authenticate(request)


def test_user_token(sales_agent):
    raw = create("ana")

    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.user == sales_agent and token.partner is None and not token.is_application
    actor, auth = authenticate(raw)
    assert actor == sales_agent and auth == token


def test_application_token(partner):
    raw = create("--application", "contoso-csp")

    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.partner == partner and token.user is None and token.is_application
    actor, _auth = authenticate(raw)
    assert actor.is_application and actor.partner == partner and actor.application_id == token.application_id


def test_each_call_issues_a_new_token(sales_agent):
    assert create("ana") != create("ana")
    assert ApiToken.objects.filter(user=sales_agent).count() == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (("nobody",), "Unknown user 'nobody'"),
        (("--application", "nope-csp"), "Unknown partner 'nope-csp'"),
        ((), "exactly one"),
        (("ana", "--application", "contoso-csp"), "exactly one"),
    ],
)
def test_clear_errors(sales_agent, args, message):
    with pytest.raises(CommandError, match=message):
        create(*args)
    assert ApiToken.objects.count() == 0


def test_inactive_user_gets_no_token(partner):
    factories.PartnerUserFactory(partner=partner, username="gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        create("gone")
