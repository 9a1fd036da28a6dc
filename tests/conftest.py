"""Fixtures every test package shares (the builders they call live in ``tests/builders.py``)."""

import pytest
from django.utils import translation

from . import factories
from .builders import api_for, make_upgradable


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: a request of an earlier test (Accept-Language, a user's stored
    language) leaves its language active in the thread, as Django does between requests."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def partner(db):
    return factories.PartnerFactory(code="contoso-csp", name="Contoso CSP")


@pytest.fixture
def other_partner(db):
    return factories.PartnerFactory(code="wingtip-csp", name="Wingtip CSP")


@pytest.fixture
def sales_agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="ana", roles=["sales_agent"])


@pytest.fixture
def real_password_hasher(settings):
    """The production password hashers (the suite runs with a fast one: ``partnercenter.settings_test``)."""
    settings.PASSWORD_HASHERS = settings.REAL_PASSWORD_HASHERS


# --- the /v1/ API (tests/api, tests/bulk, tests/upgrades) ------------------------------------------------------------
@pytest.fixture
def api(sales_agent):
    """An API client with the sales agent's Bearer token."""
    return api_for(user=sales_agent)


@pytest.fixture
def app_api(partner):
    """An API client with an application (app-only) token of ``partner``."""
    return api_for(partner=partner)


@pytest.fixture
def upgradable(partner, sales_agent):
    """A Business Basic subscription the sales agent can upgrade to Office 365 E3 with license transfer."""
    return make_upgradable(partner=partner, agent=sales_agent)
