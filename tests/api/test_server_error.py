import pytest
from django.test import Client

from customers import selectors


@pytest.mark.django_db
def test_an_unexpected_error_outside_drf_answers_a_json_service_fault(monkeypatch):
    def broken(request):
        raise RuntimeError("boom")

    from accounts.models import ApiToken
    from tests import factories

    user = factories.PartnerUserFactory()
    _token, raw = ApiToken.issue(user=user)
    monkeypatch.setattr(
        "api.authentication.BearerTokenAuthentication.authenticate", lambda self, request: broken(request)
    )
    response = Client(raise_request_exception=False).get("/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 500
    body = response.json()
    assert body["errorName"] == "internal_error"
    assert body["attributes"] == {"objectType": "ServiceFault"}


@pytest.mark.django_db
def test_an_unexpected_error_in_the_portal_shows_the_error_page(monkeypatch):
    from tests import factories

    user = factories.PartnerUserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    monkeypatch.setattr(selectors, "customers_visible_to", lambda actor: (_ for _ in ()).throw(RuntimeError("boom")))
    monkeypatch.setattr(
        "portal.selectors.customers_visible_to",
        lambda actor: (_ for _ in ()).throw(RuntimeError("boom")),
        raising=False,
    )
    response = client.get("/customers/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
